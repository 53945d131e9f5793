/** Browser uploads to presigned S3 URLs: 5 files at a time, per-file progress, retries, multipart. */
import type { UploadProgress, UploadTarget } from "@/types/batch";
import { completeMultipartUpload, listUploadedParts, type UploadedPart } from "./pending";

export interface PutResult {
  etag: string | null;
}

/** One HTTP PUT of a body, reporting bytes sent. */
export type Transport = (
  url: string,
  headers: Record<string, string>,
  body: Blob,
  onProgress: (loaded: number) => void,
  signal?: AbortSignal,
) => Promise<PutResult>;

export const xhrTransport: Transport = (url, headers, body, onProgress, signal) =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== "content-length") xhr.setRequestHeader(name, value); // the browser sets it
    }
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve({ etag: xhr.getResponseHeader("ETag") });
      else reject(new Error(`Upload refused (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("Network error during upload"));
    xhr.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });

export interface UploadOptions {
  batchJobId: string;
  concurrency?: number;
  maxAttempts?: number;
  retryDelayMs?: number;
  transport?: Transport;
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress[]) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function putMultipart(
  file: File,
  target: UploadTarget,
  options: Required<Pick<UploadOptions, "transport" | "batchJobId">> & { signal?: AbortSignal },
  onProgress: (loaded: number) => void,
): Promise<void> {
  const multipart = target.multipart!;
  // What S3 already has (a retry resumes instead of starting over); a fresh upload has nothing yet.
  let done: UploadedPart[] = [];
  const urls = new Map(multipart.parts.map((p) => [p.part_number, p.url]));
  try {
    const listed = await listUploadedParts(options.batchJobId, target.video_id);
    done = listed.parts.map(({ part_number, etag }) => ({ part_number, etag }));
    for (const fresh of listed.urls ?? []) urls.set(fresh.part_number, fresh.url);
  } catch {
    done = [];
  }
  const finished = new Map(done.map((p) => [p.part_number, p.etag]));
  const sentPerPart = new Map<number, number>();
  for (const part of finished.keys()) {
    sentPerPart.set(part, Math.min(multipart.part_size, file.size - (part - 1) * multipart.part_size));
  }
  const report = () => onProgress([...sentPerPart.values()].reduce((a, b) => a + b, 0));
  report();
  for (const part of multipart.parts) {
    if (finished.has(part.part_number)) continue;
    const start = (part.part_number - 1) * multipart.part_size;
    const chunk = file.slice(start, Math.min(file.size, start + multipart.part_size));
    const { etag } = await options.transport(
      urls.get(part.part_number) ?? part.url,
      {},
      chunk,
      (loaded) => {
        sentPerPart.set(part.part_number, loaded);
        report();
      },
      options.signal,
    );
    if (!etag) throw new Error("S3 did not return an ETag for a part (bucket CORS must expose ETag)");
    finished.set(part.part_number, etag);
    sentPerPart.set(part.part_number, chunk.size);
    report();
  }
  const parts = [...finished.entries()]
    .sort(([a], [b]) => a - b)
    .map(([part_number, etag]) => ({ part_number, etag }));
  await completeMultipartUpload(options.batchJobId, target.video_id, parts);
}

/**
 * Uploads `files[i]` to `targets[i]`. Resolves with the final state of each file (never rejects for
 * one file's failure: a failed file is reported so the UI can offer "Retry" for it alone).
 */
export async function uploadBatchVideos(
  files: File[],
  targets: UploadTarget[],
  options: UploadOptions,
): Promise<UploadProgress[]> {
  const {
    concurrency = 5,
    maxAttempts = 3,
    retryDelayMs = 1000,
    transport = xhrTransport,
    signal,
    onProgress,
  } = options;
  const state: UploadProgress[] = files.map((file, file_index) => ({
    file_index,
    file_name: file.name,
    loaded: 0,
    total: file.size,
    progress: 0,
    status: "queued",
    attempts: 0,
  }));
  const emit = () => onProgress?.(state.map((s) => ({ ...s })));
  const update = (index: number, patch: Partial<UploadProgress>) => {
    const current = state[index]!;
    Object.assign(current, patch);
    current.progress = current.total ? Math.min(100, Math.round((current.loaded / current.total) * 100)) : 100;
    emit();
  };

  async function uploadOne(index: number): Promise<void> {
    const file = files[index]!;
    const target = targets[index]!;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      update(index, { status: "uploading", attempts: attempt, error: undefined });
      try {
        const onBytes = (loaded: number) => update(index, { loaded });
        if (target.multipart) {
          await putMultipart(file, target, { transport, batchJobId: options.batchJobId, signal }, onBytes);
        } else if (target.url) {
          await transport(target.url, target.headers, file, onBytes, signal);
        } else {
          // The API signs a single PUT only for a declared size; the modal always declares it.
          throw new Error("No upload URL for this file: create the batch with the file's size");
        }
        update(index, { status: "done", loaded: file.size });
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const aborted = signal?.aborted ?? false;
        if (attempt === maxAttempts || aborted) {
          update(index, { status: "failed", error: message });
          return;
        }
        update(index, { loaded: target.multipart ? state[index]!.loaded : 0, error: message });
        await sleep(retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const index = next;
      next += 1;
      await uploadOne(index);
    }
  };
  emit();
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return state.map((s) => ({ ...s }));
}

/** Speed (bytes/s) and ETA (s) from samples of total bytes sent over time. */
export class UploadMeter {
  private samples: { at: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  add(bytes: number, at: number = Date.now()): void {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > this.windowMs) this.samples.shift();
  }

  speed(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? (last.bytes - first.bytes) / seconds : 0;
  }

  eta(totalBytes: number): number | null {
    const speed = this.speed();
    const last = this.samples[this.samples.length - 1];
    if (!speed || !last) return null;
    return Math.max(0, (totalBytes - last.bytes) / speed);
  }
}
