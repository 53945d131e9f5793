import { describe, expect, it } from "vitest";
import { LINK_REFRESH_MARGIN_MS } from "@/components/batch/LinkExpiry";
import { batchLinksRefreshDelay, earliestLinkExpiry } from "./linkRefresh";

const videos = (...expiries: (string | null)[]) => ({
  videos: expiries.map((links_expire_at) => ({ links_expire_at })) as never,
});

describe("a finished batch's links are renewed before the first one dies", () => {
  it("takes the earliest expiry of every video's links", () => {
    expect(earliestLinkExpiry(videos("2026-01-01T13:00:00Z", null, "2026-01-01T12:30:00Z"))).toBe(
      "2026-01-01T12:30:00Z",
    );
    expect(earliestLinkExpiry(videos(null, null))).toBeNull();
  });

  it("reads the batch again a margin before that expiry, never in the past, and not at all without links", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(batchLinksRefreshDelay(videos("2026-01-01T12:30:00Z"), now)).toBe(30 * 60_000 - LINK_REFRESH_MARGIN_MS);
    expect(batchLinksRefreshDelay(videos("2026-01-01T12:00:10Z"), now)).toBe(1000);
    expect(batchLinksRefreshDelay(videos(null), now)).toBe(false);
  });
});
