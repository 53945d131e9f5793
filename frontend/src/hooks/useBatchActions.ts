import { useMutation, useQueryClient } from "@tanstack/react-query";
import { startBatchProcessing } from "@/api/client";
import {
  cancelBatchJob,
  deleteBatchJob,
  pauseBatchJob,
  resumeBatchJob,
  retryFailedVideos,
} from "@/api/client";
import { useToast } from "@/components/ui/toast";
import type { BatchJob } from "@/types/batch";

export type BatchAction = "start" | "pause" | "resume" | "cancel" | "retry" | "delete";

const RUN: Record<BatchAction, (id: string) => Promise<unknown>> = {
  start: startBatchProcessing,
  pause: pauseBatchJob,
  resume: resumeBatchJob,
  cancel: cancelBatchJob,
  retry: (id) => retryFailedVideos(id),
  delete: deleteBatchJob,
};

const DONE: Record<BatchAction, string> = {
  start: "Processing started",
  pause: "Batch paused",
  resume: "Batch resumed",
  cancel: "Batch cancelled",
  retry: "Retrying failed videos",
  delete: "Batch deleted",
};

/** Which actions a batch in this state allows (the API's transition rules). */
export function actionsFor(batch: Pick<BatchJob, "status" | "failed_videos">): BatchAction[] {
  const actions: BatchAction[] = [];
  if (batch.status === "pending") actions.push("start");
  if (batch.status === "processing" || batch.status === "queued") actions.push("pause");
  if (batch.status === "paused") actions.push("resume");
  if (["pending", "queued", "processing", "paused"].includes(batch.status)) actions.push("cancel");
  if (batch.failed_videos > 0 && ["completed", "failed"].includes(batch.status)) actions.push("retry");
  if (["completed", "failed", "cancelled"].includes(batch.status)) actions.push("delete");
  return actions;
}

export function useBatchActions() {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: ({ action, id }: { action: BatchAction; id: string }) => RUN[action](id),
    onSuccess: (_, { action, id }) => {
      toast({ title: DONE[action], variant: "success" });
      if (action === "delete") queryClient.removeQueries({ queryKey: ["batch-job", id] });
      else void queryClient.invalidateQueries({ queryKey: ["batch-job", id] });
      void queryClient.invalidateQueries({ queryKey: ["batch-jobs"] });
    },
    onError: (error) => toast({ title: "Action failed", description: String((error as Error).message), variant: "destructive" }),
  });
}
