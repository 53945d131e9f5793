import { batchEvent, snapshotOf, videoEvent } from "@/test/events";
import { FakeSocket, fakeSocketFactory } from "@/test/fakeSocket";
import { makeDetail } from "@/test/fixtures";
import type { BatchSocketMessage } from "@/types/batch";
import { subscribeToBatchProgress } from "./progress";

const video = { video_id: "v1", position: 1, original_name: "a.mp4" };
const event = (sequence: number, type: "video_progress" | "batch_completed" = "video_progress"): BatchSocketMessage =>
  type === "video_progress"
    ? videoEvent(type, { id: "b1" }, video, sequence, { progress: sequence * 10 })
    : batchEvent(type, { id: "b1", status: "completed", total_videos: 1, completed_videos: 1, failed_videos: 0, cancelled_videos: 0, progress_percentage: 100 }, sequence);

test("subscribes, drops duplicates, reconnects and catches up from the last sequence", async () => {
  vi.useFakeTimers();
  FakeSocket.instances = [];
  const received: BatchSocketMessage[] = [];
  const connection: boolean[] = [];
  const subscription = subscribeToBatchProgress({
    batchId: "b1",
    token: "t k",
    url: "ws://host/ws",
    onMessage: (m) => received.push(m),
    onConnection: (c) => connection.push(c),
    socketFactory: fakeSocketFactory,
    reconnectDelayMs: 100,
  });
  const first = FakeSocket.latest();
  expect(first.url).toBe("ws://host/ws?token=t%20k");
  first.open();
  expect(first.sent).toEqual([{ action: "subscribe", batch_id: "b1" }]);
  first.push({ status: 200, message: "subscribed" });
  first.push(event(1));
  first.push(event(2));
  first.push(event(2));
  first.push({ ...event(3), batch_id: "other" });
  first.drop();
  expect(connection).toEqual([true, false]);
  await vi.advanceTimersByTimeAsync(100);
  const second = FakeSocket.latest();
  expect(second).not.toBe(first);
  second.open();
  expect(second.sent).toEqual([{ action: "subscribe", batch_id: "b1", since: 2 }]);
  second.push(snapshotOf(makeDetail({ id: "b1" }), 5));
  second.push(event(4)); // older than the snapshot
  second.push(event(6, "batch_completed"));
  expect(received.map((m) => `${m.type}:${m.sequence}`)).toEqual([
    "video_progress:1",
    "video_progress:2",
    "batch_snapshot:5",
    "batch_completed:6",
  ]);
  subscription.close();
  await vi.advanceTimersByTimeAsync(10_000);
  expect(FakeSocket.instances).toHaveLength(2);
  vi.useRealTimers();
});
