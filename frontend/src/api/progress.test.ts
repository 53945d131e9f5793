import { FakeSocket, fakeSocketFactory } from "@/test/fakeSocket";
import type { BatchSocketMessage } from "@/types/batch";
import { subscribeToBatchProgress } from "./progress";

const event = (sequence: number, type = "video_progress") => ({
  type,
  batch_id: "b1",
  video_id: "v1",
  progress: sequence * 10,
  timestamp: "2026-01-01T00:00:00Z",
  sequence,
});

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
  second.push({ type: "batch_snapshot", batch_id: "b1", sequence: 5, batch: {} });
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
