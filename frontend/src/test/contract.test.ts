import { reorderBatchVideos } from "@/api/client";
import { build } from "./contract";
import { FakeApi } from "./fakeApi";
import { makeDetail, makeVideo } from "./fixtures";

test("a body the API refuses is refused by the fake too, and recorded as a breach (the old {positions} reorder)", async () => {
  const batch = makeDetail();
  const api = new FakeApi().on(`PATCH /api/batch-jobs/${batch.id}/videos`, batch);
  api.install();
  const old = await fetch(`/api/batch-jobs/${batch.id}/videos`, {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ positions: [{ video_id: "v1", position: 1 }] }),
  });
  expect(old.status).toBe(422);
  const breaches = api.takeViolations();
  expect(breaches).toHaveLength(1);
  expect(breaches[0]).toMatch(/PATCH .*\/videos sent what the API refuses: body: .*video_ids/);

  // What the app sends today is what the document asks for.
  await reorderBatchVideos(batch.id, batch.videos.map((v) => v.video_id).reverse());
  expect(api.takeViolations()).toEqual([]);
  expect(api.calls("PATCH", `/api/batch-jobs/${batch.id}/videos`)[1]!.body).toEqual({
    video_ids: batch.videos.map((v) => v.video_id).reverse(),
  });
});

test("an answer the API never gives is a breach: the old multipart listing {parts, urls}", async () => {
  const api = new FakeApi().on("GET /api/batch-jobs/b1/uploads/v1/parts", { parts: [{ part_number: 1, etag: '"e"' }], urls: [] });
  api.install();
  await fetch("/api/batch-jobs/b1/uploads/v1/parts?urls=true");
  const [breach] = api.takeViolations();
  expect(breach).toMatch(/answered what the API never does: response 200: .*uploaded/);
});

test("operations, parameters and statuses the document does not have are breaches", async () => {
  const api = new FakeApi()
    .on("GET /api/batch-jobs", () => Response.json({ error: "Teapot", detail: "" }, { status: 418 }))
    .on("POST /api/batch-jobs/b1/start", { job_id: "arn", batch_job: makeDetail() });
  api.install();
  await fetch("/api/batch-jobs/b1/rename", { method: "POST" });
  await fetch("/api/batch-jobs?sort=title");
  await fetch("/api/batch-jobs");
  await fetch("/api/batch-jobs/b1/start", { method: "POST", body: JSON.stringify({ now: true }) });
  const breaches = api.takeViolations();
  expect(breaches[0]).toMatch(/POST \/api\/batch-jobs\/b1\/rename: no such operation/);
  expect(breaches[1]).toMatch(/query parameter sort=title/);
  expect(breaches[2]).toMatch(/status 418 is not documented/);
  expect(breaches[3]).toMatch(/takes no body/);
});

test("fixtures are built from the document and refuse a field it forbids", () => {
  const video = makeVideo();
  expect(video.upload_status).toBe("uploaded");
  expect(build("UploadState", { video_id: "v1" })).toMatchObject({ video_id: "v1", upload_status: "awaiting_upload" });
  expect(() => makeVideo({ status: "finished" as never })).toThrow(/not a valid BatchVideoResponse: \/status/);
  expect(() => makeVideo({ progress_percentage: "40%" as never })).toThrow(/progress_percentage/);
});
