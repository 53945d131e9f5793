import type { BatchJob } from "@/types/batch";

type Counts = Pick<
  BatchJob,
  "name" | "total_videos" | "completed_videos" | "failed_videos" | "cancelled_videos" | "progress_percentage"
>;

export interface Segment {
  kind: "completed" | "failed" | "cancelled" | "running";
  percent: number;
}

const COLOR: Record<Segment["kind"], string> = {
  completed: "bg-green-600",
  failed: "bg-red-600",
  cancelled: "bg-gray-400",
  running: "bg-primary",
};

/** The bar's parts, in percent of the batch: finished videos by outcome, then the work of running ones. */
export function outcomeSegments(batch: Counts): Segment[] {
  const total = Math.max(batch.total_videos, 1);
  const share = (count: number) => (Math.max(count, 0) / total) * 100;
  const finished: Segment[] = [
    { kind: "completed", percent: share(batch.completed_videos) },
    { kind: "failed", percent: share(batch.failed_videos) },
    { kind: "cancelled", percent: share(batch.cancelled_videos) },
  ];
  const done = share(batch.completed_videos + batch.failed_videos + batch.cancelled_videos);
  const running = Math.max(0, Math.min(100, batch.progress_percentage) - done);
  return [...finished, { kind: "running" as const, percent: running }].filter((s) => s.percent > 0);
}

/** What the bar says in words: its accessible value text and the list's counts. */
export function outcomeText(batch: Counts): string {
  const parts = [`${batch.completed_videos} completed`];
  if (batch.failed_videos) parts.push(`${batch.failed_videos} failed`);
  if (batch.cancelled_videos) parts.push(`${batch.cancelled_videos} cancelled`);
  return `${parts.join(", ")} of ${batch.total_videos}`;
}

/** A progress bar that shows failed (red) and cancelled (grey) videos beside completed (green) ones, so a
 * batch with failures never reads as a full, all-good bar. */
export function OutcomeBar({ batch, className }: { batch: Counts; className?: string }) {
  const value = Math.max(0, Math.min(100, batch.progress_percentage));
  return (
    <div
      role="progressbar"
      aria-label={`${batch.name} progress`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={value}
      aria-valuetext={`${value}%: ${outcomeText(batch)}`}
      className={`flex h-2 overflow-hidden rounded-full bg-muted ${className ?? ""}`}
    >
      {outcomeSegments(batch).map((segment) => (
        <div
          key={segment.kind}
          data-segment={segment.kind}
          className={`h-full ${COLOR[segment.kind]}`}
          style={{ width: `${segment.percent}%` }}
        />
      ))}
    </div>
  );
}
