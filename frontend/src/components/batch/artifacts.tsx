/** The files a video's run published beside its output, as download links for the row's menu. */
import { FileText } from "lucide-react";
import { DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator } from "@/components/ui/dropdown-menu";
import type { BatchVideo } from "@/types/batch";

// The names the API publishes (BatchVideoResponse.artifacts), in the order a creator looks for them.
export const ARTIFACT_LABEL: Record<string, string> = {
  captions_srt: "Captions (SRT)",
  captions_vtt: "Captions (WebVTT)",
  edl: "Cut list (EDL)",
  fcpxml: "Cut list (FCPXML)",
  removed_parts: "Preview of the removed parts",
  poster: "Poster",
};

/** [name, label, url] for each published file the API sent a URL for (stage data stays out). */
export function downloadableArtifacts(video: Pick<BatchVideo, "artifacts">): [string, string, string][] {
  const artifacts = video.artifacts ?? {};
  return Object.entries(ARTIFACT_LABEL)
    .filter(([name]) => artifacts[name])
    .map(([name, label]) => [name, label, artifacts[name]!]);
}

export function ArtifactMenuItems({ video }: { video: BatchVideo }) {
  const files = downloadableArtifacts(video);
  if (files.length === 0) return null;
  return (
    <>
      <DropdownMenuSeparator />
      <DropdownMenuLabel>Files</DropdownMenuLabel>
      {files.map(([name, label, url]) => (
        <DropdownMenuItem key={name} asChild>
          <a href={url} download target="_blank" rel="noreferrer">
            <FileText aria-hidden /> {label}
          </a>
        </DropdownMenuItem>
      ))}
    </>
  );
}
