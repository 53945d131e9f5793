import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FakeApi } from "@/test/fakeApi";
import { makeUsage, makeUsagePeriod } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import { UsagePage } from "./UsagePage";

test("shows each period newest first with a total, and asks the API for the chosen period", async () => {
  const user = userEvent.setup();
  const api = new FakeApi();
  api.on("GET /api/usage", (r) => {
    const period = r.query.get("period");
    return period === "day"
      ? makeUsage([makeUsagePeriod({ period: "2026-11-24", batches: 1, videos_processed: 0, videos_completed: 0, videos_failed: 0, minutes_processed: 0, success_rate: null })], { period: "day" })
      : makeUsage([makeUsagePeriod({ period: "2026-W48" }), makeUsagePeriod({ period: "2026-W47", videos_processed: 4, videos_completed: 4, videos_failed: 0, success_rate: 1 })]);
  });
  api.install();
  renderApp(<UsagePage />);

  const rows = await screen.findAllByRole("row");
  expect(rows.map((row) => row.textContent)).toEqual([
    "PeriodBatchesVideosMinutesSuccess rate",
    "2026-W4821230.575%",
    "2026-W472430.5100%",
    "Total41661.081%",
  ]);
  expect(api.calls("GET", "/api/usage")[0]!.query.get("period")).toBe("week");

  await user.click(screen.getByRole("tab", { name: "Daily" }));
  const today = await screen.findByRole("row", { name: /2026-11-24/ });
  expect(today).toHaveTextContent("—"); // nothing finished yet: no rate, not 0%
  expect(api.calls("GET", "/api/usage").at(-1)!.query.get("period")).toBe("day");
});
