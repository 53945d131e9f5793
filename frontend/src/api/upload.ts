/**
 * Browser uploads to presigned S3 URLs: 5 files at a time, per-file progress, retries, multipart.
 * A URL is never used past its expiry or after it failed: the API signs a fresh one (POST …/uploads/{id}),
 * and a multipart upload resumes from the parts S3 already holds (GET …/parts) instead of starting over.
 */
import type { MultipartPart, PartETag, UploadProgress, UploadTarget, UploadedPart } from "@/types/batch";
import { ApiError, completeMultipartUpload, listUploadedParts, requestUpload } from "./client";

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
  /** Milliseconds before its expiry at which a signed URL counts as expired (a PUT takes time). */
  expiryMarginMs?: number;
  now?: () => number;
}

/** Where a file goes: the target the API gave, or only the slot (after a reload, a retry, a replacement). */
export type UploadSlot = UploadTarget | { video_id: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isTarget = (slot: UploadSlot): slot is UploadTarget => "expires_at" in slot;
const contentTypeOf = (file: File) => file.type || null;

interface Sender {
  batchJobId: string;
  transport: Transport;
  signal?: AbortSignal;
  onBytes: (loaded: number) => void;
}

/** What S3 holds of the slot's open multipart upload, or null when there is none for this file. */
async function openParts(file: File, videoId: string, sender: Sender) {
  try {
    const listed = await listUploadedParts(sender.batchJobId, videoId);
    return listed.size === file.size ? listed : null;
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return null; // no multipart upload is open
    throw error;
  }
}

async function putParts(
  file: File,
  videoId: string,
  partSize: number,
  uploaded: UploadedPart[],
  missing: MultipartPart[],
  sender: Sender,
): Promise<void> {
  const finished = new Map(uploaded.map((p) => [p.part_number, p.etag]));
  const sentPerPart = new Map(uploaded.map((p) => [p.part_number, p.size]));
  const report = () => sender.onBytes([...sentPerPart.values()].reduce((a, b) => a + b, 0));
  report();
  for (const part of missing) {
    const start = (part.part_number - 1) * partSize;
    const chunk = file.slice(start, Math.min(file.size, start + partSize));
    const onPart = (loaded: number) => {
      sentPerPart.set(part.part_number, loaded);
      report();
    };
    const { etag } = await sender.transport(part.url, {}, chunk, onPart, sender.signal);
    if (!etag) throw new Error("S3 did not return an ETag for a part (bucket CORS must expose ETag)");
    finished.set(part.part_number, etag);
    onPart(chunk.size);
  }
  const parts: PartETag[] = [...finished.entries()]
    .sort(([a], [b]) => a - b)
    .map(([part_number, etag]) => ({ part_number, etag }));
  await completeMultipartUpload(sender.batchJobId, videoId, parts);
}

/** One attempt at one file. `stale`: the target must not be trusted (it failed, or it expires). */
async function sendFile(file: File, slot: UploadSlot, stale: boolean, sender: Sender): Promise<void> {
  let target = isTarget(slot) && !(stale && !slot.multipart) ? slot : null;
  if (target === null || (stale && target.multipart)) {
    const open = await openParts(file, slot.video_id, sender);
    if (open) return putParts(file, slot.video_id, open.part_size, open.uploaded, open.missing, sender);
    target = await requestUpload(sender.batchJobId, slot.video_id, { size: file.size, content_type: contentTypeOf(file) });
  }
  if (target.multipart) {
    return putParts(file, target.video_id, target.multipart.part_size, [], target.multipart.parts, sender);
  }
  if (!target.url) throw new Error("The API gave no upload URL for this file");
  await sender.transport(target.url, target.headers, file, sender.onBytes, sender.signal);
}

/**
 * Uploads `files[i]` to `slots[i]`. Resolves with the final state of each file (never rejects for
 * one file's failure: a failed file is reported so the UI can offer "Retry" for it alone).
 */
export async function uploadBatchVideos(
  files: File[],
  slots: UploadSlot[],
  options: UploadOptions,
): Promise<UploadProgress[]> {
  const {
    concurrency = 5,
    maxAttempts = 3,
    retryDelayMs = 1000,
    transport = xhrTransport,
    signal,
    onProgress,
    expiryMarginMs = 60_000,
    now = Date.now,
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
  const expires = (slot: UploadSlot) => isTarget(slot) && Date.parse(slot.expires_at) - now() < expiryMarginMs;

  async function uploadOne(index: number): Promise<void> {
    const file = files[index]!;
    const slot = slots[index]!;
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      update(index, { status: "uploading", attempts: attempt, error: undefined });
      try {
        const sender = { batchJobId: options.batchJobId, transport, signal, onBytes: (loaded: number) => update(index, { loaded }) };
        await sendFile(file, slot, attempt > 1 || expires(slot), sender);
        update(index, { status: "done", loaded: file.size });
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const refused = error instanceof ApiError && error.status < 500; // the API said no: trying again changes nothing
        if (attempt === maxAttempts || signal?.aborted || refused) {
          update(index, { status: "failed", error: message });
          return;
        }
        update(index, { error: message });
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
