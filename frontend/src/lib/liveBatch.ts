/** Folds progress events into the batch the UI shows: one pure function, tested on its own. */
import type { BatchJobDetail, BatchSocketMessage, BatchVideo, ProgressEvent, SnapshotEvent } from "@/types/batch";

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

/** The snapshot (first message of a subscription, or GET …/progress) laid over the batch we hold. */
export function applySnapshot(batch: BatchJobDetail, snapshot: SnapshotEvent): BatchJobDetail {
  const states = new Map((snapshot.videos ?? []).map((state) => [state.video_id, state]));
  return {
    ...batch,
    status: snapshot.status,
    progress_percentage: snapshot.progress,
    total_videos: snapshot.total_videos,
    completed_videos: snapshot.completed_videos,
    failed_videos: snapshot.failed_videos,
    cancelled_videos: snapshot.cancelled_videos,
    estimated_time_remaining: snapshot.estimated_time_remaining ?? batch.estimated_time_remaining,
    videos: batch.videos.map((video) => {
      const state = states.get(video.video_id);
      if (!state) return video;
      return {
        ...video,
        status: state.status,
        progress_percentage: state.progress,
        current_stage: state.current_stage ?? null,
        error_message: state.error_message ?? null,
        retry_count: state.retry_count,
      };
    }),
  };
}

export function applyMessage(batch: BatchJobDetail, message: BatchSocketMessage): BatchJobDetail {
  if (message.type === "batch_snapshot") return applySnapshot(batch, message);
  const event = message;
  let next: BatchJobDetail = { ...batch };
  const videoStatus = VIDEO_STATUS[event.type];
  if (videoStatus && event.video_id) {
    next.videos = batch.videos.map((video) => {
      if (video.video_id !== event.video_id && video.id !== event.video_id) return video;
      return {
        ...video,
        status: videoStatus,
        progress_percentage: videoStatus === "completed" ? 100 : event.progress,
        current_stage: videoStatus === "processing" ? (event.current_stage ?? video.current_stage) : null,
        error_message: event.type === "video_failed" ? event.error_message || event.message : video.error_message,
        retry_count: "retry_count" in event ? event.retry_count : video.retry_count,
      };
    });
    if (batch.status === "pending" || batch.status === "queued") next.status = "processing";
  }
  if ("total_videos" in event) {
    // Every batch_* event carries the batch's counts and percentage.
    next = {
      ...next,
      progress_percentage: event.progress,
      completed_videos: event.completed_videos,
      failed_videos: event.failed_videos,
      cancelled_videos: event.cancelled_videos,
      estimated_time_remaining:
        event.type === "batch_progress" ? (event.estimated_time_remaining ?? null) : next.estimated_time_remaining,
    };
  }
  const batchStatus = BATCH_STATUS[event.type];
  if (batchStatus) next.status = batchStatus;
  return next;
}

/**
 * Events carry states, not URLs: after a video completes, take its freshly signed output and artifact
 * URLs (poster, thumbnail, captions…) and its result from the server's record, and keep every live state.
 */
export function withFreshUrls(batch: BatchJobDetail, fresh: BatchJobDetail, videoId: string): BatchJobDetail {
  const source = fresh.videos.find((v) => v.video_id === videoId);
  if (!source) return batch;
  return {
    ...batch,
    videos: batch.videos.map((video) =>
      video.video_id === videoId
        ? { ...video, artifacts: source.artifacts, output_video_url: source.output_video_url, processing_result: source.processing_result }
        : video,
    ),
  };
}

export function currentVideo(batch: BatchJobDetail): BatchVideo | undefined {
  return batch.videos.find((video) => video.status === "processing");
}

/** Every video being processed now, in position order (a batch runs several at once). */
export function runningVideos(batch: BatchJobDetail): BatchVideo[] {
  return batch.videos.filter((video) => video.status === "processing").sort((a, b) => a.position - b.position);
}

/** The batch's progress counting how far the running videos are (the API's figure counts finished ones). */
export function livePercent(batch: BatchJobDetail): number {
  const total = batch.videos.length || batch.total_videos;
  if (!total) return batch.progress_percentage;
  const finished = new Set<BatchVideo["status"]>(["completed", "failed", "cancelled"]);
  const points = batch.videos.reduce(
    (sum, video) => sum + (finished.has(video.status) ? 100 : video.status === "processing" ? video.progress_percentage : 0),
    0,
  );
  return Math.max(batch.progress_percentage, Math.min(100, Math.floor(points / total)));
}

export const STAGE_NAME: Record<NonNullable<BatchVideo["current_stage"]>, string> = {
  uploading: "uploading",
  transcribing: "transcribing the speech",
  removing_silence: "removing silences",
  detecting_highlights: "finding highlights",
  exporting: "rendering the video",
};

/** Whether an event belongs in the activity log: a video's changes of stage and state, a batch's
 * changes of state; not every percent (`lastStage` holds the stage last logged for each video). */
export function worthLogging(event: ProgressEvent, lastStage: Map<string, string | null>): boolean {
  if (event.type === "batch_progress") return false;
  if (event.type !== "video_progress") return true;
  const key = event.video_id ?? "";
  const stage = event.current_stage ?? null;
  if (lastStage.has(key) && lastStage.get(key) === stage) return false;
  lastStage.set(key, stage);
  return true;
}

/** Human line for the activity log, e.g. "Video 1: transcribing (40 %)". */
export function describeEvent(event: ProgressEvent, batch?: BatchJobDetail): string {
  const video = batch?.videos.find((v) => v.video_id === event.video_id || v.id === event.video_id);
  const who = video ? `Video ${video.position} (${video.original_name})` : "Batch";
  const stage = event.current_stage ? STAGE_NAME[event.current_stage] : undefined;
  // The log keeps stage changes only, so a stage is named in words, not by the server's "<stage> <n>%".
  if (event.type === "video_progress" && stage) return `${who}: ${stage}`;
  if (event.message) return `${who}: ${event.message}`;
  switch (event.type) {
    case "video_started":
      return `${who}: started${stage ? `, ${stage}` : ""}`;
    case "video_progress":
      return `${who}: ${stage ?? "processing"}`;
    case "video_completed":
      return `${who}: completed`;
    case "video_failed":
      return `${who}: failed${event.error_message ? ` — ${event.error_message}` : ""}`;
    case "video_cancelled":
      return `${who}: cancelled`;
    case "batch_progress":
      return `Batch: ${event.progress} % done`;
    case "batch_completed":
      return "Batch: finished";
    default:
      return `Batch ${event.type.replace("batch_", "")}`;
  }
}

/** Videos a batch may hold for the safety-net poll to keep its base interval. A batch's detail costs what
 * it holds (a 1,000-video archive import read in 2.6 s in local mode, links minted for every output), so
 * a bigger batch is polled less often: its events keep the page current meanwhile. */
export const POLL_VIDEOS_AT_BASE = 50;

export function safetyPollMs(baseMs: number, totalVideos: number): number {
  return baseMs * Math.max(1, Math.ceil(totalVideos / POLL_VIDEOS_AT_BASE));
}
