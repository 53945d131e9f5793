import {
  Ban,
  CheckCircle2,
  Clock,
  Hourglass,
  Loader2,
  PauseCircle,
  Upload,
  XCircle,
  type LucideIcon,
} from "lucide-react";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import type { BatchJobStatus, BatchVideoStatus, ProcessingStage } from "@/types/batch";

type Status = BatchJobStatus | BatchVideoStatus;

const LOOK: Record<Status, { variant: BadgeProps["variant"]; icon: LucideIcon; label: string; spin?: boolean }> = {
  pending: { variant: "gray", icon: Clock, label: "Pending" },
  queued: { variant: "gray", icon: Hourglass, label: "Queued" },
  uploading: { variant: "blue", icon: Upload, label: "Uploading" },
  processing: { variant: "blue", icon: Loader2, label: "Processing", spin: true },
  paused: { variant: "yellow", icon: PauseCircle, label: "Paused" },
  completed: { variant: "green", icon: CheckCircle2, label: "Completed" },
  failed: { variant: "red", icon: XCircle, label: "Failed" },
  cancelled: { variant: "gray", icon: Ban, label: "Cancelled" },
};

export function StatusBadge({ status }: { status: Status }) {
  const look = LOOK[status];
  const Icon = look.icon;
  return (
    <Badge variant={look.variant} data-status={status}>
      <Icon aria-hidden className={look.spin ? "animate-spin" : undefined} />
      {look.label}
    </Badge>
  );
}

export const STAGE_LABEL: Record<ProcessingStage, string> = {
  uploading: "Uploading",
  transcribing: "Transcribing",
  removing_silence: "Removing silence",
  detecting_highlights: "Detecting highlights",
  exporting: "Exporting",
};
