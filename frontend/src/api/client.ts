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
  BatchJobList,
  BatchJobStatus,
  CancelResult,
  EmailOptedIn,
  ExportAccepted,
  ExportRequest,
  FileSpec,
  RetryFailedResult,
  SnapshotEvent,
  Usage,
  UsagePeriodKind,
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

export interface ListParams {
  status?: BatchJobStatus;
  sort?: string;
  limit?: number;
  offset?: number;
}

export async function getBatchJobs(params: ListParams = {}): Promise<BatchJobList> {
  return unwrap(await api().GET("/api/batch-jobs", { params: { query: params as never } }));
}

export async function getBatchJob(batchJobId: string): Promise<BatchJobDetail> {
  return unwrap(await api().GET("/api/batch-jobs/{batch_id}", { params: { path: { batch_id: batchJobId } } }));
}

export async function createBatchJob(data: BatchJobCreate): Promise<BatchJobCreated> {
  return unwrap(await api().POST("/api/batch-jobs", { body: data }));
}

/** `video_ids` today; `files` (new upload slots) once issue 10 lands. */
export async function addVideosToBatch(
  batchJobId: string,
  body: { video_ids: string[] } | { files: FileSpec[] },
): Promise<BatchJobDetail> {
  return unwrap(
    await api().POST("/api/batch-jobs/{batch_id}/videos", {
      params: { path: { batch_id: batchJobId } },
      body: body as { video_ids: string[] },
    }),
  );
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

const batchPath = (batchJobId: string) => ({ params: { path: { batch_id: batchJobId } } });

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
