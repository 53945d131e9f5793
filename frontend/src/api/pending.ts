/**
 * Client functions for endpoints not in docs/openapi.json yet (multipart completion, video remove and
 * reorder: issue 10) and the local-only sign-in routes. When a route lands in the document, move its
 * function to the generated client (src/api/client.ts) and its types.
 */
import type { BatchJobDetail, Plan } from "@/types/batch";
import { request } from "./http";

const batch = (id: string) => `/api/batch-jobs/${encodeURIComponent(id)}`;

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

// Local mode only (reelflow/local/webapp.py).
export const listPlans = () => request<{ plans: Plan[] }>("GET", "/local/plans").then((r) => r.plans);
export const mintLocalToken = (user_id: string, tier: string) =>
  request<{ token: string; user_id: string; tier: Plan["tier"] }>("POST", "/local/token", { user_id, tier });
