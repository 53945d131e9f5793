import { CheckCircle2, ChevronDown, ChevronUp, Pause, Play, WifiOff } from "lucide-react";
import * as React from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { Skeleton } from "@/components/ui/skeleton";
import { useToast } from "@/components/ui/toast";
import { useBatchActions } from "@/hooks/useBatchActions";
import { useBatchLive } from "@/hooks/useBatchLive";
import { livePercent, runningVideos } from "@/lib/liveBatch";
import { formatEta } from "@/lib/utils";
import type { BatchJobDetail, ProgressEvent } from "@/types/batch";
import { TERMINAL_STATUSES } from "@/types/batch";
import { thumbnailOf } from "./BatchVideoRow";
import { STAGE_LABEL, StatusBadge } from "./status";

export interface BatchProgressPanelProps {
  batchJobId: string;
  compact?: boolean;
  onComplete?: (batch: BatchJobDetail) => void;
  onOpen?: (batchJobId: string) => void;
}

/** The batch, live, with a toast for each video that finishes or fails and for the batch's end. */
export function useLiveBatchWithToasts(batchJobId: string, onComplete?: (batch: BatchJobDetail) => void) {
  const toast = useToast();
  const onEvent = React.useCallback(
    (event: ProgressEvent, batch: BatchJobDetail) => {
      const video = batch.videos.find((v) => v.video_id === event.video_id);
      if (event.type === "video_completed" && video) toast({ title: `${video.original_name} is ready`, variant: "success" });
      if (event.type === "video_failed" && video)
        toast({ title: `${video.original_name} failed`, description: event.error_message ?? undefined, variant: "destructive" });
      if (event.type === "batch_completed") {
        toast({ title: `${batch.name} finished`, variant: "success" });
        onComplete?.(batch);
      }
    },
    [toast, onComplete],
  );
  return useBatchLive(batchJobId, onEvent);
}

export function BatchProgressPanel({ batchJobId, compact = false, onComplete, onOpen }: BatchProgressPanelProps) {
  const live = useLiveBatchWithToasts(batchJobId, onComplete);
  return <ProgressPanelView live={live} compact={compact} onOpen={onOpen} />;
}

/** The live panel itself, for a batch someone else already follows (the details page). */
export function ProgressPanelView({
  live,
  compact = false,
  onOpen,
  embedded = false,
}: {
  live: Pick<ReturnType<typeof useBatchLive>, "batch" | "connected" | "activity">;
  compact?: boolean;
  onOpen?: (batchJobId: string) => void;
  /** Inside the batch's own page: titled "Live progress", its controls left to the page's header. */
  embedded?: boolean;
}) {
  const [expanded, setExpanded] = React.useState(!compact);
  const actions = useBatchActions();
  const { batch, connected, activity } = live;

  if (!batch) {
    return (
      <Card aria-busy="true">
        <CardContent className="grid gap-2 p-4 sm:p-4">
          <Skeleton className="h-5 w-1/2" />
          <Skeleton className="h-2 w-full" />
        </CardContent>
      </Card>
    );
  }
  const done = batch.completed_videos + batch.failed_videos + batch.cancelled_videos;
  const running = runningVideos(batch);
  const percent = livePercent(batch);
  const finished = TERMINAL_STATUSES.includes(batch.status);
  const finishing = batch.status === "paused" && running.length > 0;
  const upNext = batch.videos
    .filter((v) => v.status === "pending")
    .sort((a, b) => a.position - b.position)
    .slice(0, 5);
  const recent = batch.videos
    .filter((v) => v.status === "completed")
    .sort((a, b) => (b.completed_at ?? "").localeCompare(a.completed_at ?? ""))
    .slice(0, 5);

  return (
    <Card aria-label={`Progress of ${batch.name}`} role="region">
      <CardHeader className="flex-row flex-wrap items-center justify-between gap-2 space-y-0 p-4 sm:p-4">
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <CardTitle className="truncate text-base">
            {embedded ? (
              "Live progress"
            ) : onOpen ? (
              <button type="button" className="truncate rounded-sm hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring" onClick={() => onOpen(batch.id)}>
                {batch.name}
              </button>
            ) : (
              batch.name
            )}
          </CardTitle>
          {!embedded && <StatusBadge status={batch.status} />}
          {!connected && !TERMINAL_STATUSES.includes(batch.status) && (
            <Badge variant="yellow" role="status">
              <WifiOff aria-hidden /> Disconnected
            </Badge>
          )}
        </div>
        <div className="flex gap-1">
          {!embedded && (batch.status === "processing" || batch.status === "queued") && (
            <Button size="sm" variant="outline" onClick={() => actions.mutate({ action: "pause", id: batch.id })}>
              <Pause aria-hidden /> Pause
            </Button>
          )}
          {!embedded && batch.status === "paused" && (
            <Button size="sm" variant="outline" onClick={() => actions.mutate({ action: "resume", id: batch.id })}>
              <Play aria-hidden /> Resume
            </Button>
          )}
          {compact && (
            <Button
              size="icon"
              variant="ghost"
              aria-expanded={expanded}
              aria-label={expanded ? "Show less" : "Show details"}
              onClick={() => setExpanded((e) => !e)}
            >
              {expanded ? <ChevronUp aria-hidden /> : <ChevronDown aria-hidden />}
            </Button>
          )}
        </div>
      </CardHeader>
      <CardContent className="grid gap-3 p-4 pt-0 sm:p-4 sm:pt-0">
        <div className="grid gap-1">
          <Progress value={percent} aria-label={`${batch.name} overall progress`} />
          <div className="flex flex-wrap justify-between gap-2 text-sm text-muted-foreground">
            <span>
              {batch.completed_videos} of {batch.total_videos} videos completed
              {batch.failed_videos > 0 && `, ${batch.failed_videos} failed`}
              {batch.cancelled_videos > 0 && `, ${batch.cancelled_videos} cancelled`}
            </span>
            <span>
              {percent}% ·{" "}
              {finished || done >= batch.total_videos
                ? "Finished"
                : finishing
                  ? "Finishing the current videos, then pausing"
                  : `about ${formatEta(batch.estimated_time_remaining)} left`}
            </span>
          </div>
        </div>
        {expanded && (
          <>
            {running.length > 0 && (
              <section aria-label={running.length > 1 ? "Current videos" : "Current video"} className="grid gap-2">
                {running.map((video) => (
                  <div key={video.id} className="flex items-center gap-3 rounded-md border border-border p-3">
                    {thumbnailOf(video) && <img src={thumbnailOf(video)} alt="" className="h-10 w-16 rounded object-cover" />}
                    <div className="grid min-w-0 flex-1 gap-1">
                      <p className="truncate text-sm font-medium">{video.original_name}</p>
                      <p className="text-xs text-muted-foreground">
                        {video.current_stage ? `${STAGE_LABEL[video.current_stage]}…` : "Starting…"}
                      </p>
                      <Progress value={video.progress_percentage} aria-label={`${video.original_name} stage progress`} />
                    </div>
                  </div>
                ))}
              </section>
            )}
            <div className="grid gap-3 md:grid-cols-2">
              <section aria-label="Up next">
                <h4 className="mb-1 text-sm font-semibold">Up next</h4>
                {upNext.length === 0 ? (
                  <p className="text-sm text-muted-foreground">Nothing waiting.</p>
                ) : (
                  <ol className="text-sm">
                    {upNext.map((v) => (
                      <li key={v.id} className="truncate">
                        #{v.position} {v.original_name}
                      </li>
                    ))}
                  </ol>
                )}
              </section>
              <section aria-label="Recently completed">
                <h4 className="mb-1 text-sm font-semibold">Recently completed</h4>
                {recent.length === 0 ? (
                  <p className="text-sm text-muted-foreground">None yet.</p>
                ) : (
                  <ul className="text-sm">
                    {recent.map((v) => (
                      <li key={v.id} className="flex items-center gap-1 truncate">
                        <CheckCircle2 aria-hidden className="size-4 text-green-700" /> #{v.position} {v.original_name}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </div>
            <section aria-label="Activity">
              <h4 className="mb-1 text-sm font-semibold">Activity</h4>
              {/* Stage changes only, so a screen reader hears a few lines, not every percent. */}
              <ol className="max-h-48 overflow-y-auto text-sm" aria-live="polite" aria-relevant="additions" tabIndex={0}>
                {activity.length === 0 && <li className="text-muted-foreground">No events yet.</li>}
                {activity.map((entry) => (
                  <li key={entry.sequence} className="flex gap-2">
                    <time className="shrink-0 tabular-nums text-muted-foreground" dateTime={entry.at}>
                      {new Date(entry.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })}
                    </time>
                    <span>{entry.text}</span>
                  </li>
                ))}
              </ol>
            </section>
          </>
        )}
      </CardContent>
    </Card>
  );
}
