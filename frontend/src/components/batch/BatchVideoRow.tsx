import {
  AlertCircle,
  ArrowDown,
  ArrowUp,
  Download,
  Eye,
  FileVideo,
  GripVertical,
  MoreHorizontal,
  RotateCcw,
  Trash2,
  Upload,
} from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Checkbox } from "@/components/ui/form";
import { Progress } from "@/components/ui/progress";
import { TableCell, TableRow } from "@/components/ui/table";
import { Tooltip } from "@/components/ui/tooltip";
import { cn, formatDuration } from "@/lib/utils";
import type { BatchVideo } from "@/types/batch";
import { ArtifactMenuItems } from "./artifacts";
import { STAGE_LABEL, StatusBadge } from "./status";

export type VideoAction = "view" | "retry" | "remove" | "download" | "view-error" | "upload";

/** A file the probe refused (not a video it can decode, a size it did not declare): running it again
 * changes nothing, only another file does. */
export function cannotDecode(video: BatchVideo): boolean {
  return video.upload_status === "invalid" || /not a decodable video|upload the file again/i.test(video.error_message ?? "");
}

export interface BatchVideoRowProps {
  batchVideo: BatchVideo;
  onAction: (action: VideoAction, video: BatchVideo) => void;
  selectable?: boolean;
  selected?: boolean;
  onSelect?: (video: BatchVideo, selected: boolean) => void;
  /** Set before the batch starts: the row can be dragged (or moved with its buttons) to reorder. */
  onMove?: (video: BatchVideo, direction: -1 | 1) => void;
  onDropOn?: (dragged: string, target: BatchVideo) => void;
}

export function thumbnailOf(video: BatchVideo): string | undefined {
  return video.artifacts?.thumbnail ?? video.artifacts?.poster;
}

export function BatchVideoRow({
  batchVideo: video,
  onAction,
  selectable = false,
  selected = false,
  onSelect,
  onMove,
  onDropOn,
}: BatchVideoRowProps) {
  const thumbnail = thumbnailOf(video);
  const failed = video.status === "failed";
  const undecodable = cannotDecode(video);
  const retriable = failed && video.retry_count < video.max_retries && !undecodable;
  const open = video.status === "pending" || video.status === "uploading";
  const missing = open && video.upload_status === "awaiting_upload";
  const replaceable = open && video.upload_status === "invalid";
  const processingSeconds =
    video.started_at && video.completed_at
      ? (new Date(video.completed_at).getTime() - new Date(video.started_at).getTime()) / 1000
      : null;
  return (
    <TableRow
      data-video-id={video.video_id}
      className={cn(
        failed && "border-l-4 border-l-red-500",
        video.status === "completed" && "border-l-4 border-l-green-300",
      )}
      draggable={Boolean(onDropOn)}
      onDragStart={(event) => event.dataTransfer.setData("text/plain", video.video_id)}
      onDragOver={(event) => onDropOn && event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault();
        onDropOn?.(event.dataTransfer.getData("text/plain"), video);
      }}
    >
      <TableCell className="whitespace-nowrap">
        <div className="flex items-center gap-2">
          {onMove && (
            <span className="flex items-center">
              <GripVertical aria-hidden className="size-4 cursor-grab text-muted-foreground" />
              <Button size="icon" variant="ghost" className="size-7" aria-label={`Move ${video.original_name} up`} onClick={() => onMove(video, -1)}>
                <ArrowUp aria-hidden />
              </Button>
              <Button size="icon" variant="ghost" className="size-7" aria-label={`Move ${video.original_name} down`} onClick={() => onMove(video, 1)}>
                <ArrowDown aria-hidden />
              </Button>
            </span>
          )}
          {selectable && (
            <Checkbox
              checked={selected}
              aria-label={`Select ${video.original_name}`}
              onCheckedChange={(checked) => onSelect?.(video, checked === true)}
            />
          )}
          <span>#{video.position}</span>
        </div>
      </TableCell>
      <TableCell className="hidden sm:table-cell">
        {thumbnail ? (
          <img src={thumbnail} alt="" className="h-9 w-16 rounded object-cover" />
        ) : (
          <span className="flex h-9 w-16 items-center justify-center rounded bg-muted" aria-hidden>
            <FileVideo className="size-4 text-muted-foreground" />
          </span>
        )}
      </TableCell>
      <TableCell className="max-w-40">
        <Tooltip content={video.original_name}>
          <span tabIndex={0} className="block truncate rounded-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
            {video.original_name}
          </span>
        </Tooltip>
        {undecodable && video.error_message && (
          <p className="mt-1 whitespace-normal text-xs text-red-800">
            {video.error_message}. Retrying cannot help: replace the file{failed ? " in a new batch" : ""}.
          </p>
        )}
      </TableCell>
      <TableCell>
        <div className="flex flex-wrap items-center gap-1">
          {failed && video.error_message ? (
            <Tooltip content={video.error_message}>
              <span tabIndex={0} aria-label={`Failed: ${video.error_message}`} className="rounded-full focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
                <StatusBadge status={video.status} />
              </span>
            </Tooltip>
          ) : video.status === "completed" && processingSeconds !== null ? (
            <Tooltip content={`Processed in ${formatDuration(processingSeconds)}`}>
              <span tabIndex={0} className="rounded-full focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
                <StatusBadge status={video.status} />
              </span>
            </Tooltip>
          ) : (
            <StatusBadge status={video.status} />
          )}
          {missing && <Badge variant="yellow">File missing</Badge>}
          {replaceable && <Badge variant="red">Cannot be processed</Badge>}
          {video.retry_count > 0 && (
            <Badge variant="outline">
              Retry {video.retry_count}/{video.max_retries}
            </Badge>
          )}
        </div>
      </TableCell>
      <TableCell className="min-w-28">
        <div className="flex items-center gap-2">
          <Progress value={video.progress_percentage} aria-label={`${video.original_name} progress`} className="w-20" />
          <span className="text-xs tabular-nums">{video.progress_percentage}%</span>
        </div>
      </TableCell>
      <TableCell className="hidden md:table-cell text-xs">
        {video.current_stage ? STAGE_LABEL[video.current_stage] : "—"}
      </TableCell>
      <TableCell className="hidden sm:table-cell tabular-nums">{formatDuration(video.duration)}</TableCell>
      <TableCell>
        <div className="flex items-center gap-1">
          {retriable && (
            <Button size="sm" variant="outline" onClick={() => onAction("retry", video)}>
              <RotateCcw aria-hidden /> Retry
            </Button>
          )}
          {(missing || replaceable) && (
            <Button
              size="sm"
              variant="outline"
              aria-label={`${missing ? "Upload file" : "Replace file"} for ${video.original_name}`}
              onClick={() => onAction("upload", video)}
            >
              <Upload aria-hidden /> {missing ? "Upload file" : "Replace file"}
            </Button>
          )}
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button size="icon" variant="ghost" aria-label={`Actions for ${video.original_name}`}>
                <MoreHorizontal aria-hidden />
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end">
              <DropdownMenuItem onSelect={() => onAction("view", video)}>
                <Eye aria-hidden /> View video
              </DropdownMenuItem>
              {retriable && (
                <DropdownMenuItem onSelect={() => onAction("retry", video)}>
                  <RotateCcw aria-hidden /> Retry
                </DropdownMenuItem>
              )}
              {failed && (
                <DropdownMenuItem onSelect={() => onAction("view-error", video)}>
                  <AlertCircle aria-hidden /> View error
                </DropdownMenuItem>
              )}
              {open && (
                <DropdownMenuItem onSelect={() => onAction("remove", video)}>
                  <Trash2 aria-hidden /> Remove
                </DropdownMenuItem>
              )}
              {video.status === "completed" && video.output_video_url && (
                <DropdownMenuItem onSelect={() => onAction("download", video)}>
                  <Download aria-hidden /> Download
                </DropdownMenuItem>
              )}
              <ArtifactMenuItems video={video} />
            </DropdownMenuContent>
          </DropdownMenu>
        </div>
      </TableCell>
    </TableRow>
  );
}
