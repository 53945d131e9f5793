/** Typed client for the endpoints in docs/openapi.json (generated types: src/api/schema.d.ts). */
import createClient from "openapi-fetch";
import { authHeader } from "@/lib/auth";
import { runtimeConfig } from "@/lib/runtimeConfig";
import type {
  BatchExport,
  BatchExportSummary,
  BatchJob,
  BatchJobCreate,
  BatchJobCreated,
  BatchJobDetail,
  BatchJobEdit,
  BatchJobList,
  BatchJobStatus,
  CancelResult,
  EmailOptedIn,
  ExportAccepted,
  ExportRequest,
  FileSpec,
  PartETag,
  RetryFailedResult,
  SnapshotEvent,
  UploadParts,
  UploadRequest,
  UploadState,
  UploadTarget,
  Usage,
  UsagePeriodKind,
  VideosAdded,
} from "@/types/batch";
import { ApiError, errorFrom } from "./errors";
import type { paths } from "./schema";

function makeClient(baseUrl: string) {
  const client = createClient<paths>({
    baseUrl,
    fetch: (request) => globalThis.fetch(request), // looked up per call, so tests can stand in for the network
  });
  client.use({
    onRequest({ request }) {
      for (const [name, value] of Object.entries(authHeader())) request.headers.set(name, value);
      return request;
    },
  });
  return client;
}

let cached: { baseUrl: string; client: ReturnType<typeof makeClient> } | null = null;

/** The client for the API origin of /config.json (the page's own origin in local mode). */
export function api() {
  const baseUrl = runtimeConfig().apiUrl;
  if (cached?.baseUrl !== baseUrl) cached = { baseUrl, client: makeClient(baseUrl) };
  return cached.client;
}

// Some routes document only their error responses, so the success body is typed here from components.
async function unwrap<T>(result: { data?: unknown; error?: unknown; response: Response }): Promise<T> {
  if (result.response.ok) return result.data as T;
  const body = (result.error ?? {}) as { error?: string; detail?: unknown };
  const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail ?? "");
  throw new ApiError(result.response.status, body.error ?? result.response.statusText, detail);
}

const batchPath = (batchJobId: string) => ({ params: { path: { batch_id: batchJobId } } });
const videoPath = (batchJobId: string, videoId: string) => ({
  params: { path: { batch_id: batchJobId, video_id: videoId } },
});

type ListQuery = NonNullable<paths["/api/batch-jobs"]["get"]["parameters"]["query"]>;

export interface ListParams {
  status?: BatchJobStatus;
  sort?: ListQuery["sort"];
  order?: ListQuery["order"];
  limit?: number;
  offset?: number;
}

export async function getBatchJobs(params: ListParams = {}): Promise<BatchJobList> {
  return unwrap(await api().GET("/api/batch-jobs", { params: { query: params } }));
}

export async function getBatchJob(batchJobId: string): Promise<BatchJobDetail> {
  return unwrap(await api().GET("/api/batch-jobs/{batch_id}", { params: { path: { batch_id: batchJobId } } }));
}

export async function createBatchJob(data: BatchJobCreate): Promise<BatchJobCreated> {
  return unwrap(await api().POST("/api/batch-jobs", { body: data }));
}

/** A new name and/or description for a batch that has not started (409 once it has; null clears the description). */
export async function editBatchJob(batchJobId: string, body: BatchJobEdit): Promise<BatchJobDetail> {
  return unwrap(await api().PATCH("/api/batch-jobs/{batch_id}", { ...batchPath(batchJobId), body }));
}

/** Uploaded videos (`video_ids`) or new files (`files`: the reply carries an upload target for each). */
export async function addVideosToBatch(
  batchJobId: string,
  body: { video_ids: string[] } | { files: FileSpec[] },
): Promise<VideosAdded> {
  return unwrap(await api().POST("/api/batch-jobs/{batch_id}/videos", { ...batchPath(batchJobId), body }));
}

// Pending videos: remove one, or give them all a new order.
export async function removeBatchVideo(batchJobId: string, videoId: string): Promise<BatchJobDetail> {
  return unwrap(await api().DELETE("/api/batch-jobs/{batch_id}/videos/{video_id}", videoPath(batchJobId, videoId)));
}

/** `videoIds` is the whole new order, position 1 first. */
export async function reorderBatchVideos(batchJobId: string, videoIds: string[]): Promise<BatchJobDetail> {
  return unwrap(
    await api().PATCH("/api/batch-jobs/{batch_id}/videos", { ...batchPath(batchJobId), body: { video_ids: videoIds } }),
  );
}

// Uploads: a fresh target (first upload, expired URL, retry, replaced file), multipart resume and finish.
export async function requestUpload(batchJobId: string, videoId: string, body: UploadRequest): Promise<UploadTarget> {
  return unwrap(await api().POST("/api/batch-jobs/{batch_id}/uploads/{video_id}", { ...videoPath(batchJobId, videoId), body }));
}

/** What S3 already holds of a multipart upload, and the missing parts with fresh URLs. */
export async function listUploadedParts(batchJobId: string, videoId: string): Promise<UploadParts> {
  const { params } = videoPath(batchJobId, videoId);
  return unwrap(
    await api().GET("/api/batch-jobs/{batch_id}/uploads/{video_id}/parts", { params: { ...params, query: { urls: true } } }),
  );
}

export async function completeMultipartUpload(batchJobId: string, videoId: string, parts: PartETag[]): Promise<UploadState> {
  return unwrap(
    await api().POST("/api/batch-jobs/{batch_id}/uploads/{video_id}/complete", { ...videoPath(batchJobId, videoId), body: { parts } }),
  );
}

export async function abortMultipartUpload(batchJobId: string, videoId: string): Promise<UploadState> {
  return unwrap(await api().POST("/api/batch-jobs/{batch_id}/uploads/{video_id}/abort", videoPath(batchJobId, videoId)));
}

export async function startBatchProcessing(batchJobId: string): Promise<{ job_id: string; batch_job: BatchJob }> {
  return unwrap(
    await api().POST("/api/batch-jobs/{batch_id}/start", { params: { path: { batch_id: batchJobId } } }),
  );
}

/** Seed 5.5: the caller's videos, minutes and success rate per day, week or month, newest first. */
export async function getUsage(period: UsagePeriodKind): Promise<Usage> {
  return unwrap(await api().GET("/api/usage", { params: { query: { period } } }));
}

/** Seed 5.8: e-mail the caller when each of their batches completes, fails or is cancelled (SNS confirms). */
export async function optInToEmail(email: string): Promise<EmailOptedIn> {
  return unwrap(await api().PUT("/api/me/notifications", { body: { email } }));
}

// Control (pause, resume, cancel, retry failed videos, delete a finished batch).
export async function pauseBatchJob(batchJobId: string): Promise<BatchJob> {
  return unwrap(await api().POST("/api/batch-jobs/{batch_id}/pause", batchPath(batchJobId)));
}

export async function resumeBatchJob(batchJobId: string): Promise<BatchJob> {
  return unwrap(await api().POST("/api/batch-jobs/{batch_id}/resume", batchPath(batchJobId)));
}

export async function cancelBatchJob(batchJobId: string): Promise<CancelResult> {
  return unwrap(await api().POST("/api/batch-jobs/{batch_id}/cancel", batchPath(batchJobId)));
}

/** All failed videos, or only `videoIds`. */
export async function retryFailedVideos(batchJobId: string, videoIds?: string[]): Promise<RetryFailedResult> {
  return unwrap(
    await api().POST("/api/batch-jobs/{batch_id}/retry-failed", {
      ...batchPath(batchJobId),
      body: videoIds ? { video_ids: videoIds } : {},
    }),
  );
}

export async function deleteBatchJob(batchJobId: string): Promise<void> {
  await unwrap(await api().DELETE("/api/batch-jobs/{batch_id}", batchPath(batchJobId)));
}

/** The snapshot a (re)connecting client starts from: the same shape as the socket's first message. */
export async function getBatchProgress(batchJobId: string): Promise<SnapshotEvent> {
  return unwrap(await api().GET("/api/batch-jobs/{batch_id}/progress", batchPath(batchJobId)));
}

// Exports.
export async function exportBatch(batchJobId: string, body: ExportRequest): Promise<ExportAccepted> {
  return unwrap(await api().POST("/api/batch-jobs/{batch_id}/export", { ...batchPath(batchJobId), body }));
}

/** An export's state, with a freshly signed download_url once completed. */
export async function getExportStatus(batchJobId: string, exportId: string): Promise<BatchExport> {
  return unwrap(
    await api().GET("/api/batch-jobs/{batch_id}/export/{export_id}", {
      params: { path: { batch_id: batchJobId, export_id: exportId } },
    }),
  );
}

export async function listExports(batchJobId: string): Promise<BatchExportSummary[]> {
  const history = await unwrap<{ exports: BatchExportSummary[] }>(
    await api().GET("/api/batch-jobs/{batch_id}/exports", batchPath(batchJobId)),
  );
  return history.exports;
}

export { ApiError, errorFrom };
