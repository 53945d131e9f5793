import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FakeApi } from "@/test/fakeApi";
import { makeDetail, makeVideo } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import { build } from "@/test/contract";
import type { BatchExport, BatchExportSummary } from "@/types/batch";
import { BatchExportDialog } from "./BatchExportDialog";

const NOW = Date.parse("2026-01-01T12:00:00Z");

function setup() {
  const videos = [
    makeVideo({ status: "completed", processing_result: { exporting: { size: 10 * 1024 ** 2 } } }),
    makeVideo({ status: "completed", processing_result: { exporting: { size: 5 * 1024 ** 2 } } }),
    makeVideo({ status: "failed", processing_result: null }),
  ];
  const batch = makeDetail({ status: "completed", name: "Week 3" }, videos);
  const api = new FakeApi();
  const options = { include_failed: false, use_original_names: true, batch_name_prefix: false, hls: false, include_extras: true };
  const history: BatchExportSummary[] = [
    { export_id: "old", format: "merged", status: "completed", options, file_size: 2048, created_at: "2026-01-01T09:00:00Z", expires_at: "2026-01-01T11:00:00Z", expired: false },
  ];
  let polls = 0;
  api.on(`GET /api/batch-jobs/${batch.id}/exports`, () => ({ batch_id: batch.id, exports: history }));
  api.on(`POST /api/batch-jobs/${batch.id}/export`, () => ({ export_id: "e1", status: "pending", reused: false }));
  api.on(`GET /api/batch-jobs/${batch.id}/export/e1`, () => {
    polls += 1;
    const detail = { export_id: "e1", batch_id: batch.id, format: "zip", options, created_at: "2026-01-01T12:00:00Z", expires_at: "2026-01-02T11:45:00Z", expired: false } as const;
    if (polls < 2) return build<BatchExport>("ExportDetail", { ...detail, status: "processing", progress: 40, current_operation: "adding video 1/2" });
    // The first link is about to end (a minute and a bit): the dialog asks again before it does.
    const fresh = polls > 2;
    return build<BatchExport>("ExportDetail", {
      ...detail, status: "completed", progress: 100,
      download_url: fresh ? "http://s3/e1.zip?fresh" : "http://s3/e1.zip",
      links_expire_at: fresh ? "2026-01-01T12:45:00Z" : "2026-01-01T12:01:00.010Z",
      file_size: 15 * 1024 ** 2,
    });
  });
  api.install();
  renderApp(<BatchExportDialog batch={batch} isOpen onClose={() => {}} pollIntervalMs={20} now={() => NOW} />);
  return { api, batch };
}

test("configures an export, previews it, follows its progress and offers the download with expiry", async () => {
  const user = userEvent.setup();
  const { api, batch } = setup();
  const preview = screen.getByRole("region", { name: "Export preview" });
  expect(preview).toHaveTextContent("2 videos · about 15 MB");
  expect(preview).toHaveTextContent("ZIP archive with 2 MP4 files");
  await user.click(screen.getByRole("checkbox", { name: "Include failed videos" }));
  expect(preview).toHaveTextContent("3 videos");
  await user.type(screen.getByLabelText("Naming pattern"), "{{position}_{{title}");
  expect(screen.getByText(/Unknown placeholder \{title\}/)).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Export" })).toBeDisabled();
  await user.clear(screen.getByLabelText("Naming pattern"));
  await user.type(screen.getByLabelText("Naming pattern"), "{{batch}-{{position}.{{ext}");
  await user.click(screen.getByRole("button", { name: "Export" }));
  expect(api.calls("POST", `/api/batch-jobs/${batch.id}/export`)[0]!.body).toEqual({
    format: "zip", include_failed: true, use_original_names: true, batch_name_prefix: false, hls: false, include_extras: true, custom_naming: "{batch}-{position}.{ext}",
  });
  expect(await screen.findByText(/adding video 1\/2 · 40%/)).toBeInTheDocument();
  await screen.findByRole("link", { name: /Download/ });
  expect(screen.getByText("15 MB")).toBeInTheDocument();
  // The timer shows the link's own expiry, not the export's; a fresh link replaces it before it ends.
  await vi.waitFor(() => expect(screen.getByRole("link", { name: /Download/ })).toHaveAttribute("href", "http://s3/e1.zip?fresh"));
  expect(screen.getByText(/^Link expires in 45 minutes/)).toHaveTextContent("the export is kept 23 hours 45 minutes");
});

test("the history lists previous exports and marks expired ones", async () => {
  const user = userEvent.setup();
  setup();
  await user.click(await screen.findByRole("button", { name: /Export history \(1\)/ }));
  const list = screen.getByRole("list", { name: "Export history" });
  expect(within(list).getByText("merged")).toBeInTheDocument();
  expect(within(list).getByText("3 hours ago")).toBeInTheDocument();
  expect(within(list).getByText("Expired")).toBeInTheDocument();
});

test("a refused export shows the API's reason with a retry", async () => {
  const user = userEvent.setup();
  const { api, batch } = setup();
  api.on(`POST /api/batch-jobs/${batch.id}/export`, () =>
    Response.json({ error: "Conflict", detail: "Batch is not completed" }, { status: 409 }),
  );
  await user.click(screen.getByRole("button", { name: "Export" }));
  expect(await screen.findByText("Conflict: Batch is not completed")).toBeInTheDocument();
  expect(screen.getByRole("button", { name: /Try again/ })).toBeInTheDocument();
});
