/**
 * The troubleshooting entries of the help page, and which error message belongs to which: every error the
 * app shows links to its entry (`helpFor`), so a creator reads what happened and what to do.
 */
export interface Trouble {
  id: string;
  title: string;
  /** Messages of the API, the pipeline or the app that this entry explains. */
  matches: RegExp[];
  cause: string;
  fix: string;
}

export const TROUBLES: Trouble[] = [
  {
    id: "not-a-video",
    title: "The file is not a video we can decode",
    matches: [/not a decodable video/i, /no video stream/i, /no picture size/i, /probably damaged/i],
    cause: "The upload is not a video (an audio file, an image, a renamed file) or it is damaged. Retrying the same file gives the same result.",
    fix: "Check that the file plays on your computer, export it again from your editor as MP4 (H.264/AAC), then use Replace on its row.",
  },
  {
    id: "incomplete-upload",
    title: "The upload is incomplete or did not finish",
    matches: [/upload may be incomplete/i, /upload (failed|was not completed|is missing)/i, /not uploaded/i, /expired/i],
    cause: "The connection dropped or the page was closed while the file was uploading, or the upload link expired.",
    fix: "Open the batch and upload the missing file again: the app asks for a fresh link and resumes large files where they stopped.",
  },
  {
    id: "unsupported-format",
    title: "The file type is not supported",
    matches: [/only MP4, MOV, AVI and WebM/i, /unsupported (format|content type)/i, /the file is empty/i],
    cause: "Only MP4, MOV, AVI and WebM files can be processed, and an empty file has nothing to process.",
    fix: "Export or convert the video to MP4 and add it again.",
  },
  {
    id: "too-large",
    title: "The file is over 2 GB",
    matches: [/2 GB/i, /limit is \d+ bytes/i],
    cause: "Each video can be at most 2 GB.",
    fix: "Export at a lower bitrate or split the recording into parts, then add the parts.",
  },
  {
    id: "plan-limit",
    title: "Your plan's limit is reached",
    matches: [/plan (allows|limit)/i, /exceeds your plan/i, /too many requests/i, /per hour/i],
    cause: "Each plan caps the videos per batch, and the free plan caps the batches created per hour.",
    fix: "Split the videos into several batches, or wait for the hour to pass. The Usage page shows your plan and what is left.",
  },
  {
    id: "waiting-for-a-slot",
    title: "The batch waits for a free slot",
    matches: [/no running slot/i, /queued/i],
    cause: "Your plan runs a set number of batches at once; the next one waits in the queue.",
    fix: "Nothing to do: it starts by itself when a running batch finishes. Pause or cancel a running batch to make room sooner.",
  },
  {
    id: "everything-cut",
    title: "Silence removal cut the whole video",
    matches: [/every part of the video was cut/i, /nothing (is kept|to keep)/i],
    cause: "The whole video is quieter than the silence threshold (a quiet microphone, music only).",
    fix: "Lower the silence threshold (towards -60 dBFS) or turn silence removal off, then run the batch again.",
  },
  {
    id: "slow-file",
    title: "Reading the file took too long",
    matches: [/took longer than/i, /timed? ?out/i],
    cause: "The file is unusually hard to read (a rare codec, a very long recording).",
    fix: "Retry once; if it fails again, export the video as MP4 and replace it.",
  },
  {
    id: "email-not-configured",
    title: "E-mail notifications are not configured",
    matches: [/e-mail notifications are not configured/i, /no notification topic/i],
    cause: "This deployment has no e-mail topic.",
    fix: "The notification center in the app still lists every finished batch. Ask whoever runs reelflow to enable e-mails.",
  },
  {
    id: "signed-out",
    title: "You are signed out",
    matches: [/unauthorized/i, /token/i],
    cause: "Your session ended.",
    fix: "Sign out and sign in again.",
  },
  {
    id: "offline",
    title: "The app cannot reach the server",
    matches: [/failed to fetch/i, /network ?error/i, /could not load/i, /load failed/i],
    cause: "The network dropped or the server is restarting.",
    fix: "Check your connection. What was loaded stays on screen and the app retries; reload the page if it does not recover.",
  },
];

const GENERAL = "troubleshooting";

/** The entry that explains `message`, or null when none does. */
export function helpFor(message: string | null | undefined): Trouble | null {
  if (!message) return null;
  return TROUBLES.find((trouble) => trouble.matches.some((pattern) => pattern.test(message))) ?? null;
}

/** Where an error message's "How to fix" link goes: its entry, or the top of the troubleshooting section. */
export function helpHref(message: string | null | undefined): string {
  return `/help#${helpFor(message)?.id ?? GENERAL}`;
}
