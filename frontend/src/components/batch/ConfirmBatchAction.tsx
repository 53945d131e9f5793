import * as React from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { type BatchAction, useBatchActions } from "@/hooks/useBatchActions";
import type { BatchJob } from "@/types/batch";

/** The actions that cannot be undone ask first, saying what they will lose. */
const CONFIRM: Partial<Record<BatchAction, { title: string; body: (batch: Pick<BatchJob, "name">) => string; button: string }>> = {
  delete: {
    title: "Delete this batch?",
    body: (batch) => `"${batch.name}" and every output, caption and export of it are removed for good.`,
    button: "Delete batch",
  },
  cancel: {
    title: "Cancel this batch?",
    body: (batch) => `Videos of "${batch.name}" that have not finished stop and are not processed. Finished videos are kept.`,
    button: "Cancel batch",
  },
};

type Asked = { action: BatchAction; batch: Pick<BatchJob, "id" | "name">; onDone?: () => void };

/** Runs a batch action; delete and cancel first ask in a dialog (render `dialog` once). */
export function useConfirmedBatchActions() {
  const actions = useBatchActions();
  const [asked, setAsked] = React.useState<Asked | null>(null);
  const run = ({ action, batch, onDone }: Asked) => actions.mutate({ action, id: batch.id }, { onSuccess: () => onDone?.() });
  const request = (action: BatchAction, batch: Asked["batch"], onDone?: () => void) =>
    CONFIRM[action] ? setAsked({ action, batch, onDone }) : run({ action, batch, onDone });
  const copy = asked ? CONFIRM[asked.action]! : null;
  const dialog = (
    <Dialog open={Boolean(asked)} onOpenChange={(open) => !open && setAsked(null)}>
      <DialogContent className="max-w-md" role="alertdialog">
        <DialogHeader>
          <DialogTitle>{copy?.title}</DialogTitle>
          <DialogDescription>{asked && copy?.body(asked.batch)}</DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <Button variant="outline" onClick={() => setAsked(null)}>
            Keep it
          </Button>
          <Button
            variant="destructive"
            onClick={() => {
              if (asked) run(asked);
              setAsked(null);
            }}
          >
            {copy?.button}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
  return { request, dialog, pending: actions.isPending };
}
