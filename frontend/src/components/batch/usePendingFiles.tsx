import { useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { addVideosToBatch } from "@/api/client";
import { uploadBatchVideos, type Transport, type UploadSlot } from "@/api/upload";
import { useToast } from "@/components/ui/toast";
import { batchKey } from "@/hooks/useBatchLive";
import type { BatchVideo, UploadProgress } from "@/types/batch";
import { CONTENT_TYPES, extensionOf, fileProblem } from "./BatchUploadModal";

const ACCEPT = Object.keys(CONTENT_TYPES)
  .map((ext) => `.${ext}`)
  .join(",");

/**
 * Files for a batch that has not started: the missing file of a slot (also after a reload, resuming a
 * multipart upload), a replacement for a file that cannot be processed, and new videos added at the end.
 * Render `inputs` once; `status` says what is being sent.
 */
export function usePendingFiles(batchJobId: string, transport?: Transport) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const single = React.useRef<HTMLInputElement>(null);
  const several = React.useRef<HTMLInputElement>(null);
  const [slot, setSlot] = React.useState<BatchVideo | null>(null);
  const [status, setStatus] = React.useState<string | null>(null);

  async function send(files: File[], slots: UploadSlot[], what: string) {
    const report = (state: UploadProgress[]) => {
      const loaded = state.reduce((sum, p) => sum + p.loaded, 0);
      const total = state.reduce((sum, p) => sum + p.total, 0) || 1;
      setStatus(`Uploading ${what}: ${Math.round((loaded / total) * 100)}%`);
    };
    const result = await uploadBatchVideos(files, slots, { batchJobId, transport, onProgress: report });
    const failed = result.filter((r) => r.status === "failed");
    if (failed.length) {
      toast({ title: `${failed.length} upload(s) failed`, description: failed.map((f) => `${f.file_name}: ${f.error}`).join("; "), variant: "destructive" });
    } else {
      toast({ title: `Uploaded ${what}`, variant: "success" });
    }
  }

  async function run(work: () => Promise<void>) {
    try {
      await work();
    } catch (caught) {
      toast({ title: "Upload failed", description: (caught as Error).message, variant: "destructive" });
    } finally {
      setStatus(null);
      await queryClient.invalidateQueries({ queryKey: batchKey(batchJobId) });
      void queryClient.invalidateQueries({ queryKey: ["batch-jobs"] });
    }
  }

  const onSingle = (event: React.ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file || !slot) return;
    const problem = fileProblem(file);
    if (problem) return toast({ title: "This file cannot be used", description: problem, variant: "destructive" });
    void run(() => send([file], [{ video_id: slot.video_id }], slot.original_name));
  };

  const onSeveral = (event: React.ChangeEvent<HTMLInputElement>) => {
    const picked = [...(event.target.files ?? [])];
    event.target.value = "";
    const problems = picked.map(fileProblem).filter((p): p is string => Boolean(p));
    if (problems.length) toast({ title: "Some files were not added", description: problems.join("; "), variant: "destructive" });
    const usable = picked.filter((file) => !fileProblem(file));
    if (!usable.length) return;
    void run(async () => {
      setStatus(`Adding ${usable.length} video(s)`);
      const specs = usable.map((file) => ({ name: file.name, size: file.size, content_type: CONTENT_TYPES[extensionOf(file.name)] ?? null }));
      const added = await addVideosToBatch(batchJobId, { files: specs });
      queryClient.setQueryData(batchKey(batchJobId), added);
      await send(usable, added.uploads ?? [], `${usable.length} new video(s)`);
    });
  };

  const inputs = (
    <>
      <input ref={single} type="file" accept={ACCEPT} className="hidden" aria-hidden tabIndex={-1} data-testid="slot-file-input" onChange={onSingle} />
      <input ref={several} type="file" accept={ACCEPT} multiple className="hidden" aria-hidden tabIndex={-1} data-testid="add-files-input" onChange={onSeveral} />
    </>
  );
  return {
    inputs,
    status,
    busy: status !== null,
    chooseFor: (video: BatchVideo) => {
      setSlot(video);
      single.current?.click();
    },
    chooseNew: () => several.current?.click(),
  };
}
