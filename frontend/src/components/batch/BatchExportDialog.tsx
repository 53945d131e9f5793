import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronDown, Download, RefreshCw } from "lucide-react";
import * as React from "react";
import { exportBatch, getExportStatus, listExports } from "@/api/client";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import {
  Checkbox,
  Collapsible,
  CollapsibleContent,
  CollapsibleTrigger,
  Input,
  Label,
  RadioGroup,
  RadioGroupItem,
} from "@/components/ui/form";
import { Progress } from "@/components/ui/progress";
import { LinkExpiry, refreshDelay } from "./LinkExpiry";
import { formatBytes, relativeTime, timeUntil } from "@/lib/utils";
import type { BatchExport, BatchExportFormat, BatchExportSummary, BatchJobDetail, BatchVideo, ExportRequest } from "@/types/batch";

const FORMATS: { value: BatchExportFormat; label: string; description: string }[] = [
  { value: "zip", label: "Individual files (ZIP)", description: "Download all videos as a ZIP archive" },
  { value: "merged", label: "Merged video", description: "Combine all videos into a single file" },
  { value: "playlist", label: "Playlist (M3U8)", description: "Generate a playlist file for streaming" },
];
const PLACEHOLDERS = ["position", "name", "ext", "batch"];

export function namingProblem(pattern: string): string | null {
  for (const match of pattern.matchAll(/\{([^}]*)\}/g)) {
    if (!PLACEHOLDERS.includes(match[1]!)) return `Unknown placeholder {${match[1]}}: use {position}, {name}, {ext} or {batch}.`;
  }
  return null;
}

export interface BatchExportDialogProps {
  batch: BatchJobDetail;
  isOpen: boolean;
  onClose: () => void;
  pollIntervalMs?: number;
  now?: () => number;
}

/** The size of a video's rendered output, as its export stage recorded it (processing_result.exporting). */
function renderedSize(video: BatchVideo): number {
  const rendered = video.processing_result?.exporting as { size?: unknown } | undefined;
  return typeof rendered?.size === "number" ? rendered.size : 0;
}

export function BatchExportDialog({ batch, isOpen, onClose, pollIntervalMs = 1500, now = Date.now }: BatchExportDialogProps) {
  const id = React.useId();
  const queryClient = useQueryClient();
  const [config, setConfig] = React.useState<ExportRequest>({
    format: "zip",
    include_failed: false,
    use_original_names: true,
    batch_name_prefix: false,
    hls: false,
    include_extras: true, // the API's default: captions, poster and cut lists beside each video in a ZIP
    custom_naming: "",
  });
  const [exportId, setExportId] = React.useState<string | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [submitting, setSubmitting] = React.useState(false);

  const status = useQuery({
    queryKey: ["export", batch.id, exportId],
    queryFn: () => getExportStatus(batch.id, exportId!),
    enabled: Boolean(exportId),
    refetchInterval: (q) => {
      const data = q.state.data;
      if (!data || !["completed", "failed"].includes(data.status)) return pollIntervalMs;
      return data.status === "completed" ? refreshDelay(data.links_expire_at, now(), pollIntervalMs) : false;
    },
  });
  const history = useQuery({ queryKey: ["exports", batch.id], queryFn: () => listExports(batch.id), enabled: isOpen });

  React.useEffect(() => {
    if (status.data?.status === "completed" || status.data?.status === "failed") {
      void queryClient.invalidateQueries({ queryKey: ["exports", batch.id] });
    }
  }, [status.data?.status, batch.id, queryClient]);

  const included = batch.videos.filter((v) => v.status === "completed" || (config.include_failed && v.status === "failed"));
  const estimatedBytes = included.reduce((sum, v) => sum + renderedSize(v), 0);
  const naming = config.custom_naming ? namingProblem(config.custom_naming) : null;
  const current: BatchExport | undefined = status.data;
  const running = Boolean(exportId) && (!current || current.status === "pending" || current.status === "processing");

  async function submit() {
    setError(null);
    setSubmitting(true);
    try {
      const body: ExportRequest = { ...config, custom_naming: config.custom_naming || undefined };
      const started = await exportBatch(batch.id, body);
      setExportId(started.export_id);
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setSubmitting(false);
    }
  }

  const set = <K extends keyof ExportRequest>(key: K, value: ExportRequest[K]) => setConfig((c) => ({ ...c, [key]: value }));

  return (
    <Dialog open={isOpen} onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-w-xl">
        <DialogHeader>
          <DialogTitle>Export “{batch.name}”</DialogTitle>
          <DialogDescription>Choose how the processed videos are packaged for download.</DialogDescription>
        </DialogHeader>

        {!exportId && (
          <div className="grid gap-4">
            <RadioGroup value={config.format} onValueChange={(v) => set("format", v as BatchExportFormat)} aria-label="Export format">
              {FORMATS.map((format) => (
                <div key={format.value} className="flex items-start gap-2">
                  <RadioGroupItem value={format.value} id={`${id}-${format.value}`} className="mt-0.5" aria-describedby={`${id}-${format.value}-d`} />
                  <div>
                    <Label htmlFor={`${id}-${format.value}`}>{format.label}</Label>
                    <p id={`${id}-${format.value}-d`} className="text-xs text-muted-foreground">
                      {format.description}
                    </p>
                  </div>
                </div>
              ))}
            </RadioGroup>
            <div className="grid gap-2">
              {(
                [
                  ["include_failed", "Include failed videos"],
                  ["use_original_names", "Use original filenames"],
                  ["batch_name_prefix", "Add batch name prefix"],
                ] as const
              ).map(([key, label]) => (
                <div key={key} className="flex items-center gap-2">
                  <Checkbox id={`${id}-${key}`} checked={config[key]} onCheckedChange={(c) => set(key, c === true)} />
                  <Label htmlFor={`${id}-${key}`}>{label}</Label>
                </div>
              ))}
            </div>
            {config.format === "zip" && (
              <div className="grid gap-1.5">
                <Label htmlFor={`${id}-naming`}>Naming pattern</Label>
                <Input
                  id={`${id}-naming`}
                  placeholder="{position}_{name}.{ext}"
                  value={config.custom_naming ?? ""}
                  aria-describedby={`${id}-naming-help`}
                  aria-invalid={Boolean(naming)}
                  onChange={(event) => set("custom_naming", event.target.value)}
                />
                <p id={`${id}-naming-help`} className={naming ? "text-xs text-red-800" : "text-xs text-muted-foreground"}>
                  {naming ?? "Use {position}, {name}, {ext} and {batch} placeholders."}
                </p>
              </div>
            )}
            <section aria-label="Export preview" className="rounded-md bg-muted p-3 text-sm">
              <p>
                {included.length} video{included.length === 1 ? "" : "s"} · about {formatBytes(estimatedBytes)}
              </p>
              <p className="text-muted-foreground">
                {config.format === "zip" && `ZIP archive with ${included.length} ${batch.settings.export_format?.toUpperCase() ?? "MP4"} files`}
                {config.format === "merged" && `One ${batch.settings.export_format?.toUpperCase() ?? "MP4"} with ${included.length} chapters`}
                {config.format === "playlist" && `M3U8 playlist of ${included.length} entries`}
              </p>
            </section>
          </div>
        )}

        {error && (
          <Alert variant="destructive">
            <AlertTitle>Export failed to start</AlertTitle>
            <AlertDescription className="flex flex-wrap items-center gap-2">
              {error}
              <Button size="sm" variant="outline" onClick={submit}>
                <RefreshCw aria-hidden /> Try again
              </Button>
            </AlertDescription>
          </Alert>
        )}

        {running && (
          <section aria-label="Export progress" className="grid gap-2">
            <Progress value={current?.progress ?? 0} aria-label="Export progress" />
            <p className="text-sm text-muted-foreground">
              {current?.current_operation ?? "Preparing…"} · {current?.progress ?? 0}%
            </p>
          </section>
        )}

        {current?.status === "failed" && (
          <Alert variant="destructive">
            <AlertTitle>Export failed</AlertTitle>
            <AlertDescription>{current.error_message ?? "The export did not finish."}</AlertDescription>
          </Alert>
        )}

        {current?.status === "completed" && current.download_url && (
          <section aria-label="Download" className="grid gap-2">
            <Alert variant="success">
              <AlertTitle>Export ready</AlertTitle>
              <AlertDescription>{current.file_size != null ? formatBytes(current.file_size) : ""}</AlertDescription>
            </Alert>
            <Button asChild size="lg">
              <a href={current.download_url} download>
                <Download aria-hidden /> Download
              </a>
            </Button>
            <LinkExpiry linksExpireAt={current.links_expire_at} exportExpiresAt={current.expires_at} now={now} />
            <Button variant="link" onClick={() => setExportId(null)}>
              New export with different settings
            </Button>
          </section>
        )}

        <Collapsible>
          <CollapsibleTrigger className="flex items-center gap-1 rounded-sm text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring">
            <ChevronDown aria-hidden className="size-4" /> Export history ({history.data?.length ?? 0})
          </CollapsibleTrigger>
          <CollapsibleContent>
            <ExportHistory batchId={batch.id} exports={history.data ?? []} now={now} />
          </CollapsibleContent>
        </Collapsible>

        {!exportId && (
          <DialogFooter>
            <Button variant="outline" onClick={onClose}>
              Cancel
            </Button>
            <Button onClick={submit} disabled={submitting || Boolean(naming) || included.length === 0}>
              Export
            </Button>
          </DialogFooter>
        )}
      </DialogContent>
    </Dialog>
  );
}

export interface ExportHistoryProps {
  batchId: string;
  exports: BatchExportSummary[];
  now?: () => number;
}

/** Past exports; a completed one downloads through a freshly signed URL (the history carries none). */
export function ExportHistory({ batchId, exports, now = Date.now }: ExportHistoryProps) {
  const download = async (exportId: string) => {
    const detail = await getExportStatus(batchId, exportId);
    if (detail.download_url) window.location.assign(detail.download_url);
  };
  if (exports.length === 0) return <p className="py-2 text-sm text-muted-foreground">No exports yet.</p>;
  return (
    <ul className="grid gap-2 py-2" aria-label="Export history">
      {exports.map((item) => {
        const expired = item.expired || (item.expires_at != null && !timeUntil(item.expires_at, now()));
        return (
          <li key={item.export_id} className="flex flex-wrap items-center gap-2 text-sm">
            <Badge variant="outline" className="uppercase">
              {item.format}
            </Badge>
            <time dateTime={item.created_at}>{relativeTime(item.created_at, now())}</time>
            {item.file_size != null && <span>{formatBytes(item.file_size)}</span>}
            {item.status === "pending" || item.status === "processing" ? (
              <Badge variant="blue">Generating…</Badge>
            ) : item.status === "failed" ? (
              <Badge variant="red">Failed</Badge>
            ) : expired ? (
              <Badge variant="gray">Expired</Badge>
            ) : item.status === "completed" ? (
              <Button variant="link" className="h-auto p-0" onClick={() => void download(item.export_id)}>
                Download
              </Button>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
