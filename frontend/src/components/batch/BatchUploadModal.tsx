import { zodResolver } from "@hookform/resolvers/zod";
import { CheckCircle2, RotateCcw, Trash2, UploadCloud } from "lucide-react";
import * as React from "react";
import { useDropzone } from "react-dropzone";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { createBatchJob, startBatchProcessing } from "@/api/client";
import { type Transport, UploadMeter, uploadBatchVideos, xhrTransport } from "@/api/upload";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, Label, Textarea } from "@/components/ui/form";
import { Progress } from "@/components/ui/progress";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatBytes, formatDuration, formatEta } from "@/lib/utils";
import type { BatchJobCreated, BatchSettings, UploadProgress } from "@/types/batch";
import { BatchSettingsForm } from "./BatchSettingsForm";
import { HelpLink } from "@/components/HelpLink";
import { UploadTour } from "./UploadTour";

export const MAX_FILE_BYTES = 2 * 1024 ** 3;
export const CONTENT_TYPES: Record<string, string> = {
  mp4: "video/mp4",
  mov: "video/quicktime",
  avi: "video/x-msvideo",
  webm: "video/webm",
};

export function extensionOf(name: string): string {
  return name.includes(".") ? name.split(".").pop()!.toLowerCase() : "";
}

/** Why a file cannot join the batch, or null. */
export function fileProblem(file: File): string | null {
  if (!(extensionOf(file.name) in CONTENT_TYPES)) return `${file.name}: only MP4, MOV, AVI and WebM files can be processed`;
  if (file.size > MAX_FILE_BYTES) return `${file.name}: ${formatBytes(file.size)} is over the 2 GB limit`;
  if (file.size === 0) return `${file.name}: the file is empty`;
  return null;
}

export function readDurationInBrowser(file: File, timeoutMs = 5000): Promise<number | null> {
  return new Promise((resolve) => {
    if (typeof URL.createObjectURL !== "function") return resolve(null);
    const video = document.createElement("video");
    const url = URL.createObjectURL(file);
    const finish = (value: number | null) => {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    video.preload = "metadata";
    video.onloadedmetadata = () => finish(Number.isFinite(video.duration) ? video.duration : null);
    video.onerror = () => finish(null);
    video.src = url;
  });
}

const detailsSchema = z.object({
  name: z.string().trim().min(1, "Give the batch a name").max(100, "At most 100 characters"),
  description: z.string().max(2000, "At most 2000 characters"),
});
type Details = z.infer<typeof detailsSchema>;

interface Picked {
  key: string;
  file: File;
  duration: number | null | undefined; // undefined while reading
}

export interface BatchUploadModalProps {
  isOpen: boolean;
  onClose: () => void;
  onComplete?: (batchId: string) => void;
  defaultSettings?: Partial<BatchSettings>;
  maxFiles?: number;
  transport?: Transport;
  readDuration?: (file: File) => Promise<number | null>;
  retryDelayMs?: number;
}

export function BatchUploadModal({
  isOpen,
  onClose,
  onComplete,
  defaultSettings,
  maxFiles = 50,
  transport = xhrTransport,
  readDuration = readDurationInBrowser,
  retryDelayMs = 1000,
}: BatchUploadModalProps) {
  const id = React.useId();
  const [files, setFiles] = React.useState<Picked[]>([]);
  const [rejected, setRejected] = React.useState<string[]>([]);
  const [settings, setSettings] = React.useState<Required<BatchSettings> | null>(null);
  const [settingsValid, setSettingsValid] = React.useState(true);
  const [created, setCreated] = React.useState<BatchJobCreated | null>(null);
  const [progress, setProgress] = React.useState<UploadProgress[]>([]);
  const [busy, setBusy] = React.useState<"uploading" | "starting" | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [speed, setSpeed] = React.useState({ bytesPerSecond: 0, eta: null as number | null });
  const meter = React.useRef(new UploadMeter());
  const form = useForm<Details>({ resolver: zodResolver(detailsSchema), defaultValues: { name: "", description: "" } });

  const onDrop = React.useCallback(
    (accepted: File[]) => {
      const problems: string[] = [];
      const fresh: Picked[] = [];
      for (const file of accepted) {
        const problem = fileProblem(file);
        if (problem) problems.push(problem);
        else fresh.push({ key: `${file.name}-${file.size}-${file.lastModified}-${Math.random()}`, file, duration: undefined });
      }
      setFiles((current) => {
        const room = maxFiles - current.length;
        if (fresh.length > room) {
          problems.push(`Your plan allows ${maxFiles} videos per batch: ${fresh.length - Math.max(0, room)} not added`);
        }
        const kept = fresh.slice(0, Math.max(0, room));
        for (const picked of kept) {
          void readDuration(picked.file).then((duration) =>
            setFiles((list) => list.map((p) => (p.key === picked.key ? { ...p, duration } : p))),
          );
        }
        return [...current, ...kept];
      });
      setRejected(problems);
    },
    [maxFiles, readDuration],
  );
  const dropzone = useDropzone({ onDrop, multiple: true, disabled: Boolean(created) });

  const totalBytes = files.reduce((sum, p) => sum + p.file.size, 0);
  const sentBytes = progress.reduce((sum, p) => sum + p.loaded, 0);
  const overall = totalBytes ? Math.round((sentBytes / totalBytes) * 100) : 0;
  const allDone = progress.length > 0 && progress.every((p) => p.status === "done");
  const failed = progress.filter((p) => p.status === "failed");

  const track = (update: (current: UploadProgress[]) => UploadProgress[]) => {
    setProgress((current) => {
      const next = update(current);
      const bytes = next.reduce((sum, p) => sum + p.loaded, 0);
      meter.current.add(bytes);
      setSpeed({ bytesPerSecond: meter.current.speed(), eta: meter.current.eta(totalBytes) });
      return next;
    });
  };

  async function upload(details: Details) {
    setError(null);
    setBusy("uploading");
    try {
      const batch = await createBatchJob({
        name: details.name.trim(),
        description: details.description.trim() || null,
        settings: settings ?? undefined,
        priority: 5,
        files: files.map(({ file }) => ({
          name: file.name,
          size: file.size,
          content_type: CONTENT_TYPES[extensionOf(file.name)] ?? null,
        })),
      });
      setCreated(batch);
      meter.current = new UploadMeter();
      await uploadBatchVideos(
        files.map((p) => p.file),
        batch.uploads,
        { batchJobId: batch.batch_job.id, transport, retryDelayMs, onProgress: (state) => track(() => state) },
      );
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(null);
    }
  }

  async function retry(index: number) {
    if (!created) return;
    setBusy("uploading");
    // Only the slot: the URL it was given may have expired or been refused, so a fresh one is asked for.
    await uploadBatchVideos([files[index]!.file], [{ video_id: created.uploads[index]!.video_id }], {
      batchJobId: created.batch_job.id,
      transport,
      retryDelayMs,
      onProgress: ([one]) => track((current) => current.map((p, i) => (i === index ? { ...one!, file_index: index } : p))),
    });
    setBusy(null);
  }

  async function start() {
    if (!created) return;
    setBusy("starting");
    setError(null);
    try {
      await startBatchProcessing(created.batch_job.id);
      onComplete?.(created.batch_job.id);
      reset();
      onClose();
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(null);
    }
  }

  function reset() {
    setFiles([]);
    setRejected([]);
    setCreated(null);
    setProgress([]);
    setError(null);
    form.reset();
  }

  const canUpload = files.length > 0 && settingsValid && !busy && !created;

  return (
    <Dialog open={isOpen} onOpenChange={(open) => !open && onClose()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Batch upload</DialogTitle>
          <DialogDescription>
            Up to {maxFiles} videos (MP4, MOV, AVI, WebM; 2 GB each), processed with the same settings.
          </DialogDescription>
        </DialogHeader>

        {!created && <UploadTour />}
        <form id={`${id}-form`} className="grid gap-4" onSubmit={form.handleSubmit(upload)} noValidate>
          {!created && (
            <div
              {...dropzone.getRootProps({
                className:
                  "grid cursor-pointer justify-items-center gap-2 rounded-lg border-2 border-dashed border-border p-6 text-center focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring data-[active=true]:border-primary data-[active=true]:bg-blue-50",
                "data-active": dropzone.isDragActive,
                "aria-label": "Add videos: drop files here or press Enter to choose",
              } as React.HTMLAttributes<HTMLDivElement>)}
            >
              <input {...dropzone.getInputProps()} aria-label="Choose video files" data-testid="file-input" />
              <UploadCloud aria-hidden className="size-8 text-muted-foreground" />
              <p className="text-sm">
                {dropzone.isDragActive ? "Drop the videos here" : "Drag videos here, or click to choose files"}
              </p>
            </div>
          )}

          {files.length > 0 && (
            <Table aria-label="Selected videos">
              <TableHeader>
                <TableRow>
                  <TableHead>File</TableHead>
                  <TableHead>Size</TableHead>
                  <TableHead className="hidden sm:table-cell">Duration</TableHead>
                  <TableHead>{created ? "Upload" : <span className="sr-only">Remove</span>}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {files.map((picked, index) => {
                  const state = progress[index];
                  return (
                    <TableRow key={picked.key}>
                      <TableCell className="max-w-40 truncate" title={picked.file.name}>
                        {picked.file.name}
                      </TableCell>
                      <TableCell className="whitespace-nowrap tabular-nums">{formatBytes(picked.file.size)}</TableCell>
                      <TableCell className="hidden tabular-nums sm:table-cell">
                        {picked.duration === undefined ? "…" : formatDuration(picked.duration)}
                      </TableCell>
                      <TableCell className="min-w-32">
                        {!created ? (
                          <Button
                            size="icon"
                            variant="ghost"
                            aria-label={`Remove ${picked.file.name}`}
                            onClick={() => setFiles((list) => list.filter((p) => p.key !== picked.key))}
                          >
                            <Trash2 aria-hidden />
                          </Button>
                        ) : state?.status === "failed" ? (
                          <div className="flex items-center gap-2">
                            <span className="text-xs text-red-800" role="status">
                              {state.error}
                            </span>
                            <Button size="sm" variant="outline" onClick={() => void retry(index)} disabled={Boolean(busy)}>
                              <RotateCcw aria-hidden /> Retry {picked.file.name}
                            </Button>
                          </div>
                        ) : state?.status === "done" ? (
                          <span className="flex items-center gap-1 text-sm text-green-800">
                            <CheckCircle2 aria-hidden className="size-4" /> Uploaded
                          </span>
                        ) : (
                          <div className="flex items-center gap-2">
                            <Progress value={state?.progress ?? 0} aria-label={`${picked.file.name} upload`} className="w-20" />
                            <span className="text-xs tabular-nums">{state?.progress ?? 0}%</span>
                          </div>
                        )}
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}

          {created && (
            <section aria-label="Upload progress" className="grid gap-1">
              <Progress value={overall} aria-label="Overall upload progress" />
              <p className="text-sm text-muted-foreground" aria-live="polite">
                {allDone
                  ? `All ${files.length} videos uploaded`
                  : `${overall}% · ${formatBytes(speed.bytesPerSecond)}/s · ${formatEta(speed.eta)} left`}
                {failed.length > 0 && ` · ${failed.length} failed`}
              </p>
            </section>
          )}

          {!created && (
            <>
              <div className="grid gap-1.5">
                <Label htmlFor={`${id}-name`}>Batch name</Label>
                <Input
                  id={`${id}-name`}
                  maxLength={100}
                  aria-invalid={Boolean(form.formState.errors.name)}
                  aria-describedby={form.formState.errors.name ? `${id}-name-error` : undefined}
                  {...form.register("name")}
                />
                {form.formState.errors.name && (
                  <p id={`${id}-name-error`} className="text-xs text-red-800">
                    {form.formState.errors.name.message}
                  </p>
                )}
              </div>
              <div className="grid gap-1.5">
                <Label htmlFor={`${id}-description`}>Description (optional)</Label>
                <Textarea id={`${id}-description`} {...form.register("description")} />
              </div>
              <BatchSettingsForm
                initialSettings={defaultSettings}
                showTemplates
                onChange={(next, valid) => {
                  setSettings(next);
                  setSettingsValid(valid);
                }}
              />
            </>
          )}

          {allDone && (
            <Alert variant="success">
              <AlertTitle>Batch created successfully</AlertTitle>
              <AlertDescription>Start processing now, or later from the batch page.</AlertDescription>
            </Alert>
          )}
        </form>

        {/* Sticky: the warnings and the Upload button stay in view however long the settings are. */}
        <div className="sticky -bottom-4 -mx-4 -mb-4 grid gap-2 border-t border-border bg-background p-4 sm:-bottom-6 sm:-mx-6 sm:-mb-6 sm:px-6">
          {rejected.length > 0 && (
            <Alert variant="warning" className="max-h-32 overflow-y-auto" tabIndex={0}>
              <AlertTitle>Some files were not added</AlertTitle>
              <AlertDescription>
                <ul className="list-disc pl-5">
                  {rejected.map((problem) => (
                    <li key={problem}>
                      {problem} <HelpLink message={problem} />
                    </li>
                  ))}
                </ul>
              </AlertDescription>
            </Alert>
          )}

          {error && (
            <Alert variant="destructive">
              <AlertTitle>Something went wrong</AlertTitle>
              <AlertDescription>
                {error} <HelpLink message={error} />
              </AlertDescription>
            </Alert>
          )}
          <DialogFooter>
            <Button variant="outline" onClick={onClose}>
              {created ? "Close" : "Cancel"}
            </Button>
            {!created ? (
              <Button type="submit" form={`${id}-form`} disabled={!canUpload}>
                <UploadCloud aria-hidden /> Upload {files.length} video{files.length === 1 ? "" : "s"}
              </Button>
            ) : (
              <Button onClick={() => void start()} disabled={!allDone || Boolean(busy)}>
                Start processing
              </Button>
            )}
          </DialogFooter>
        </div>
      </DialogContent>
    </Dialog>
  );
}
