import type { BatchJob, BatchJobDetail, BatchSettings, BatchVideo, Usage, UsagePeriod } from "@/types/batch";
import { build, conforming, sampleOf } from "./contract";

/** Fixtures start from docs/openapi.json (every required field, the documented defaults) and check the
 * result against it: a fixture the API could never send fails where it is made. */

let counter = 0;

export function makeVideo(overrides: Partial<BatchVideo> = {}): BatchVideo {
  counter += 1;
  return build<BatchVideo>("BatchVideoResponse", {
    id: `bv${counter}`,
    batch_job_id: "b1",
    video_id: `v${counter}`,
    position: counter,
    original_name: `clip-${counter}.mp4`,
    status: "pending",
    upload_status: "uploaded",
    progress_percentage: 0,
    current_stage: null,
    error_message: null,
    retry_count: 0,
    max_retries: 3,
    duration: 65,
    processing_result: null,
    artifacts: {},
    output_video_url: null,
    created_at: "2026-01-01T10:00:00Z",
    started_at: null,
    completed_at: null,
    updated_at: "2026-01-01T10:00:00Z",
    ...overrides,
  });
}

export function makeBatch(overrides: Partial<BatchJob> = {}): BatchJob {
  counter += 1;
  return build<BatchJob>("BatchJobResponse", {
    id: `b${counter}`,
    user_id: "alice",
    tier: "creator",
    name: `Batch ${counter}`,
    description: null,
    settings: sampleOf({ $ref: "#/components/schemas/BatchSettings" }) as BatchSettings,
    status: "pending",
    total_videos: 3,
    completed_videos: 0,
    failed_videos: 0,
    cancelled_videos: 0,
    progress_percentage: 0,
    total_duration_seconds: 180,
    processed_duration_seconds: 0,
    estimated_time_remaining: null,
    priority: 5,
    execution_arn: null,
    source: "api",
    summary: null,
    error_message: null,
    created_at: new Date(Date.now() - 2 * 3600_000).toISOString(),
    started_at: null,
    completed_at: null,
    updated_at: "2026-01-01T10:00:00Z",
    ...overrides,
  });
}

export function makeDetail(overrides: Partial<BatchJobDetail> = {}, videos?: BatchVideo[]): BatchJobDetail {
  const batch = makeBatch(overrides);
  const list =
    videos ?? [1, 2, 3].map((position) => makeVideo({ batch_job_id: batch.id, position }));
  return conforming("BatchJobDetail", { ...batch, total_videos: list.length, videos: list, ...overrides });
}

export function makeUsagePeriod(overrides: Partial<UsagePeriod> = {}): UsagePeriod {
  return build<UsagePeriod>("UsagePeriod", {
    period: "2026-W48",
    start: "2026-11-23T00:00:00Z",
    end: "2026-11-30T00:00:00Z",
    batches: 2,
    videos_processed: 12,
    videos_completed: 9,
    videos_failed: 3,
    minutes_processed: 30.5,
    success_rate: 0.75,
    ...overrides,
  });
}

export function makeUsage(periods: UsagePeriod[], overrides: Partial<Usage> = {}): Usage {
  const sum = (field: "batches" | "videos_processed" | "videos_completed" | "videos_failed" | "minutes_processed") =>
    periods.reduce((total, row) => total + row[field], 0);
  const processed = sum("videos_processed");
  return build<Usage>("UsageReport", {
    tier: "pro",
    period: "week",
    periods,
    plan: {
      max_videos_per_batch: 50,
      videos_in_flight: 5,
      running_batches: 3,
      batch_creations_per_hour: null,
      batches_created_last_hour: 0,
      batch_creations_left: null,
    },
    total: makeUsagePeriod({
      period: "total",
      batches: sum("batches"),
      videos_processed: processed,
      videos_completed: sum("videos_completed"),
      videos_failed: sum("videos_failed"),
      minutes_processed: sum("minutes_processed"),
      success_rate: processed ? sum("videos_completed") / processed : null,
    }),
    ...overrides,
  });
}
