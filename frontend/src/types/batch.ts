/** Batch types: generated from docs/openapi.json where the API already has them (src/api/schema.d.ts). */
import type { components } from "@/api/schema";

type Schemas = components["schemas"];
export type BatchJob = Schemas["BatchJobResponse"];
export type BatchJobDetail = Schemas["BatchJobDetail"];
export type BatchVideo = Schemas["BatchVideoResponse"];
export type BatchSettings = Schemas["BatchSettings"];
export type BatchJobCreate = Schemas["BatchJobCreate"];
export type BatchJobCreated = Schemas["BatchJobCreated"];
export type BatchJobList = Schemas["BatchJobList"];
export type BatchJobStatus = Schemas["BatchStatus"];
export type BatchVideoStatus = Schemas["VideoStatus"];
export type ProcessingStage = Schemas["Stage"];
export type UploadTarget = Schemas["UploadTarget"];
export type MultipartUpload = Schemas["MultipartUpload"];
export type FileSpec = Schemas["FileSpec"];
export type Tier = Schemas["Tier"];
export type HighlightSensitivity = Schemas["HighlightSensitivity"];
export type ExportFormat = Schemas["ExportFormat"];
export type ExportQuality = Schemas["ExportQuality"];
export type Language = Schemas["Language"];
export type Usage = Schemas["UsageReport"];
export type UsagePeriod = Schemas["UsagePeriod"];
export type UsagePeriodKind = Usage["period"];

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

// ---- Shapes of endpoints that are not in docs/openapi.json yet (issues 9-12); see src/api/pending.ts.

export type BatchExportFormat = "zip" | "merged" | "playlist";

export interface ExportRequest {
  format: BatchExportFormat;
  include_failed: boolean;
  use_original_names: boolean;
  batch_name_prefix: boolean;
  custom_naming?: string;
}

export interface BatchExport {
  export_id: string;
  batch_job_id?: string;
  format: BatchExportFormat;
  status: "pending" | "running" | "completed" | "failed";
  progress: number;
  current_operation?: string | null;
  download_url?: string | null;
  file_size?: number | null;
  expires_at?: string | null;
  created_at: string;
  expired?: boolean;
  error_message?: string | null;
}

export type ProgressEventType =
  | "video_started"
  | "video_progress"
  | "video_completed"
  | "video_failed"
  | "video_cancelled"
  | "batch_progress"
  | "batch_paused"
  | "batch_resumed"
  | "batch_queued"
  | "batch_completed"
  | "batch_failed"
  | "batch_cancelled";

export interface ProgressEvent {
  type: ProgressEventType;
  batch_id: string;
  video_id?: string | null;
  progress?: number | null;
  current_stage?: ProcessingStage | null;
  message?: string | null;
  error_message?: string | null;
  retry_count?: number | null;
  estimated_time_remaining?: number | null;
  completed_videos?: number;
  failed_videos?: number;
  timestamp: string;
  sequence: number;
}

export interface SnapshotEvent {
  type: "batch_snapshot";
  batch_id: string;
  sequence: number;
  batch: BatchJobDetail;
  timestamp?: string;
}

export type BatchSocketMessage = ProgressEvent | SnapshotEvent;

