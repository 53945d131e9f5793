import * as React from "react";
import { timeUntil } from "@/lib/utils";

/** How long before a link's own expiry the app asks the API for a fresh one. */
export const LINK_REFRESH_MARGIN_MS = 60_000;

/**
 * When to ask for fresh links: `LINK_REFRESH_MARGIN_MS` before the first one stops working (never
 * sooner than `floorMs`), or false when nothing expires (no link, or the export itself has expired).
 */
export function refreshDelay(linksExpireAt: string | null | undefined, now: number, floorMs = 1000): number | false {
  if (!linksExpireAt) return false;
  return Math.max(floorMs, Date.parse(linksExpireAt) - LINK_REFRESH_MARGIN_MS - now);
}

export interface LinkExpiryProps {
  /** When the link stops working (the API's `links_expire_at`). */
  linksExpireAt: string | null | undefined;
  /** When the export itself is deleted (`expires_at`); fresh links are minted until then. */
  exportExpiresAt: string | null | undefined;
  now?: () => number;
  tickMs?: number;
}

/** The link's real expiry, counting down, and how long fresh links can still be had (the export's own
 * lifetime: the dialog asks for a new link before this one ends, see `refreshDelay`). */
export function LinkExpiry({ linksExpireAt, exportExpiresAt, now = Date.now, tickMs = 15_000 }: LinkExpiryProps) {
  const [, tick] = React.useReducer((n: number) => n + 1, 0);
  React.useEffect(() => {
    const timer = window.setInterval(tick, tickMs);
    return () => window.clearInterval(timer);
  }, [tickMs]);
  const at = now();
  const link = linksExpireAt ? timeUntil(linksExpireAt, at) : null;
  const kept = exportExpiresAt ? timeUntil(exportExpiresAt, at) : null;
  return (
    <p className="text-sm text-muted-foreground" aria-live="polite">
      {link ? `Link expires in ${link}` : "Link expired"}
      {kept ? ` · renewed while this dialog is open; the export is kept ${kept}` : ""}
    </p>
  );
}
