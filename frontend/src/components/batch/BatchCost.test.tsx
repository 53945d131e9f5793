import { screen, within } from "@testing-library/react";
import { FakeApi } from "@/test/fakeApi";
import { FakeSocket } from "@/test/fakeSocket";
import { makeDetail, makeVideo } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import type { BatchJobDetail } from "@/types/batch";
import { BatchJobDetails } from "./BatchJobDetails";
import { costOf, formatCost } from "./BatchCost";

/** `summary.cost` as `complete_batch` records it for the batch of tests/unit/test_batch_cost.py's hand
 * computation (241.5 Lambda GB-s + 18 requests; 200 vCPU-s + 800 GB-s on Fargate; 2 Transcribe
 * minutes; 48 transitions; S3 storage and 300 MB sent), at the 2026-12-01 us-east-1 list prices. */
const COST = {
  currency: "USD",
  prices_as_of: "2026-12-01",
  region: "us-east-1",
  lambda: 241.5 * 0.0000133334 + 18 * 0.2e-6,
  fargate: (200 / 3600) * 0.03238 + (800 / 3600) * 0.00356,
  transcribe: 2 * 0.024,
  step_functions: 48 * 0.000025,
  s3: 0.00254,
  total: 0,
};
COST.total = COST.lambda + COST.fargate + COST.transcribe + COST.step_functions + COST.s3;

function serve(batch: BatchJobDetail) {
  FakeSocket.instances = [];
  const api = new FakeApi();
  api.on(`GET /api/batch-jobs/${batch.id}`, () => batch);
  api.on(`GET /api/batch-jobs/${batch.id}/exports`, () => ({ batch_id: batch.id, exports: [] }));
  api.install();
  renderApp(<BatchJobDetails batchJobId={batch.id} />);
  return api;
}

function finished(overrides: Partial<BatchJobDetail>) {
  const videos = [1, 2].map((position) => makeVideo({ position, status: "completed", progress_percentage: 100 }));
  return makeDetail(
    {
      status: "completed",
      completed_videos: 2,
      progress_percentage: 100,
      started_at: "2026-12-02T10:00:00Z",
      completed_at: "2026-12-02T10:05:00Z",
      ...overrides,
    },
    videos,
  );
}

test("a finished batch's page shows its total cost, the cost per service and the price table's date", async () => {
  serve(finished({ name: "Priced", summary: { total_videos: 2, usage: { state_transitions: 48 }, cost: COST } }));
  const region = await screen.findByRole("region", { name: "Cost" });
  expect(within(region).getByLabelText(/^Total cost: /)).toHaveTextContent("$0.0576");
  const breakdown = Object.fromEntries(
    within(region)
      .getAllByRole("definition")
      .map((dd) => [dd.previousElementSibling?.textContent, dd.textContent]),
  );
  expect(breakdown).toEqual({
    Lambda: "$0.0032",
    Fargate: "$0.0026",
    Transcribe: "$0.048",
    "Step Functions": "$0.0012",
    S3: "$0.0025",
  });
  expect(region).toHaveTextContent("At us-east-1 list prices as of Dec 1, 2026");
});

test("a batch that has not finished shows no cost", async () => {
  serve(makeDetail({ status: "processing", name: "Running", summary: null }));
  expect(await screen.findByRole("heading", { name: "Running" })).toBeInTheDocument();
  expect(screen.queryByRole("region", { name: "Cost" })).not.toBeInTheDocument();
});

test("a cancelled batch (no cost in its summary) shows a dash, not a made-up figure", async () => {
  serve(finished({ status: "cancelled", name: "Stopped", summary: { outcome: "cancelled" } }));
  const region = await screen.findByRole("region", { name: "Cost" });
  expect(within(region).getByLabelText("Total cost: not recorded")).toHaveTextContent("—");
  expect(region).toHaveTextContent("No cost was recorded for this batch.");
  expect(within(region).queryAllByRole("definition")).toHaveLength(0);
});

test("a malformed cost is treated as missing", () => {
  expect(costOf(null)).toBeNull();
  expect(costOf({ cost: { ...COST, total: "1.00" } })).toBeNull();
  expect(costOf({ cost: { ...COST, fargate: -1 } })).toBeNull();
  expect(costOf({ cost: COST })).toEqual(COST);
});

test("amounts keep cents above a dollar and up to four decimals below, never rounding a cost to zero", () => {
  expect(formatCost(12.3456, "USD")).toBe("$12.35");
  expect(formatCost(0.25, "USD")).toBe("$0.25");
  expect(formatCost(0.012345, "USD")).toBe("$0.0123");
  expect(formatCost(0, "USD")).toBe("$0.00");
  expect(formatCost(0.00001, "USD")).toBe("< $0.0001");
  expect(formatCost(1234.5, "EUR")).toBe("€1,234.50");
});
