import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Pencil } from "lucide-react";
import * as React from "react";
import { editBatchJob } from "@/api/client";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input, Label, Textarea } from "@/components/ui/form";
import { useToast } from "@/components/ui/toast";
import { batchKey } from "@/hooks/useBatchLive";
import type { BatchJobDetail, BatchJobEdit } from "@/types/batch";

const NAME_MAX = 100; // BatchJobEdit.name in docs/openapi.json
const DESCRIPTION_MAX = 2000;

/** Only what changed: an emptied description is sent as null, which clears it. */
export function editOf(batch: Pick<BatchJobDetail, "name" | "description">, name: string, description: string): BatchJobEdit {
  const edit: BatchJobEdit = {};
  if (name.trim() !== batch.name) edit.name = name.trim();
  const wanted = description.trim() === "" ? null : description;
  if (wanted !== (batch.description ?? null)) edit.description = wanted;
  return edit;
}

/** "Edit details" for a pending batch: a dialog with its name and description (the API refuses once it starts). */
export function EditBatchDetails({ batch }: { batch: BatchJobDetail }) {
  const [open, setOpen] = React.useState(false);
  const [name, setName] = React.useState(batch.name);
  const [description, setDescription] = React.useState(batch.description ?? "");
  const queryClient = useQueryClient();
  const toast = useToast();
  const save = useMutation({
    mutationFn: (edit: BatchJobEdit) => editBatchJob(batch.id, edit),
    onSuccess: (saved) => {
      queryClient.setQueryData(batchKey(batch.id), saved);
      void queryClient.invalidateQueries({ queryKey: ["batch-jobs"] });
      toast({ title: "Details saved", variant: "success" });
      setOpen(false);
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: batchKey(batch.id) }),
  });
  const edit = editOf(batch, name, description);
  const unchanged = Object.keys(edit).length === 0;

  const openWith = (next: boolean) => {
    if (next) {
      setName(batch.name);
      setDescription(batch.description ?? "");
      save.reset();
    }
    setOpen(next);
  };

  return (
    <Dialog open={open} onOpenChange={openWith}>
      <DialogTrigger asChild>
        <Button variant="outline">
          <Pencil aria-hidden /> Edit details
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>Edit batch details</DialogTitle>
          <DialogDescription>The name and description can be changed until the batch starts.</DialogDescription>
        </DialogHeader>
        <form
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            if (!unchanged && name.trim()) save.mutate(edit);
          }}
        >
          <div className="grid gap-2">
            <Label htmlFor="edit-batch-name">Name</Label>
            <Input
              id="edit-batch-name"
              value={name}
              required
              maxLength={NAME_MAX}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
          <div className="grid gap-2">
            <Label htmlFor="edit-batch-description">Description</Label>
            <Textarea
              id="edit-batch-description"
              value={description}
              maxLength={DESCRIPTION_MAX}
              onChange={(event) => setDescription(event.target.value)}
            />
          </div>
          {save.error && (
            <Alert role="alert" className="border-destructive">
              <AlertTitle>Could not save the details</AlertTitle>
              <AlertDescription>{(save.error as Error).message}</AlertDescription>
            </Alert>
          )}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => openWith(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={unchanged || !name.trim() || save.isPending}>
              {save.isPending ? "Saving…" : "Save"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
