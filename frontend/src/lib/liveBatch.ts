/** Folds progress events into the batch the UI shows: one pure function, tested on its own. */
import type { BatchJobDetail, BatchSocketMessage, BatchVideo, ProgressEvent } from "@/types/batch";

const VIDEO_STATUS: Partial<Record<ProgressEvent["type"], BatchVideo["status"]>> = {
  video_started: "processing",
  video_progress: "processing",
  video_completed: "completed",
  video_failed: "failed",
  video_cancelled: "cancelled",
};

const BATCH_STATUS: Partial<Record<ProgressEvent["type"], BatchJobDetail["status"]>> = {
  batch_paused: "paused",
  batch_resumed: "processing",
  batch_queued: "queued",
  batch_completed: "completed",
  batch_failed: "failed",
  batch_cancelled: "cancelled",
};

export function applyMessage(batch: BatchJobDetail, message: BatchSocketMessage): BatchJobDetail {
  if (message.type === "batch_snapshot") return message.batch;
  const event = message;
  let next: BatchJobDetail = { ...batch };
  const videoStatus = VIDEO_STATUS[event.type];
  if (videoStatus && event.video_id) {
    next.videos = batch.videos.map((video) => {
      if (video.video_id !== event.video_id && video.id !== event.video_id) return video;
      return {
        ...video,
        status: videoStatus,
        progress_percentage: videoStatus === "completed" ? 100 : (event.progress ?? video.progress_percentage),
        current_stage: videoStatus === "processing" ? (event.current_stage ?? video.current_stage) : null,
        error_message: videoStatus === "failed" ? (event.error_message ?? event.message ?? null) : video.error_message,
        retry_count: event.retry_count ?? video.retry_count,
      };
    });
    if (batch.status === "pending" || batch.status === "queued") next.status = "processing";
  }
  if (event.type === "batch_progress") {
    next = {
      ...next,
      progress_percentage: event.progress ?? next.progress_percentage,
      completed_videos: event.completed_videos ?? next.completed_videos,
      failed_videos: event.failed_videos ?? next.failed_videos,
      estimated_time_remaining: event.estimated_time_remaining ?? next.estimated_time_remaining,
    };
  }
  const batchStatus = BATCH_STATUS[event.type];
  if (batchStatus) next.status = batchStatus;
  return next;
}

export function currentVideo(batch: BatchJobDetail): BatchVideo | undefined {
  return batch.videos.find((video) => video.status === "processing");
}

/** Human line for the activity log, e.g. "Video 1: transcribing (40 %)". */
export function describeEvent(event: ProgressEvent, batch?: BatchJobDetail): string {
  const video = batch?.videos.find((v) => v.video_id === event.video_id || v.id === event.video_id);
  const who = video ? `Video ${video.position} (${video.original_name})` : "Batch";
  if (event.message) return `${who}: ${event.message}`;
  const stage = event.current_stage?.replace(/_/g, " ");
  switch (event.type) {
    case "video_started":
      return `${who}: started`;
    case "video_progress":
      return `${who}: ${stage ?? "processing"} (${event.progress ?? 0} %)`;
    case "video_completed":
      return `${who}: completed`;
    case "video_failed":
      return `${who}: failed${event.error_message ? ` — ${event.error_message}` : ""}`;
    case "video_cancelled":
      return `${who}: cancelled`;
    case "batch_progress":
      return `Batch: ${event.progress ?? 0} % done`;
    default:
      return `Batch ${event.type.replace("batch_", "")}`;
  }
}
