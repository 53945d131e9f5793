/** Batch types: generated from docs/openapi.json where the API already has them (src/api/schema.d.ts). */
import type { components } from "@/api/schema";

type Schemas = components["schemas"];
export type BatchJob = Schemas["BatchJobResponse"];
export type BatchJobDetail = Schemas["BatchJobDetail"];
export type BatchVideo = Schemas["BatchVideoResponse"];
export type BatchSettings = Schemas["BatchSettings"];
export type BatchJobCreate = Schemas["BatchJobCreate"];
export type BatchJobEdit = Schemas["BatchJobEdit"];
export type BatchJobCreated = Schemas["BatchJobCreated"];
export type BatchJobList = Schemas["BatchJobList"];
export type BatchJobStatus = Schemas["BatchStatus"];
export type BatchVideoStatus = Schemas["VideoStatus"];
export type ProcessingStage = Schemas["Stage"];
export type UploadTarget = Schemas["UploadTarget"];
export type MultipartUpload = Schemas["MultipartUpload"];
export type FileSpec = Schemas["FileSpec"];
export type UploadRequest = Schemas["UploadRequest"];
export type UploadParts = Schemas["UploadParts"];
export type UploadState = Schemas["UploadState"];
export type PartETag = Schemas["PartETag"];
export type UploadedPart = Schemas["UploadedPart"];
export type MultipartPart = Schemas["MultipartPart"];
export type VideosAdded = Schemas["VideosAdded"];
export type Tier = Schemas["Tier"];
export type HighlightSensitivity = Schemas["HighlightSensitivity"];
export type ExportFormat = Schemas["ExportFormat"];
export type ExportQuality = Schemas["ExportQuality"];
export type Language = Schemas["Language"];
export type Usage = Schemas["UsageReport"];
export type UsagePeriod = Schemas["UsagePeriod"];
export type UsagePeriodKind = Usage["period"];
export type EmailOptedIn = Schemas["EmailOptedIn"];

export const BATCH_STATUSES: BatchJobStatus[] = [
  "pending",
  "queued",
  "processing",
  "paused",
  "completed",
  "failed",
  "cancelled",
];
export const TERMINAL_STATUSES: BatchJobStatus[] = ["completed", "failed", "cancelled"];
export const RUNNING_STATUSES: BatchJobStatus[] = ["queued", "processing"];

export interface UploadProgress {
  file_index: number;
  file_name: string;
  loaded: number;
  total: number;
  progress: number; // 0-100
  status: "queued" | "uploading" | "done" | "failed";
  attempts: number;
  error?: string;
}

export interface Plan {
  tier: Tier;
  max_videos_per_batch: number;
  batch_creations_per_hour: number | null;
  videos_in_flight: number;
  running_batches: number;
}

// ---- Exports and live progress: components of docs/openapi.json too.

export type BatchExportFormat = Schemas["BatchExportKind"];
export type ExportRequest = Schemas["ExportRequest"];
export type ExportAccepted = Schemas["ExportAccepted"];
export type BatchExport = Schemas["ExportDetail"];
export type BatchExportSummary = Schemas["ExportSummary"];
export type CancelResult = Schemas["CancelResponse"];
export type RetryFailedResult = Schemas["RetryFailedResponse"];

/** Every message the progress WebSocket sends for a subscribed batch (discriminated by `type`). */
export type BatchSocketMessage = Schemas["ProgressEvent"];
export type SnapshotEvent = Schemas["BatchSnapshot"];
export type ProgressEvent = Exclude<BatchSocketMessage, SnapshotEvent>;
export type ProgressEventType = ProgressEvent["type"];
export type VideoState = Schemas["VideoState"];
