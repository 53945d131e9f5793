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

const CLIP = /^clip_(\d+)(_poster)?$/;

/** "Highlight clip 2" for clip_2, "Highlight clip 2 (poster)" for clip_2_poster. */
function clipLabel(name: string): string | undefined {
  const match = CLIP.exec(name);
  return match ? `Highlight clip ${match[1]}${match[2] ? " (poster)" : ""}` : undefined;
}

/** [name, label, url] for each published file the API sent a URL for (stage data stays out); the
 * highlight clips (clip_1, clip_1_poster, …) follow the fixed names, in their order. */
export function downloadableArtifacts(video: Pick<BatchVideo, "artifacts">): [string, string, string][] {
  const artifacts = video.artifacts ?? {};
  const fixed = Object.entries(ARTIFACT_LABEL)
    .filter(([name]) => artifacts[name])
    .map(([name, label]): [string, string, string] => [name, label, artifacts[name]!]);
  const clips = Object.keys(artifacts)
    .filter((name) => CLIP.test(name))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((name): [string, string, string] => [name, clipLabel(name)!, artifacts[name]!]);
  return [...fixed, ...clips];
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
