/**
 * Client functions for endpoints other engineers are building now (issues 9-12). They follow the
 * paths and shapes of those issues; when the routes land in docs/openapi.json, re-point each one to the
 * generated client (src/api/client.ts) and its types. Everything not yet generated lives here.
 */
import type {
  BatchExport,
  BatchJob,
  BatchJobDetail,
  ExportRequest,
  Plan,
  SnapshotEvent,
} from "@/types/batch";
import { request } from "./http";

const batch = (id: string) => `/api/batch-jobs/${encodeURIComponent(id)}`;

// Issue 9: control.
export const pauseBatchJob = (id: string) => request<BatchJob>("POST", `${batch(id)}/pause`);
export const resumeBatchJob = (id: string) => request<BatchJob>("POST", `${batch(id)}/resume`);
export const cancelBatchJob = (id: string) => request<BatchJob>("POST", `${batch(id)}/cancel`);
export const retryFailedVideos = (id: string, videoIds?: string[]) =>
  request<BatchJob>("POST", `${batch(id)}/retry-failed`, videoIds ? { video_ids: videoIds } : undefined);
export const deleteBatchJob = (id: string) => request<void>("DELETE", `${batch(id)}`);

// Issue 10: uploads and pending videos.
export const removeBatchVideo = (id: string, videoId: string) =>
  request<void>("DELETE", `${batch(id)}/videos/${encodeURIComponent(videoId)}`);
export const reorderBatchVideos = (id: string, videoIds: string[]) =>
  request<BatchJobDetail>("PATCH", `${batch(id)}/videos`, {
    positions: videoIds.map((video_id, index) => ({ video_id, position: index + 1 })),
  });

export interface UploadedPart {
  part_number: number;
  etag: string;
}
export const completeMultipartUpload = (id: string, videoId: string, parts: UploadedPart[]) =>
  request<unknown>("POST", `${batch(id)}/uploads/${encodeURIComponent(videoId)}/complete`, { parts });
export const abortMultipartUpload = (id: string, videoId: string) =>
  request<unknown>("POST", `${batch(id)}/uploads/${encodeURIComponent(videoId)}/abort`);
export const listUploadedParts = (id: string, videoId: string) =>
  request<{ parts: (UploadedPart & { size?: number })[]; urls?: { part_number: number; url: string }[] }>(
    "GET",
    `${batch(id)}/uploads/${encodeURIComponent(videoId)}/parts`,
  );

// Issue 11: progress snapshot for clients that poll or reconnect.
export const getBatchProgress = (id: string) => request<SnapshotEvent>("GET", `${batch(id)}/progress`);

// Issue 12: exports.
export const exportBatch = (id: string, config: ExportRequest) =>
  request<{ export_id: string; status: string }>("POST", `${batch(id)}/export`, config);
export const getExportStatus = (id: string, exportId: string) =>
  request<BatchExport>("GET", `${batch(id)}/export/${encodeURIComponent(exportId)}`);
export const listExports = (id: string) =>
  request<{ exports: BatchExport[] }>("GET", `${batch(id)}/exports`).then((r) => r.exports);

// Local mode only (reelflow/local/webapp.py).
export const listPlans = () => request<{ plans: Plan[] }>("GET", "/local/plans").then((r) => r.plans);
export const mintLocalToken = (user_id: string, tier: string) =>
  request<{ token: string; user_id: string; tier: Plan["tier"] }>("POST", "/local/token", { user_id, tier });
