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

test("charts videos, minutes and success rate oldest first, and shows the plan's limits and what is left", async () => {
  const api = new FakeApi();
  api.on(
    "GET /api/usage",
    makeUsage(
      [
        makeUsagePeriod({ period: "2026-11-24", videos_processed: 4, videos_completed: 2, videos_failed: 2, minutes_processed: 2, success_rate: 0.5 }),
        makeUsagePeriod({ period: "2026-11-23", videos_processed: 0, videos_completed: 0, videos_failed: 0, minutes_processed: 0, success_rate: null }),
      ],
      {
        tier: "free",
        period: "day",
        plan: {
          max_videos_per_batch: 3,
          videos_in_flight: 1,
          running_batches: 1,
          batch_creations_per_hour: 5,
          batches_created_last_hour: 2,
          batch_creations_left: 3,
        },
      },
    ),
  );
  api.on("GET /api/batch-jobs", (r) => ({ batch_jobs: [], total: r.query.get("status") === "processing" ? 1 : 0, limit: 1, offset: 0 }));
  api.install();
  renderApp(<UsagePage />);

  const videos = await screen.findByRole("img", { name: /^Videos processed\./ });
  expect(videos).toHaveAccessibleName("Videos processed. 2026-11-23: 0 videos, 2026-11-24: 4 videos");
  expect(screen.getByRole("img", { name: /^Success rate\./ })).toHaveAccessibleName(
    "Success rate. 2026-11-23: no data, 2026-11-24: 50%",
  );
  expect(screen.getByRole("img", { name: /^Minutes processed\./ })).toHaveAccessibleName(/2026-11-24: 2.0 min/);

  expect(screen.getByRole("heading", { name: "Your plan: free" })).toBeInTheDocument();
  expect(await screen.findByText("0 left (1 running)")).toBeInTheDocument();
  expect(screen.getByText("3 left this hour")).toBeInTheDocument();
  expect(api.calls("GET", "/api/batch-jobs")[0]!.query.get("status")).toBe("processing");
});
