import { fileProblem } from "@/components/batch/BatchUploadModal";
import { helpFor, helpHref, TROUBLES } from "./troubleshooting";

// Messages exactly as the pipeline, the API and the app word them (functions/media/probe.py, services, the modal).
const MESSAGES: [string, string][] = [
  ["The file is not a decodable video (moov atom not found)", "not-a-video"],
  ["The file has no video stream (is it an audio file or an image?)", "not-a-video"],
  ["The video stream has no picture size; the file is probably damaged", "not-a-video"],
  ["The video has no duration; the upload may be incomplete or damaged", "incomplete-upload"],
  ["The file is 3000000000 bytes; the limit is 2147483648 bytes (2 GB)", "too-large"],
  ["Probing the file took longer than 60 s", "slow-file"],
  ["nothing to keep: every part of the video was cut", "everything-cut"],
  ["Batch size exceeds your plan limit: free allows 3 videos", "plan-limit"],
  ["Too many requests: 5 batches per hour on the free plan", "plan-limit"],
  ["Your plan allows 3 videos per batch: 2 not added", "plan-limit"],
  ["E-mail notifications are not configured: This deployment has no notification topic", "email-not-configured"],
  ["Could not load: Failed to fetch", "offline"],
  ["Unauthorized: Invalid token", "signed-out"],
];

test.each(MESSAGES)("%s → %s", (message, id) => {
  expect(helpFor(message)?.id).toBe(id);
  expect(helpHref(message)).toBe(`/help#${id}`);
});

test("the upload modal's own refusals have entries; an unknown message goes to the section's top", () => {
  const file = (name: string, size: number) => new File([new Uint8Array(Math.min(size, 10))], name, { type: "video/mp4" });
  expect(helpFor(fileProblem(file("notes.txt", 10)))?.id).toBe("unsupported-format");
  expect(helpFor(fileProblem(file("empty.mp4", 0)))?.id).toBe("unsupported-format");
  expect(helpHref("Something nobody foresaw")).toBe("/help#troubleshooting");
  expect(new Set(TROUBLES.map((t) => t.id)).size).toBe(TROUBLES.length);
});
