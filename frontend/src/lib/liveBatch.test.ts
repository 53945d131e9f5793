import { makeDetail, makeVideo } from "@/test/fixtures";
import { applyMessage, currentVideo, describeEvent } from "./liveBatch";

const at = "2026-01-01T00:00:00Z";

test("events move videos and the batch through their states", () => {
  const videos = [makeVideo({ position: 1 }), makeVideo({ position: 2 })];
  let batch = makeDetail({ status: "pending" }, videos);
  const v1 = videos[0]!.video_id;
  batch = applyMessage(batch, { type: "video_progress", batch_id: batch.id, video_id: v1, progress: 40, current_stage: "transcribing", timestamp: at, sequence: 1 });
  expect(batch.status).toBe("processing");
  expect(currentVideo(batch)).toMatchObject({ video_id: v1, progress_percentage: 40, current_stage: "transcribing" });
  batch = applyMessage(batch, { type: "video_failed", batch_id: batch.id, video_id: v1, error_message: "corrupt", retry_count: 1, timestamp: at, sequence: 2 });
  expect(batch.videos[0]).toMatchObject({ status: "failed", error_message: "corrupt", retry_count: 1, current_stage: null });
  batch = applyMessage(batch, { type: "batch_progress", batch_id: batch.id, progress: 50, failed_videos: 1, estimated_time_remaining: 30, timestamp: at, sequence: 3 });
  expect(batch).toMatchObject({ progress_percentage: 50, failed_videos: 1, estimated_time_remaining: 30 });
  batch = applyMessage(batch, { type: "batch_paused", batch_id: batch.id, timestamp: at, sequence: 4 });
  expect(batch.status).toBe("paused");
  const snapshot = makeDetail({ id: batch.id, status: "completed" });
  expect(applyMessage(batch, { type: "batch_snapshot", batch_id: batch.id, sequence: 9, batch: snapshot })).toBe(snapshot);
  expect(describeEvent({ type: "video_failed", batch_id: batch.id, video_id: v1, error_message: "corrupt", timestamp: at, sequence: 2 }, batch)).toBe(
    `Video 1 (${videos[0]!.original_name}): failed — corrupt`,
  );
});
