import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FakeApi } from "@/test/fakeApi";
import { batchEvent, snapshotOf, videoEvent } from "@/test/events";
import { FakeSocket } from "@/test/fakeSocket";
import { makeDetail, makeVideo } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import { BatchProgressPanel } from "./BatchProgressPanel";

function setup(compact = false) {
  FakeSocket.instances = [];
  const videos = [1, 2, 3, 4].map((position) => makeVideo({ position, original_name: `talk-${position}.mp4` }));
  const batch = makeDetail({ status: "processing", name: "Week 12" }, videos);
  const api = new FakeApi();
  api.on(`GET /api/batch-jobs/${batch.id}`, () => batch);
  api.on(`POST /api/batch-jobs/${batch.id}/pause`, () => ({ ...batch, status: "paused" }));
  api.install();
  const completed: string[] = [];
  renderApp(<BatchProgressPanel batchJobId={batch.id} compact={compact} onComplete={(b) => completed.push(b.id)} />);
  return { batch, videos, api, completed };
}

test("subscribes over the WebSocket, shows live progress, activity, queue and toasts", async () => {
  const { batch, videos, completed } = setup();
  await screen.findByText("Week 12");
  const socket = FakeSocket.latest();
  expect(screen.getByText("Disconnected")).toBeInTheDocument();
  act(() => socket.open());
  expect(screen.queryByText("Disconnected")).not.toBeInTheDocument();
  expect(socket.sent[0]).toEqual({ action: "subscribe", batch_id: batch.id });
  act(() => socket.push(videoEvent("video_progress", batch, videos[0]!, 1, { progress: 40, current_stage: "transcribing" })));
  const current = await screen.findByRole("region", { name: "Current video" });
  expect(within(current).getByText("talk-1.mp4")).toBeInTheDocument();
  expect(within(current).getByText("Transcribing…")).toBeInTheDocument();
  const next = screen.getByRole("region", { name: "Up next" });
  expect(within(next).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["#2 talk-2.mp4", "#3 talk-3.mp4", "#4 talk-4.mp4"]);
  act(() => socket.push(videoEvent("video_completed", batch, videos[0]!, 2)));
  act(() => socket.push(batchEvent("batch_progress", batch, 3, { progress: 25, completed_videos: 1, estimated_time_remaining: 90 })));
  expect(await screen.findByText("1 of 4 videos completed")).toBeInTheDocument();
  expect(screen.getByText(/25% · about 2 min left/)).toBeInTheDocument();
  expect(screen.getByRole("progressbar", { name: "Week 12 overall progress" })).toHaveAttribute("aria-valuenow", "25");
  expect(within(screen.getByRole("region", { name: "Recently completed" })).getByText(/talk-1.mp4/)).toBeInTheDocument();
  expect(await screen.findByText("talk-1.mp4 is ready")).toBeInTheDocument();
  const activity = screen.getByRole("region", { name: "Activity" });
  expect(within(activity).getByText("Video 1 (talk-1.mp4): completed")).toBeInTheDocument();
  expect(within(activity).getByText("Video 1 (talk-1.mp4): transcribing the speech")).toBeInTheDocument();
  act(() => socket.push(videoEvent("video_failed", batch, videos[1]!, 4, { error_message: "No audio", retry_count: 1 })));
  expect(await screen.findByText("talk-2.mp4 failed")).toBeInTheDocument();
  act(() => socket.push(batchEvent("batch_completed", batch, 5, { status: "completed", progress: 100 })));
  expect(completed).toEqual([batch.id]);
});

test("a dropped connection shows Disconnected and reconnects with the last sequence", async () => {
  const { batch } = setup();
  await screen.findByText("Week 12");
  const first = FakeSocket.latest();
  act(() => first.open());
  act(() => first.push(batchEvent("batch_progress", batch, 7, { progress: 10 })));
  act(() => first.drop());
  expect(screen.getByText("Disconnected")).toBeInTheDocument();
  await vi.waitFor(() => expect(FakeSocket.instances.length).toBe(2));
  const second = FakeSocket.latest();
  act(() => second.open());
  expect(second.sent[0]).toEqual({ action: "subscribe", batch_id: batch.id, since: 7 });
  act(() => second.push(snapshotOf({ ...batch, progress_percentage: 60, completed_videos: 2 }, 9)));
  expect(await screen.findByText("2 of 4 videos completed")).toBeInTheDocument();
  expect(screen.queryByText("Disconnected")).not.toBeInTheDocument();
});

test("compact mode hides the details until expanded, and Pause calls the API", async () => {
  const user = userEvent.setup();
  const { batch, api } = setup(true);
  await screen.findByText("Week 12");
  expect(screen.queryByRole("region", { name: "Activity" })).not.toBeInTheDocument();
  await user.click(screen.getByRole("button", { name: "Show details" }));
  expect(screen.getByRole("region", { name: "Activity" })).toBeInTheDocument();
  await user.click(screen.getByRole("button", { name: /Pause/ }));
  await vi.waitFor(() => expect(api.calls("POST", `/api/batch-jobs/${batch.id}/pause`)).toHaveLength(1));
  expect(await screen.findByText("Batch paused")).toBeInTheDocument();
});

test("lists every running video, counts their progress, logs stage changes only, then says Finishing and Finished", async () => {
  const { batch, videos } = setup();
  await screen.findByText("Week 12");
  const socket = FakeSocket.latest();
  act(() => socket.open());
  act(() => socket.push(videoEvent("video_progress", batch, videos[0]!, 1, { progress: 40, current_stage: "transcribing" })));
  act(() => socket.push(videoEvent("video_progress", batch, videos[1]!, 2, { progress: 40, current_stage: "transcribing" })));
  act(() => socket.push(videoEvent("video_progress", batch, videos[0]!, 3, { progress: 42, current_stage: "transcribing" })));
  act(() => socket.push(videoEvent("video_progress", batch, videos[0]!, 4, { progress: 60, current_stage: "removing_silence" })));
  const current = await screen.findByRole("region", { name: "Current videos" });
  expect(within(current).getByText("talk-1.mp4")).toBeInTheDocument();
  expect(within(current).getByText("talk-2.mp4")).toBeInTheDocument();
  // (60 + 40) / 4 videos: the running videos count although none has finished.
  expect(screen.getByRole("progressbar", { name: "Week 12 overall progress" })).toHaveAttribute("aria-valuenow", "25");
  const lines = within(screen.getByRole("region", { name: "Activity" })).getAllByRole("listitem").map((li) => li.textContent);
  expect(lines.map((line) => line!.replace(/^[\d:\s APM]+/, ""))).toEqual([
    "Video 1 (talk-1.mp4): removing silences",
    "Video 2 (talk-2.mp4): transcribing the speech",
    "Video 1 (talk-1.mp4): transcribing the speech",
  ]);
  act(() => socket.push(batchEvent("batch_paused", batch, 5, { status: "paused", progress: 0 })));
  expect(await screen.findByText(/Finishing the current videos/)).toBeInTheDocument();
  act(() => socket.push(batchEvent("batch_completed", batch, 6, { status: "completed", progress: 100, completed_videos: 4 })));
  expect(await screen.findByText(/100% · Finished/)).toBeInTheDocument();
});
