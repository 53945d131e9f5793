/** WebSocket messages in the shapes of docs/openapi.json's ProgressEvent components, for component tests. */
import type { BatchJobDetail, BatchVideo, ProgressEvent, SnapshotEvent } from "@/types/batch";

type VideoEventType = Extract<ProgressEvent, { name: string }>["type"];
type BatchEventType = Exclude<ProgressEvent["type"], VideoEventType>;
const at = "2026-01-01T00:00:00Z";

export function videoEvent(
  type: VideoEventType,
  batch: Pick<BatchJobDetail, "id">,
  video: Pick<BatchVideo, "video_id" | "position" | "original_name">,
  sequence: number,
  extra: Record<string, unknown> = {},
): ProgressEvent {
  const base = { batch_id: batch.id, video_id: video.video_id, position: video.position, name: video.original_name };
  return {
    ...base, type, progress: type === "video_completed" ? 100 : 0, message: "", timestamp: at, sequence,
    retry_count: 0, error_message: "", ...extra,
  } as ProgressEvent;
}

export function batchEvent(
  type: BatchEventType,
  batch: Pick<BatchJobDetail, "id" | "status" | "total_videos" | "completed_videos" | "failed_videos" | "cancelled_videos" | "progress_percentage">,
  sequence: number,
  extra: Record<string, unknown> = {},
): ProgressEvent {
  return {
    type, batch_id: batch.id, progress: batch.progress_percentage, status: batch.status, message: "", timestamp: at, sequence,
    total_videos: batch.total_videos, completed_videos: batch.completed_videos, failed_videos: batch.failed_videos,
    cancelled_videos: batch.cancelled_videos, ...extra,
  } as ProgressEvent;
}

export function snapshotOf(batch: BatchJobDetail, sequence: number): SnapshotEvent {
  return {
    type: "batch_snapshot", batch_id: batch.id, name: batch.name, status: batch.status, progress: batch.progress_percentage,
    message: "", timestamp: at, sequence, total_videos: batch.total_videos, completed_videos: batch.completed_videos,
    failed_videos: batch.failed_videos, cancelled_videos: batch.cancelled_videos, videos_truncated: false,
    videos: batch.videos.map((v) => ({
      video_id: v.video_id, position: v.position, name: v.original_name, status: v.status, progress: v.progress_percentage,
      current_stage: v.current_stage, error_message: v.error_message, retry_count: v.retry_count,
    })),
  };
}
