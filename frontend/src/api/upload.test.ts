import type { UploadTarget } from "@/types/batch";
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

test("retries a failing file and reports it failed after the last attempt, others unaffected", async () => {
  const calls = new Map<string, number>();
  const transport: Transport = async (url) => {
    calls.set(url, (calls.get(url) ?? 0) + 1);
    if (url.endsWith("/1")) throw new Error("Upload refused (HTTP 403)");
    if (url.endsWith("/2") && calls.get(url) === 1) throw new Error("Network error during upload");
    return { etag: null };
  };
  const files = [file(0), file(1), file(2)];
  const result = await uploadBatchVideos(files, files.map((_, i) => target(i)), {
    batchJobId: "b1",
    transport,
    retryDelayMs: 1,
  });
  expect(result.map((r) => r.status)).toEqual(["done", "failed", "done"]);
  expect(result[1]).toMatchObject({ attempts: 3, error: "Upload refused (HTTP 403)" });
  expect(result[2]!.attempts).toBe(2);
});

test("a multipart target is sent in parts, resumes from the parts S3 has, then completes with ETags", async () => {
  const fetchCalls: { url: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    fetchCalls.push({ url, body: init.body ? JSON.parse(String(init.body)) : null });
    if (url.endsWith("/parts")) {
      return new Response(JSON.stringify({ parts: [{ part_number: 1, etag: '"p1"' }] }), { status: 200 });
    }
    return new Response("{}", { status: 200 });
  });
  const putSizes: number[] = [];
  const transport: Transport = async (url, _h, body) => {
    putSizes.push(body.size);
    return { etag: `"${url.slice(-2)}"` };
  };
  const multipart = {
    upload_id: "u",
    part_size: 4,
    parts: [1, 2, 3].map((n) => ({ part_number: n, url: `http://s3/part-${n}` })),
    complete_url: "",
    abort_url: "",
    list_parts_url: "",
  };
  const result = await uploadBatchVideos([file(0, 10)], [target(0, { multipart })], {
    batchJobId: "b1",
    transport,
  });
  vi.unstubAllGlobals();
  expect(result[0]!.status).toBe("done");
  expect(putSizes).toEqual([4, 2]); // part 1 was already uploaded
  const complete = fetchCalls.find((c) => c.url.endsWith("/uploads/v0/complete"))!;
  expect(complete.body).toEqual({
    parts: [
      { part_number: 1, etag: '"p1"' },
      { part_number: 2, etag: '"-2"' },
      { part_number: 3, etag: '"-3"' },
    ],
  });
});

test("the meter derives speed and ETA from the bytes sent over time", () => {
  const meter = new UploadMeter();
  meter.add(0, 0);
  meter.add(1_000_000, 1000);
  meter.add(2_000_000, 2000);
  expect(meter.speed()).toBe(1_000_000);
  expect(meter.eta(10_000_000)).toBe(8);
});
