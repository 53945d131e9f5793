import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FakeApi } from "@/test/fakeApi";
import { batchEvent, videoEvent } from "@/test/events";
import { FakeSocket } from "@/test/fakeSocket";
import { makeDetail, makeVideo } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import { build } from "@/test/contract";
import type { Transport } from "@/api/upload";
import type { BatchJobDetail, CancelResult, RetryFailedResult, UploadTarget } from "@/types/batch";
import { BatchJobDetails } from "./BatchJobDetails";

function serve(batch: BatchJobDetail, transport?: Transport) {
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
  renderApp(<BatchJobDetails batchJobId={batch.id} transport={transport} />);
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
  // Two finished videos and one 30 % through of four: 57 %, not the 50 % that counts finished ones only.
  expect(screen.getByRole("progressbar", { name: "Batch progress" })).toHaveAttribute("aria-valuenow", "57");
  expect(screen.getByText("2 min")).toBeInTheDocument();
  const current = screen.getByRole("region", { name: "Current video" });
  expect(within(current).getByText("now.mp4")).toBeInTheDocument();
  expect(within(current).getByText("Transcribing…")).toBeInTheDocument();
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
  const current = await screen.findByRole("region", { name: "Current video" });
  expect(await within(current).findByText("Exporting…")).toBeInTheDocument();
  expect(within(current).getByRole("progressbar", { name: "one.mp4 stage progress" })).toHaveAttribute("aria-valuenow", "70");
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

test("a pending batch takes its missing file, a replacement for one that cannot be processed, and new videos", async () => {
  const user = userEvent.setup({ applyAccept: false });
  const videos = [
    makeVideo({ position: 1, original_name: "missing.mp4", upload_status: "awaiting_upload", current_stage: "uploading" }),
    makeVideo({ position: 2, original_name: "broken.mp4", upload_status: "invalid", error_message: "broken.mp4: The file is not a decodable video" }),
  ];
  const batch = makeDetail({ status: "pending" }, videos);
  const puts: string[] = [];
  const transport: Transport = async (url) => {
    puts.push(url);
    return { etag: null };
  };
  const api = serve(batch, transport);
  const target = (video_id: string, name: string) =>
    build<UploadTarget>("UploadTarget", { video_id, position: 1, file_name: name, key: video_id, url: `http://s3/${name}`, headers: {}, expires_at: "2030-01-01T00:00:00Z" });
  api.on(`GET /api/batch-jobs/${batch.id}/uploads/:video/parts`, () => Response.json({ error: "Conflict", detail: "No multipart upload" }, { status: 409 }));
  api.on(`POST /api/batch-jobs/${batch.id}/uploads/:video`, (_, { video }) => target(video!, video === videos[0]!.video_id ? "missing.mp4" : "broken.mp4"));
  api.on(`POST /api/batch-jobs/${batch.id}/videos`, () => ({ ...batch, uploads: [target("v-new", "new.mp4")] }));
  await screen.findByRole("heading", { name: batch.name });
  // The bad file says why Retry cannot help, and offers Replace instead.
  const broken = screen.getByRole("row", { name: /broken\.mp4/ });
  expect(broken).toHaveTextContent("The file is not a decodable video. Retrying cannot help: replace the file.");
  expect(within(broken).queryByRole("button", { name: /Retry/ })).not.toBeInTheDocument();

  await user.click(screen.getByRole("button", { name: "Upload file for missing.mp4" }));
  await user.upload(screen.getByTestId("slot-file-input"), new File([new Uint8Array(10)], "take2.mp4"));
  await vi.waitFor(() => expect(puts).toEqual(["http://s3/missing.mp4"]));
  expect(api.calls("POST", `/api/batch-jobs/${batch.id}/uploads/${videos[0]!.video_id}`)[0]!.body).toEqual({ size: 10, content_type: null });

  await user.click(screen.getByRole("button", { name: "Replace file for broken.mp4" }));
  await user.upload(screen.getByTestId("slot-file-input"), new File([new Uint8Array(20)], "fixed.mp4"));
  await vi.waitFor(() => expect(puts).toContain("http://s3/broken.mp4"));

  await user.click(screen.getByRole("button", { name: /Add videos/ }));
  await user.upload(screen.getByTestId("add-files-input"), [new File([new Uint8Array(30)], "new.mp4"), new File([], "notes.txt")]);
  await vi.waitFor(() => expect(puts).toContain("http://s3/new.mp4"));
  expect(api.calls("POST", `/api/batch-jobs/${batch.id}/videos`)[0]!.body).toEqual({ files: [{ name: "new.mp4", size: 30, content_type: "video/mp4" }] });
  expect(await screen.findByText(/notes\.txt/)).toBeInTheDocument(); // refused, with its reason
});

test("delete and cancel ask first; keeping the batch sends nothing", async () => {
  const user = userEvent.setup();
  const batch = makeDetail({ status: "processing" });
  const api = serve(batch);
  api.on(`POST /api/batch-jobs/${batch.id}/cancel`, () =>
    build<CancelResult>("CancelResponse", { batch_job: { ...batch, videos: undefined, status: "cancelled" } as never }),
  );
  await screen.findByRole("heading", { name: batch.name });
  await user.click(screen.getByRole("button", { name: /Cancel/ }));
  const ask = await screen.findByRole("alertdialog", { name: "Cancel this batch?" });
  await user.click(within(ask).getByRole("button", { name: "Keep it" }));
  expect(api.calls("POST", `/api/batch-jobs/${batch.id}/cancel`)).toHaveLength(0);
  await user.click(screen.getByRole("button", { name: /Cancel/ }));
  await user.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Cancel batch" }));
  await vi.waitFor(() => expect(api.calls("POST", `/api/batch-jobs/${batch.id}/cancel`)).toHaveLength(1));
});

test("when the network fails the loaded batch stays, with a banner and a retry that recovers", async () => {
  const user = userEvent.setup();
  const batch = makeDetail({ status: "processing", name: "Kept" });
  serve(batch);
  await screen.findByRole("heading", { name: "Kept" });
  const network = vi.fn(async () => {
    throw new TypeError("Failed to fetch");
  });
  const working = globalThis.fetch;
  vi.stubGlobal("fetch", network);
  await user.click(screen.getByRole("button", { name: /Pause/ })); // any call; the poll will also fail
  const banner = await screen.findByText("Connection lost", {}, { timeout: 10_000 });
  expect(screen.getByRole("heading", { name: "Kept" })).toBeInTheDocument();
  expect(banner.parentElement).toHaveTextContent("Failed to fetch");
  vi.stubGlobal("fetch", working);
  await user.click(screen.getByRole("button", { name: /Retry now/ }));
  await vi.waitFor(() => expect(screen.queryByText("Connection lost")).not.toBeInTheDocument());
  expect(screen.getByRole("heading", { name: "Kept" })).toBeInTheDocument();
});
