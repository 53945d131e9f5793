import { render, screen } from "@testing-library/react";
import { LINK_REFRESH_MARGIN_MS, LinkExpiry, refreshDelay } from "./LinkExpiry";

const NOW = Date.parse("2026-01-01T12:00:00Z");

test("fresh links are asked for a minute before the first one ends, never sooner than the floor", () => {
  expect(refreshDelay("2026-01-01T13:00:00Z", NOW)).toBe(3600_000 - LINK_REFRESH_MARGIN_MS);
  expect(refreshDelay("2026-01-01T12:00:30Z", NOW, 500)).toBe(500);
  expect(refreshDelay(null, NOW)).toBe(false);
});

test("the timer shows the link's own expiry and how long the export is kept", () => {
  const { rerender } = render(
    <LinkExpiry linksExpireAt="2026-01-01T12:59:00Z" exportExpiresAt="2026-01-02T12:00:00Z" now={() => NOW} />,
  );
  expect(screen.getByText(/^Link expires in 59 minutes/)).toHaveTextContent("the export is kept 24 hours 0 minutes");
  rerender(<LinkExpiry linksExpireAt="2026-01-01T11:59:00Z" exportExpiresAt="2026-01-01T11:00:00Z" now={() => NOW} />);
  expect(screen.getByText("Link expired")).toBeInTheDocument();
});
