import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Transport } from "@/api/upload";
import { FakeApi } from "@/test/fakeApi";
import { build } from "@/test/contract";
import { makeBatch } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import type { BatchJobCreate, UploadTarget } from "@/types/batch";
import { BatchUploadModal, fileProblem } from "./BatchUploadModal";
import { choose } from "@/test/choose";

const video = (name: string, size = 1000) => new File([new Uint8Array(size)], name, { type: "" });

function serveCreate() {
  const api = new FakeApi();
  const batch = makeBatch({ name: "Week 1" });
  api.on("POST /api/batch-jobs", (request) => {
    const body = request.body as BatchJobCreate;
    const uploads: UploadTarget[] = body.files!.map((file, i) => ({
      video_id: `v${i}`,
      position: i + 1,
      file_name: file.name,
      key: `k${i}`,
      method: "PUT",
      url: `http://s3/${encodeURIComponent(file.name)}`,
      headers: { "Content-Type": file.content_type ?? "" },
      expires_at: "2030-01-01T00:00:00Z",
    }));
    return Response.json({ batch_job: { ...batch, name: body.name }, upload_urls: uploads.map((u) => u.url), uploads }, { status: 201 });
  });
  let minted = 0;
  api.on(`GET /api/batch-jobs/${batch.id}/uploads/:video/parts`, () =>
    Response.json({ error: "Conflict", detail: "No multipart upload is open for this video" }, { status: 409 }),
  );
  api.on(`POST /api/batch-jobs/${batch.id}/uploads/:video`, (request, { video }) => {
    minted += 1;
    const name = ["a.mp4", "b.mov"][Number(video!.slice(1))]!;
    return build<UploadTarget>("UploadTarget", {
      video_id: video!,
      position: 1,
      file_name: name,
      key: video!,
      url: `http://s3/fresh-${minted}/${name}`,
      headers: { "Content-Type": (request.body as { content_type: string }).content_type },
      expires_at: "2030-01-01T00:00:00Z",
    });
  });
  api.on(`POST /api/batch-jobs/${batch.id}/start`, () => ({ job_id: "arn", batch_job: { ...batch, status: "processing" } }));
  api.install();
  return { api, batch };
}

function open(props: Partial<React.ComponentProps<typeof BatchUploadModal>> = {}) {
  const completed: string[] = [];
  renderApp(
    <BatchUploadModal
      isOpen
      onClose={() => {}}
      onComplete={(id) => completed.push(id)}
      readDuration={async (file) => (file.name.startsWith("long") ? 3725 : 65)}
      retryDelayMs={1}
      {...props}
    />,
  );
  return completed;
}

test("validates formats, the 2 GB limit and the plan's count, and lists files with size and duration", async () => {
  expect(fileProblem(video("notes.txt"))).toMatch(/only MP4, MOV, AVI and WebM/);
  expect(fileProblem(video("CLIP.MOV"))).toBeNull();
  const huge = video("huge.mp4");
  Object.defineProperty(huge, "size", { value: 2 * 1024 ** 3 + 1 });
  expect(fileProblem(huge)).toMatch(/over the 2 GB limit/);

  const user = userEvent.setup({ applyAccept: false });
  open({ maxFiles: 3 });
  await user.upload(screen.getByTestId("file-input"), [video("a.mp4", 2048), video("long talk.MOV"), video("notes.txt"), video("c.webm"), video("d.avi")]);
  const warning = screen.getByRole("alert");
  expect(warning).toHaveTextContent("notes.txt: only MP4, MOV, AVI and WebM");
  expect(warning).toHaveTextContent("Your plan allows 3 videos per batch: 1 not added");
  const table = screen.getByRole("table", { name: "Selected videos" });
  expect(within(table).getAllByRole("row")).toHaveLength(4);
  expect(within(table).getByText("2.0 KB")).toBeInTheDocument();
  expect(await within(table).findByText("1:02:05")).toBeInTheDocument();
  await user.click(screen.getByRole("button", { name: "Remove a.mp4" }));
  expect(within(table).queryByText("a.mp4")).not.toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Upload 2 videos" })).toBeEnabled();
});

test("requires a name, sends the settings, uploads with progress, retries a failed file, then starts", async () => {
  const user = userEvent.setup();
  const { api, batch } = serveCreate();
  let failOnce = true;
  const puts: string[] = [];
  const transport: Transport = async (url, headers, body, onProgress) => {
    puts.push(`${url} ${headers["Content-Type"]}`);
    onProgress(body.size / 2);
    if (url.endsWith("b.mov") && failOnce) throw new Error("Upload refused (HTTP 403)");
    onProgress(body.size);
    return { etag: null };
  };
  const completed = open({ transport });
  await user.upload(screen.getByTestId("file-input"), [video("a.mp4"), video("b.mov")]);
  await user.click(screen.getByRole("button", { name: "Upload 2 videos" }));
  expect(await screen.findByText("Give the batch a name")).toBeInTheDocument();
  expect(api.calls("POST", "/api/batch-jobs")).toHaveLength(0);

  await user.type(screen.getByLabelText("Batch name"), "Week 1");
  await choose(user, "Quality", "720p");
  await user.click(screen.getByRole("button", { name: "Upload 2 videos" }));
  expect(await screen.findByText("Retry b.mov", { exact: false })).toBeInTheDocument();
  const body = api.calls("POST", "/api/batch-jobs")[0]!.body as BatchJobCreate;
  expect(body.name).toBe("Week 1");
  expect(body.settings?.export_quality).toBe("720p");
  expect(body.files).toEqual([
    { name: "a.mp4", size: 1000, content_type: "video/mp4" },
    { name: "b.mov", size: 1000, content_type: "video/quicktime" },
  ]);
  expect(puts).toContain("http://s3/a.mp4 video/mp4");
  expect(screen.getByText("Upload refused (HTTP 403)")).toBeInTheDocument();
  expect(screen.getByRole("progressbar", { name: "Overall upload progress" })).toHaveAttribute("aria-valuenow", "75");
  expect(screen.getByRole("button", { name: "Start processing" })).toBeDisabled();

  failOnce = false;
  await user.click(screen.getByRole("button", { name: /Retry b.mov/ }));
  expect(await screen.findByText("All 2 videos uploaded")).toBeInTheDocument();
  // Every attempt after the first, and the Retry, used a URL signed for it (never the refused one again).
  expect(puts.filter((put) => put.includes("b.mov"))).toEqual([
    "http://s3/b.mov video/quicktime",
    "http://s3/fresh-1/b.mov video/quicktime",
    "http://s3/fresh-2/b.mov video/quicktime",
    "http://s3/fresh-3/b.mov video/quicktime",
  ]);
  expect(screen.getByText("Batch created successfully")).toBeInTheDocument();
  await user.click(screen.getByRole("button", { name: "Start processing" }));
  await vi.waitFor(() => expect(completed).toEqual([batch.id]));
  expect(api.calls("POST", `/api/batch-jobs/${batch.id}/start`)).toHaveLength(1);
});

test("the API's refusal is shown with its reason", async () => {
  const user = userEvent.setup();
  const { api } = serveCreate();
  api.on("POST /api/batch-jobs", () => Response.json({ error: "Too Many Requests", detail: "5 batch creations per hour on the free plan" }, { status: 429 }));
  open();
  await user.upload(screen.getByTestId("file-input"), [video("a.mp4")]);
  await user.type(screen.getByLabelText("Batch name"), "x");
  await user.click(screen.getByRole("button", { name: "Upload 1 video" }));
  expect(await screen.findByText(/5 batch creations per hour/)).toBeInTheDocument();
});
