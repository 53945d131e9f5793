import { refreshDelay } from "@/components/batch/LinkExpiry";
import type { BatchJobDetail } from "@/types/batch";

/** The first moment any of the batch's links (outputs, artifacts) stops working, or null. */
export function earliestLinkExpiry(batch: Pick<BatchJobDetail, "videos">): string | null {
  const times = batch.videos
    .map((video) => video.links_expire_at)
    .filter((at): at is string => Boolean(at))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return times[0] ?? null;
}

/** When a finished batch must be read again so that the links it shows never die on the page. */
export function batchLinksRefreshDelay(batch: Pick<BatchJobDetail, "videos">, now: number): number | false {
  return refreshDelay(earliestLinkExpiry(batch), now);
}
