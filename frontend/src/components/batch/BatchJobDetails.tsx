import { useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, ChevronDown, Clock, Download, Film, Pause, Play, Plus, RotateCcw, Trash2, XCircle } from "lucide-react";
import * as React from "react";
import type { Transport } from "@/api/upload";
import { listExports, removeBatchVideo, reorderBatchVideos, retryFailedVideos } from "@/api/client";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Collapsible, CollapsibleContent, CollapsibleTrigger, Label, Select } from "@/components/ui/form";
import { Progress } from "@/components/ui/progress";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { type BatchAction, actionsFor } from "@/hooks/useBatchActions";
import { batchKey } from "@/hooks/useBatchLive";
import { livePercent } from "@/lib/liveBatch";
import { describeSettings, withDefaults } from "@/lib/settings";
import { formatEta } from "@/lib/utils";
import type { BatchJobDetail, BatchVideo } from "@/types/batch";
import { BatchCost } from "./BatchCost";
import { BatchExportDialog, ExportHistory } from "./BatchExportDialog";
import { ProgressPanelView, useLiveBatchWithToasts } from "./BatchProgressPanel";
import { BatchVideoRow, type VideoAction } from "./BatchVideoRow";
import { useConfirmedBatchActions } from "./ConfirmBatchAction";
import { EditBatchDetails } from "./EditBatchDetails";
import { usePendingFiles } from "./usePendingFiles";
import { StatusBadge } from "./status";
import { HelpLink } from "@/components/HelpLink";

type VideoSort = "position" | "status" | "progress";

export interface BatchJobDetailsProps {
  batchJobId: string;
  onDeleted?: () => void;
  /** How files are PUT to S3 (tests stand in for the network here). */
  transport?: Transport;
}

const ACTION_BUTTON: Partial<Record<BatchAction, { label: string; icon: React.ReactNode; variant?: "destructive" | "outline" }>> = {
  start: { label: "Start processing", icon: <Play aria-hidden /> },
  pause: { label: "Pause", icon: <Pause aria-hidden />, variant: "outline" },
  resume: { label: "Resume", icon: <Play aria-hidden /> },
  cancel: { label: "Cancel", icon: <XCircle aria-hidden />, variant: "outline" },
  retry: { label: "Retry failed", icon: <RotateCcw aria-hidden />, variant: "outline" },
  delete: { label: "Delete", icon: <Trash2 aria-hidden />, variant: "destructive" },
};

function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "—";
}

export function BatchJobDetails({ batchJobId, onDeleted, transport }: BatchJobDetailsProps) {
  const live = useLiveBatchWithToasts(batchJobId);
  const { batch, isLoading, error, refetch, isFetching, offline } = live;
  const queryClient = useQueryClient();
  const toast = useToast();
  const actions = useConfirmedBatchActions();
  const files = usePendingFiles(batchJobId, transport);
  const [selected, setSelected] = React.useState<Set<string>>(new Set());
  const [sort, setSort] = React.useState<VideoSort>("position");
  const [exportOpen, setExportOpen] = React.useState(false);
  const [errorOf, setErrorOf] = React.useState<BatchVideo | null>(null);
  const exports = useQuery({
    queryKey: ["exports", batchJobId],
    queryFn: () => listExports(batchJobId),
    enabled: batch?.status === "completed",
  });

  if (isLoading) {
    return (
      <div className="grid gap-4" aria-busy="true">
        <Skeleton className="h-8 w-1/2" />
        <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} className="h-20" />
          ))}
        </div>
      </div>
    );
  }
  if (!batch) {
    return (
      <Alert variant="destructive">
        <AlertTitle>Could not load this batch</AlertTitle>
        <AlertDescription className="grid justify-items-start gap-2">
          <span>
            {String((error as Error | null)?.message ?? "Not found")} <HelpLink message={(error as Error | null)?.message} />
          </span>
          <Button size="sm" variant="outline" disabled={isFetching} onClick={() => void refetch()}>
            <RotateCcw aria-hidden /> Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  }

  const refresh = () => queryClient.invalidateQueries({ queryKey: batchKey(batchJobId) });
  const run = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      toast({ title: done, variant: "success" });
    } catch (caught) {
      toast({ title: "Action failed", description: (caught as Error).message, variant: "destructive" });
    }
    await refresh();
  };
  const videos = [...batch.videos].sort((a, b) =>
    sort === "position" ? a.position - b.position : sort === "status" ? a.status.localeCompare(b.status) : b.progress_percentage - a.progress_percentage,
  );
  const pending = batch.videos.filter((v) => v.status === "pending").length;
  const failures = batch.videos.filter((v) => v.status === "failed");
  const reorderable = batch.status === "pending";
  const chosen = batch.videos.filter((v) => selected.has(v.video_id));

  const move = (video: BatchVideo, to: number) => {
    const order = [...batch.videos].sort((a, b) => a.position - b.position).map((v) => v.video_id);
    const from = order.indexOf(video.video_id);
    if (to < 0 || to >= order.length || from === to) return;
    order.splice(from, 1);
    order.splice(to, 0, video.video_id);
    queryClient.setQueryData<BatchJobDetail>(batchKey(batchJobId), {
      ...batch,
      videos: batch.videos.map((v) => ({ ...v, position: order.indexOf(v.video_id) + 1 })),
    });
    void run(() => reorderBatchVideos(batchJobId, order), "Order saved");
  };

  const onVideoAction = (action: VideoAction, video: BatchVideo) => {
    if (action === "retry") void run(() => retryFailedVideos(batchJobId, [video.video_id]), `Retrying ${video.original_name}`);
    if (action === "remove") void run(() => removeBatchVideo(batchJobId, video.video_id), `Removed ${video.original_name}`);
    if (action === "view-error") setErrorOf(video);
    if (action === "upload") files.chooseFor(video);
    if ((action === "download" || action === "view") && video.output_video_url) window.open(video.output_video_url, "_blank", "noopener");
  };

  return (
    <div className="grid gap-4">
      {actions.dialog}
      {files.inputs}
      {(error || offline) && (
        // The page keeps what it loaded; polling goes on and clears this once the API answers again.
        <Alert role="status" className="border-amber-300 bg-amber-50">
          <AlertTitle>Connection lost</AlertTitle>
          <AlertDescription className="flex flex-wrap items-center gap-2">
            Showing the batch as it was last loaded ({offline ? "you are offline" : (error as Error).message}).
            <Button size="sm" variant="outline" disabled={isFetching} onClick={() => void refetch()}>
              <RotateCcw aria-hidden /> Retry now
            </Button>
          </AlertDescription>
        </Alert>
      )}
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="grid min-w-0 gap-1">
          <div className="flex flex-wrap items-center gap-2">
            <h1 className="truncate text-2xl font-bold">{batch.name}</h1>
            <StatusBadge status={batch.status} />
          </div>
          {batch.description && <p className="text-muted-foreground">{batch.description}</p>}
        </div>
        <div className="flex flex-wrap gap-2">
          {actionsFor(batch).map((action) => {
            const look = ACTION_BUTTON[action]!;
            return (
              <Button
                key={action}
                variant={look.variant}
                onClick={() => actions.request(action, batch, () => action === "delete" && onDeleted?.())}
              >
                {look.icon} {look.label}
              </Button>
            );
          })}
          {batch.status === "pending" && <EditBatchDetails batch={batch} />}
          {batch.status === "pending" && (
            <Button variant="outline" onClick={files.chooseNew} disabled={files.busy}>
              <Plus aria-hidden /> Add videos
            </Button>
          )}
          {batch.status === "completed" && (
            <Button onClick={() => setExportOpen(true)}>
              <Download aria-hidden /> Export
            </Button>
          )}
        </div>
      </header>

      {files.status && (
        <p role="status" className="text-sm">
          {files.status}
        </p>
      )}

      <section aria-label="Statistics" className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label="Total videos" value={batch.total_videos} icon={<Film aria-hidden />} />
        <Stat label="Completed" value={batch.completed_videos} icon={<CheckCircle2 aria-hidden className="text-green-700" />} />
        <Stat label="Failed" value={batch.failed_videos} icon={<XCircle aria-hidden className="text-red-700" />} />
        <Stat label="Pending" value={pending} icon={<Clock aria-hidden className="text-slate-600" />} />
      </section>

      <Card>
        <CardContent className="grid gap-2 p-4 sm:p-4">
          <div className="flex items-center justify-between text-sm">
            <span className="font-medium">Progress</span>
            <span className="tabular-nums">{livePercent(batch)}%</span>
          </div>
          <Progress value={livePercent(batch)} className="h-3" aria-label="Batch progress" />
          <dl className="grid grid-cols-1 gap-1 text-sm sm:grid-cols-3">
            <div>
              <dt className="inline text-muted-foreground">Created: </dt>
              <dd className="inline">{formatTime(batch.created_at)}</dd>
            </div>
            <div>
              <dt className="inline text-muted-foreground">Started: </dt>
              <dd className="inline">{formatTime(batch.started_at)}</dd>
            </div>
            <div>
              <dt className="inline text-muted-foreground">{batch.completed_at ? "Finished: " : "Remaining: "}</dt>
              <dd className="inline">{batch.completed_at ? formatTime(batch.completed_at) : formatEta(batch.estimated_time_remaining)}</dd>
            </div>
          </dl>
        </CardContent>
      </Card>

      {batch.status !== "pending" && <ProgressPanelView live={live} embedded />}

      <BatchCost batch={batch} />

      <Collapsible>
        <Card>
          <CardHeader className="p-4 sm:p-4">
            <CollapsibleTrigger className="flex items-center justify-between rounded-sm text-left focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
              <CardTitle className="text-base">Settings</CardTitle>
              <ChevronDown aria-hidden className="size-4" />
            </CollapsibleTrigger>
          </CardHeader>
          <CollapsibleContent>
            <CardContent className="p-4 pt-0 sm:p-4 sm:pt-0">
              <ul className="list-disc pl-5 text-sm">
                {describeSettings(withDefaults(batch.settings)).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </CardContent>
          </CollapsibleContent>
        </Card>
      </Collapsible>

      {failures.length > 0 && (
        <div className="grid gap-2">
          {failures.map((video) => (
            <Alert key={video.id} variant="destructive">
              <AlertTitle>
                #{video.position} {video.original_name} failed
              </AlertTitle>
              <AlertDescription>
                {video.error_message ?? "No reason given"} <HelpLink message={video.error_message} />
              </AlertDescription>
            </Alert>
          ))}
        </div>
      )}

      <section aria-label="Videos" className="grid gap-2">
        <div className="flex flex-wrap items-end justify-between gap-2">
          <h2 className="text-lg font-semibold">Videos</h2>
          <div className="flex flex-wrap items-end gap-2">
            {chosen.some((v) => v.status === "failed") && (
              <Button
                size="sm"
                variant="outline"
                onClick={() =>
                  void run(() => retryFailedVideos(batchJobId, chosen.filter((v) => v.status === "failed").map((v) => v.video_id)), "Retrying selected videos").then(() => setSelected(new Set()))
                }
              >
                <RotateCcw aria-hidden /> Retry selected
              </Button>
            )}
            {chosen.some((v) => v.status === "pending") && (
              <Button
                size="sm"
                variant="outline"
                onClick={() =>
                  void run(async () => {
                    for (const v of chosen.filter((c) => c.status === "pending")) await removeBatchVideo(batchJobId, v.video_id);
                  }, "Removed selected videos").then(() => setSelected(new Set()))
                }
              >
                <Trash2 aria-hidden /> Remove selected
              </Button>
            )}
            <div className="grid gap-1">
              <Label htmlFor="video-sort">Sort videos</Label>
              <Select id="video-sort" value={sort} onChange={(e) => setSort(e.target.value as VideoSort)}>
                <option value="position">Position</option>
                <option value="status">Status</option>
                <option value="progress">Progress</option>
              </Select>
            </div>
          </div>
        </div>
        <Table cards aria-label="Videos of this batch">
          <TableHeader>
            <TableRow>
              <TableHead>#</TableHead>
              <TableHead className="hidden sm:table-cell">
                <span className="sr-only">Thumbnail</span>
              </TableHead>
              <TableHead>Video</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Progress</TableHead>
              <TableHead className="hidden md:table-cell">Stage</TableHead>
              <TableHead className="hidden sm:table-cell">Duration</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {videos.map((video) => (
              <BatchVideoRow
                key={video.id}
                batchVideo={video}
                onAction={onVideoAction}
                selectable
                selected={selected.has(video.video_id)}
                onSelect={(v, on) =>
                  setSelected((current) => {
                    const next = new Set(current);
                    if (on) next.add(v.video_id);
                    else next.delete(v.video_id);
                    return next;
                  })
                }
                onMove={reorderable && sort === "position" ? (v, direction) => move(v, v.position - 1 + direction) : undefined}
                onDropOn={
                  reorderable && sort === "position"
                    ? (dragged, target) => {
                        const video = batch.videos.find((v) => v.video_id === dragged);
                        if (video) move(video, target.position - 1);
                      }
                    : undefined
                }
              />
            ))}
          </TableBody>
        </Table>
      </section>

      {batch.status === "completed" && (
        <section aria-label="Exports" className="grid gap-2">
          <div className="flex items-center justify-between">
            <h2 className="text-lg font-semibold">Exports</h2>
            <Button variant="outline" onClick={() => setExportOpen(true)}>
              <Download aria-hidden /> Export all
            </Button>
          </div>
          <ExportHistory batchId={batch.id} exports={exports.data ?? []} />
        </section>
      )}

      {exportOpen && <BatchExportDialog batch={batch} isOpen={exportOpen} onClose={() => setExportOpen(false)} />}

      <Dialog open={Boolean(errorOf)} onOpenChange={(open) => !open && setErrorOf(null)}>
        <DialogContent className="max-w-lg">
          <DialogHeader>
            <DialogTitle>{errorOf?.original_name} failed</DialogTitle>
            <DialogDescription>
              Attempt {(errorOf?.retry_count ?? 0) + 1} of {(errorOf?.max_retries ?? 0) + 1}
            </DialogDescription>
          </DialogHeader>
          <pre className="whitespace-pre-wrap rounded-md bg-muted p-3 text-sm">{errorOf?.error_message}</pre>
          <HelpLink message={errorOf?.error_message} />
        </DialogContent>
      </Dialog>
    </div>
  );
}

function Stat({ label, value, icon }: { label: string; value: number; icon: React.ReactNode }) {
  return (
    <Card>
      <CardContent className="flex items-center justify-between p-4 sm:p-4">
        <div>
          <p className="text-sm text-muted-foreground">{label}</p>
          <p className="text-2xl font-bold tabular-nums" aria-label={`${label}: ${value}`}>
            {value}
          </p>
        </div>
        <span className="[&_svg]:size-6">{icon}</span>
      </CardContent>
    </Card>
  );
}
