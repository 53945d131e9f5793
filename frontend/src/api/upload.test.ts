import type { UploadTarget } from "@/types/batch";
import { FakeApi } from "@/test/fakeApi";
import { UploadMeter, uploadBatchVideos, type Transport } from "./upload";

const target = (i: number, extra: Partial<UploadTarget> = {}): UploadTarget => ({
  video_id: `v${i}`,
  position: i + 1,
  file_name: `f${i}.mp4`,
  key: `k${i}`,
  method: "PUT",
  url: `http://s3/put/${i}`,
  headers: { "Content-Type": "video/mp4" },
  expires_at: "2030-01-01T00:00:00Z",
  ...extra,
});
const file = (i: number, size = 10) => new File([new Uint8Array(size)], `f${i}.mp4`, { type: "video/mp4" });

test("uploads at most five files at once and reports per-file progress", async () => {
  let active = 0;
  let peak = 0;
  const sent: string[] = [];
  const transport: Transport = async (url, headers, body, onProgress) => {
    active += 1;
    peak = Math.max(peak, active);
    expect(headers["Content-Type"]).toBe("video/mp4");
    onProgress(body.size / 2);
    await new Promise((r) => setTimeout(r, 5));
    onProgress(body.size);
    sent.push(url);
    active -= 1;
    return { etag: '"e"' };
  };
  const files = Array.from({ length: 12 }, (_, i) => file(i));
  const seen: number[] = [];
  const result = await uploadBatchVideos(files, files.map((_, i) => target(i)), {
    batchJobId: "b1",
    transport,
    onProgress: (p) => seen.push(p[0]!.progress),
  });
  expect(peak).toBe(5);
  expect(sent).toHaveLength(12);
  expect(result.every((r) => r.status === "done" && r.progress === 100)).toBe(true);
  expect(seen).toContain(50);
});

test("retries a failing file with a freshly signed URL and reports it failed after the last attempt", async () => {
  const api = new FakeApi();
  let minted = 0;
  api.on("POST /api/batch-jobs/b1/uploads/:video", (request, { video }) => {
    minted += 1;
    expect(request.body).toEqual({ size: 10, content_type: "video/mp4" });
    const index = Number(video!.slice(1));
    return target(index, { url: `http://s3/fresh-${minted}/${index}` });
  });
  api.install();
  const calls: string[] = [];
  const transport: Transport = async (url) => {
    calls.push(url);
    if (url.endsWith("/1")) throw new Error("Upload refused (HTTP 403)");
    if (url === "http://s3/put/2") throw new Error("Network error during upload");
    return { etag: null };
  };
  const files = [file(0), file(1), file(2)];
  const result = await uploadBatchVideos(files, files.map((_, i) => target(i)), { batchJobId: "b1", transport, retryDelayMs: 1 });
  expect(result.map((r) => r.status)).toEqual(["done", "failed", "done"]);
  expect(result[1]).toMatchObject({ attempts: 3, error: "Upload refused (HTTP 403)" });
  expect(result[2]!.attempts).toBe(2);
  // Never the same URL twice: each retry asked the API for a new one.
  const tried1 = calls.filter((url) => url.endsWith("/1"));
  expect(new Set(tried1).size).toBe(3);
  expect(calls.filter((url) => url.endsWith("/2"))).toEqual(["http://s3/put/2", expect.stringMatching(/^http:\/\/s3\/fresh-\d\/2$/)]);
});

test("a URL that has expired (or is about to) is replaced before the first byte is sent", async () => {
  const api = new FakeApi();
  api.on("POST /api/batch-jobs/b1/uploads/v0", () => target(0, { url: "http://s3/fresh/0", expires_at: "2030-01-01T00:15:00Z" }));
  api.install();
  const sent: string[] = [];
  const transport: Transport = async (url) => {
    sent.push(url);
    return { etag: null };
  };
  const now = () => Date.parse("2030-01-01T00:00:00Z");
  const stale = target(0, { expires_at: "2029-12-31T23:59:30Z" });
  const [result] = await uploadBatchVideos([file(0)], [stale], { batchJobId: "b1", transport, now });
  expect(result!.status).toBe("done");
  expect(sent).toEqual(["http://s3/fresh/0"]);
});

const multipart = (parts: number[]) => ({
  upload_id: "u",
  part_size: 4,
  parts: parts.map((n) => ({ part_number: n, url: `http://s3/part-${n}` })),
  complete_url: "/api/batch-jobs/b1/uploads/v0/complete",
  abort_url: "/api/batch-jobs/b1/uploads/v0/abort",
  list_parts_url: "/api/batch-jobs/b1/uploads/v0/parts",
});
const uploaded = { video_id: "v0", file_name: "f0.mp4", upload_status: "uploaded", error_message: null };

test("a fresh multipart target is sent in parts, then completed with every part's ETag", async () => {
  const api = new FakeApi();
  api.on("POST /api/batch-jobs/b1/uploads/v0/complete", uploaded);
  api.install();
  const putSizes: number[] = [];
  const transport: Transport = async (url, _h, body) => {
    putSizes.push(body.size);
    return { etag: `"${url.slice(-1)}"` };
  };
  const [result] = await uploadBatchVideos([file(0, 10)], [target(0, { url: null, multipart: multipart([1, 2, 3]) })], { batchJobId: "b1", transport });
  expect(result!.status).toBe("done");
  expect(putSizes).toEqual([4, 4, 2]);
  expect(api.calls("GET", /\/parts$/)).toHaveLength(0); // nothing to resume on a first, fresh attempt
  expect(api.calls("POST", "/api/batch-jobs/b1/uploads/v0/complete")[0]!.body).toEqual({
    parts: [1, 2, 3].map((n) => ({ part_number: n, etag: `"${n}"` })),
  });
});

test("after a reload, a multipart upload resumes from the parts S3 holds, with the fresh URLs it lists", async () => {
  const api = new FakeApi();
  api.on("GET /api/batch-jobs/b1/uploads/v0/parts", (request) => {
    expect(request.query.get("urls")).toBe("true");
    return {
      video_id: "v0",
      upload_id: "u",
      size: 10,
      part_size: 4,
      uploaded: [{ part_number: 1, etag: '"p1"', size: 4 }],
      missing: [2, 3].map((n) => ({ part_number: n, url: `http://s3/renewed-${n}` })),
    };
  });
  api.on("POST /api/batch-jobs/b1/uploads/v0/complete", uploaded);
  api.install();
  const sent: string[] = [];
  const seen: number[] = [];
  const transport: Transport = async (url) => {
    sent.push(url);
    return { etag: `"${url.slice(-1)}"` };
  };
  // Only the slot is known after a reload: no target, no URLs.
  const [result] = await uploadBatchVideos([file(0, 10)], [{ video_id: "v0" }], {
    batchJobId: "b1",
    transport,
    onProgress: ([p]) => seen.push(p!.loaded),
  });
  expect(result!.status).toBe("done");
  expect(sent).toEqual(["http://s3/renewed-2", "http://s3/renewed-3"]);
  expect(seen).toContain(4); // the part S3 held counts as sent from the start
  expect(api.calls("POST", /\/uploads\/v0$/)).toHaveLength(0);
  expect(api.calls("POST", "/api/batch-jobs/b1/uploads/v0/complete")[0]!.body).toEqual({
    parts: [
      { part_number: 1, etag: '"p1"' },
      { part_number: 2, etag: '"2"' },
      { part_number: 3, etag: '"3"' },
    ],
  });
});

test("a slot with no multipart upload open gets a new target for the chosen file", async () => {
  const api = new FakeApi();
  api.on("GET /api/batch-jobs/b1/uploads/v0/parts", () =>
    Response.json({ error: "Conflict", detail: "No multipart upload is open for this video" }, { status: 409 }),
  );
  api.on("POST /api/batch-jobs/b1/uploads/v0", target(0, { url: "http://s3/new/0" }));
  api.install();
  const sent: string[] = [];
  const transport: Transport = async (url) => {
    sent.push(url);
    return { etag: null };
  };
  const [result] = await uploadBatchVideos([file(0)], [{ video_id: "v0" }], { batchJobId: "b1", transport });
  expect(result!.status).toBe("done");
  expect(sent).toEqual(["http://s3/new/0"]);
});

test("a file the API refuses is not tried again", async () => {
  const api = new FakeApi();
  api.on("GET /api/batch-jobs/b1/uploads/v0/parts", () => Response.json({ error: "Conflict", detail: "no upload" }, { status: 409 }));
  api.on("POST /api/batch-jobs/b1/uploads/v0", () =>
    Response.json({ error: "Conflict", detail: "'f0.mp4' can only be uploaded before the batch starts" }, { status: 409 }),
  );
  api.install();
  const [result] = await uploadBatchVideos([file(0)], [{ video_id: "v0" }], { batchJobId: "b1", transport: async () => ({ etag: null }), retryDelayMs: 1 });
  expect(result).toMatchObject({ status: "failed", attempts: 1 });
  expect(result!.error).toMatch(/before the batch starts/);
});

test("the meter derives speed and ETA from the bytes sent over time", () => {
  const meter = new UploadMeter();
  meter.add(0, 0);
  meter.add(1_000_000, 1000);
  meter.add(2_000_000, 2000);
  expect(meter.speed()).toBe(1_000_000);
  expect(meter.eta(10_000_000)).toBe(8);
});
