/** Typed client for the endpoints in docs/openapi.json (generated types: src/api/schema.d.ts). */
import createClient from "openapi-fetch";
import { authHeader } from "@/lib/auth";
import { runtimeConfig } from "@/lib/runtimeConfig";
import type {
  BatchJob,
  BatchJobCreate,
  BatchJobCreated,
  BatchJobDetail,
  BatchJobList,
  BatchJobStatus,
  FileSpec,
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

export { ApiError, errorFrom };
