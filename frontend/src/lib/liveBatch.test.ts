import { makeDetail, makeVideo } from "@/test/fixtures";
import type { SnapshotEvent } from "@/types/batch";
import { applyMessage, currentVideo, describeEvent, safetyPollMs } from "./liveBatch";

const at = "2026-01-01T00:00:00Z";
const counts = { total_videos: 2, completed_videos: 0, failed_videos: 0, cancelled_videos: 0 };

test("events (the document's ProgressEvent shapes) move videos and the batch through their states", () => {
  const videos = [makeVideo({ position: 1 }), makeVideo({ position: 2 })];
  let batch = makeDetail({ status: "pending" }, videos);
  const v1 = videos[0]!.video_id;
  const video = { batch_id: batch.id, video_id: v1, position: 1, name: videos[0]!.original_name, message: "", timestamp: at };
  batch = applyMessage(batch, { ...video, type: "video_progress", progress: 40, current_stage: "transcribing", sequence: 1 });
  expect(batch.status).toBe("processing");
  expect(currentVideo(batch)).toMatchObject({ video_id: v1, progress_percentage: 40, current_stage: "transcribing" });
  const failed = { ...video, type: "video_failed", progress: 40, error_message: "corrupt", retry_count: 1, sequence: 2 } as const;
  batch = applyMessage(batch, failed);
  expect(batch.videos[0]).toMatchObject({ status: "failed", error_message: "corrupt", retry_count: 1, current_stage: null });
  batch = applyMessage(batch, {
    type: "batch_progress", batch_id: batch.id, progress: 50, status: "processing", ...counts, failed_videos: 1,
    estimated_time_remaining: 30, message: "", timestamp: at, sequence: 3,
  });
  expect(batch).toMatchObject({ progress_percentage: 50, failed_videos: 1, estimated_time_remaining: 30 });
  batch = applyMessage(batch, { type: "batch_paused", batch_id: batch.id, progress: 50, status: "paused", ...counts, failed_videos: 1, message: "", timestamp: at, sequence: 4 });
  expect(batch.status).toBe("paused");
  expect(describeEvent(failed, batch)).toBe(`Video 1 (${videos[0]!.original_name}): failed — corrupt`);
});

test("the activity log names a stage in words, not by the server's raw stage and percent", () => {
  const videos = [makeVideo({ position: 1 })];
  const batch = makeDetail({ status: "processing" }, videos);
  const event = {
    type: "video_progress", batch_id: batch.id, video_id: videos[0]!.video_id, position: 1, name: videos[0]!.original_name,
    progress: 5, current_stage: "removing_silence", message: "removing_silence 5%", timestamp: at, sequence: 1,
  } as const;
  expect(describeEvent(event, batch)).toBe(`Video 1 (${videos[0]!.original_name}): removing silences`);
  expect(describeEvent({ ...event, current_stage: null }, batch)).toBe(`Video 1 (${videos[0]!.original_name}): removing_silence 5%`);
});

test("a snapshot lays the server's states over the batch held, keeping what it does not carry", () => {
  const videos = [makeVideo({ position: 1, output_video_url: "http://s3/1.mp4" }), makeVideo({ position: 2 })];
  const batch = makeDetail({ status: "processing" }, videos);
  const snapshot: SnapshotEvent = {
    type: "batch_snapshot", batch_id: batch.id, name: batch.name, status: "completed", progress: 100, message: "",
    timestamp: at, sequence: 9, total_videos: 2, completed_videos: 1, failed_videos: 1, cancelled_videos: 0, videos_truncated: false,
    videos: [
      { video_id: videos[0]!.video_id, position: 1, name: "a", status: "completed", progress: 100, retry_count: 0 },
      { video_id: videos[1]!.video_id, position: 2, name: "b", status: "failed", progress: 30, error_message: "bad", retry_count: 3 },
    ],
  };
  const next = applyMessage(batch, snapshot);
  expect(next).toMatchObject({ status: "completed", progress_percentage: 100, completed_videos: 1, failed_videos: 1 });
  expect(next.videos[0]).toMatchObject({ status: "completed", output_video_url: "http://s3/1.mp4" });
  expect(next.videos[1]).toMatchObject({ status: "failed", error_message: "bad", retry_count: 3 });
});

test("the safety-net poll keeps its interval up to 50 videos and slows with a bigger batch's detail", () => {
  expect(safetyPollMs(5000, 3)).toBe(5000);
  expect(safetyPollMs(5000, 50)).toBe(5000);
  expect(safetyPollMs(5000, 51)).toBe(10000);
  expect(safetyPollMs(2000, 1000)).toBe(40000); // an archive import's detail, read every 40 s while offline
  expect(safetyPollMs(5000, 0)).toBe(5000);
});
