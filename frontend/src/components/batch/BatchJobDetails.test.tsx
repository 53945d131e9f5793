import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FakeApi } from "@/test/fakeApi";
import { batchEvent, videoEvent } from "@/test/events";
import { FakeSocket } from "@/test/fakeSocket";
import { makeDetail, makeVideo } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import { build } from "@/test/contract";
import type { BatchJobDetail, RetryFailedResult } from "@/types/batch";
import { BatchJobDetails } from "./BatchJobDetails";

function serve(batch: BatchJobDetail) {
  FakeSocket.instances = [];
  const api = new FakeApi();
  api.on(`GET /api/batch-jobs/${batch.id}`, () => batch);
  api.on(`GET /api/batch-jobs/${batch.id}/exports`, () => ({ batch_id: batch.id, exports: [] }));
  api.on(`POST /api/batch-jobs/${batch.id}/retry-failed`, (request) =>
    build<RetryFailedResult>("RetryFailedResponse", {
      retried_video_ids: (request.body as { video_ids: string[] }).video_ids,
      batch_job: { ...batch, videos: undefined } as never,
    }),
  );
  api.on(`PATCH /api/batch-jobs/${batch.id}/videos`, () => batch);
  api.on(`DELETE /api/batch-jobs/${batch.id}/videos/:video`, (_, { video }) => ({
    ...batch,
    videos: batch.videos.filter((v) => v.video_id !== video),
  }));
  api.install();
  renderApp(<BatchJobDetails batchJobId={batch.id} />);
  return api;
}

const stat = (label: string) =>
  within(screen.getByRole("region", { name: "Statistics" })).getByLabelText(new RegExp(`^${label}: `)).textContent;

test("shows the header, four statistics, progress, settings, videos and failures", async () => {
  const user = userEvent.setup();
  const videos = [
    makeVideo({ position: 1, status: "completed", progress_percentage: 100 }),
    makeVideo({ position: 2, status: "failed", error_message: "Audio stream missing", original_name: "bad.mov" }),
    makeVideo({ position: 3, status: "processing", progress_percentage: 30, current_stage: "transcribing", original_name: "now.mp4" }),
    makeVideo({ position: 4, status: "pending" }),
  ];
  const batch = makeDetail(
    { status: "processing", name: "Spring talks", description: "Conference", completed_videos: 1, failed_videos: 1, progress_percentage: 50, estimated_time_remaining: 120 },
    videos,
  );
  serve(batch);
  expect(await screen.findByRole("heading", { name: "Spring talks" })).toBeInTheDocument();
  expect(screen.getByText("Conference")).toBeInTheDocument();
  expect([stat("Total videos"), stat("Completed"), stat("Failed"), stat("Pending")]).toEqual(["4", "1", "1", "1"]);
  expect(screen.getByRole("progressbar", { name: "Batch progress" })).toHaveAttribute("aria-valuenow", "50");
  expect(screen.getByText("2 min")).toBeInTheDocument();
  expect(screen.getByText(/Transcribing \(30%\)/)).toBeInTheDocument();
  expect(screen.getByRole("alert")).toHaveTextContent("#2 bad.mov failed");
  expect(screen.getByRole("alert")).toHaveTextContent("Audio stream missing");
  expect(screen.getByRole("button", { name: /Pause/ })).toBeInTheDocument();
  expect(screen.queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();
  await user.click(screen.getByRole("button", { name: "Settings" }));
  expect(screen.getByText("Export MP4 at 1080p")).toBeInTheDocument();
  const rows = within(screen.getByRole("table", { name: "Videos of this batch" })).getAllByRole("row").slice(1);
  expect(rows).toHaveLength(4);
  await user.selectOptions(screen.getByLabelText("Sort videos"), "progress");
  const first = within(screen.getByRole("table", { name: "Videos of this batch" })).getAllByRole("row")[1]!;
  expect(first).toHaveTextContent("#1");
});

test("applies live events to the statistics, the current video and the rows", async () => {
  const videos = [makeVideo({ position: 1, original_name: "one.mp4" }), makeVideo({ position: 2, original_name: "two.mp4" })];
  const batch = makeDetail({ status: "processing" }, videos);
  const api = serve(batch);
  await screen.findByRole("heading", { name: batch.name });
  // What the server holds once one.mp4 is done (the fake answers it from now on).
  const done = { ...videos[0]!, status: "completed" as const, artifacts: { thumbnail: "http://s3/one.jpg" } };
  api.on(`GET /api/batch-jobs/${batch.id}`, () => ({ ...batch, videos: [done, videos[1]!] }));
  const socket = FakeSocket.latest();
  act(() => socket.open());
  act(() => socket.push(videoEvent("video_progress", batch, videos[0]!, 1, { progress: 70, current_stage: "exporting" })));
  expect(await screen.findByText(/Exporting \(70%\)/)).toBeInTheDocument();
  act(() => socket.push(videoEvent("video_completed", batch, videos[0]!, 2)));
  act(() => socket.push(batchEvent("batch_progress", batch, 3, { progress: 50, completed_videos: 1 })));
  await vi.waitFor(() => expect(stat("Completed")).toBe("1"));
  expect(screen.getByRole("progressbar", { name: "Batch progress" })).toHaveAttribute("aria-valuenow", "50");
  expect(screen.getByRole("progressbar", { name: "one.mp4 progress" })).toHaveAttribute("aria-valuenow", "100");
  // The completed video's poster comes from the server's record (events carry no URLs); live states stay.
  const row = screen.getByRole("row", { name: /one\.mp4/ });
  await vi.waitFor(() => expect(row.querySelector("img")).toHaveAttribute("src", "http://s3/one.jpg"));
  expect(stat("Completed")).toBe("1");
});

test("bulk retry sends the selected failed videos; a pending batch can be reordered", async () => {
  const user = userEvent.setup();
  const failedVideos = [
    makeVideo({ position: 1, status: "failed", original_name: "f1.mp4" }),
    makeVideo({ position: 2, status: "failed", original_name: "f2.mp4" }),
    makeVideo({ position: 3, status: "completed", original_name: "ok.mp4" }),
  ];
  const done = makeDetail({ status: "completed", failed_videos: 2, completed_videos: 1 }, failedVideos);
  const api = serve(done);
  await screen.findByRole("heading", { name: done.name });
  await user.click(screen.getByRole("checkbox", { name: "Select f2.mp4" }));
  await user.click(screen.getByRole("button", { name: /Retry selected/ }));
  await vi.waitFor(() => expect(api.calls("POST", `/api/batch-jobs/${done.id}/retry-failed`)).toHaveLength(1));
  expect(api.calls("POST", `/api/batch-jobs/${done.id}/retry-failed`)[0]!.body).toEqual({ video_ids: [failedVideos[1]!.video_id] });
  expect(screen.getByRole("region", { name: "Exports" })).toBeInTheDocument();
});

test("moving a video of a pending batch saves the new order", async () => {
  const user = userEvent.setup();
  const videos = [1, 2, 3].map((position) => makeVideo({ position, original_name: `p${position}.mp4` }));
  const batch = makeDetail({ status: "pending" }, videos);
  const api = serve(batch);
  await screen.findByRole("heading", { name: batch.name });
  await user.click(screen.getByRole("button", { name: "Move p1.mp4 down" }));
  await vi.waitFor(() => expect(api.calls("PATCH", `/api/batch-jobs/${batch.id}/videos`)).toHaveLength(1));
  const ids = (api.calls("PATCH", `/api/batch-jobs/${batch.id}/videos`)[0]!.body as { video_ids: string[] }).video_ids;
  expect(ids).toEqual([videos[1]!.video_id, videos[0]!.video_id, videos[2]!.video_id]);
  expect(screen.getByRole("button", { name: /Start processing/ })).toBeInTheDocument();
});
