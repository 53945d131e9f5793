import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FakeApi } from "@/test/fakeApi";
import { makeBatch } from "@/test/fixtures";
import { renderApp } from "@/test/render";
import type { BatchJob } from "@/types/batch";
import { BatchJobsList } from "./BatchJobsList";

function serve(batches: BatchJob[]) {
  const api = new FakeApi();
  api.on("GET /api/batch-jobs", (request) => {
    const status = request.query.get("status");
    const limit = Number(request.query.get("limit") ?? 20);
    const offset = Number(request.query.get("offset") ?? 0);
    const matching = batches.filter((b) => !status || b.status === status);
    // The server's orders (domain/batch_listing.py) for what these tests use: name A to Z, progress high to low.
    const sort = request.query.get("sort");
    const ascending = request.query.get("order") === "asc";
    if (sort === "name") matching.sort((a, b) => a.name.localeCompare(b.name) * (ascending ? 1 : -1));
    if (sort === "progress") matching.sort((a, b) => (a.progress_percentage - b.progress_percentage) * (ascending ? 1 : -1));
    return { batch_jobs: matching.slice(offset, offset + limit), total: matching.length, limit, offset };
  });
  api.install();
  return api;
}

test("fetches and shows batches with status badges, progress and relative dates; skeletons while loading", async () => {
  serve([
    makeBatch({ name: "Podcast week 1", status: "completed", progress_percentage: 100, completed_videos: 3 }),
    makeBatch({ name: "Vlogs", status: "processing", progress_percentage: 33, completed_videos: 1, description: "Summer trip" }),
  ]);
  const clicked: string[] = [];
  renderApp(<BatchJobsList onJobClick={(b) => clicked.push(b.name)} />);
  expect(screen.getAllByTestId("skeleton-row")).toHaveLength(5);
  await screen.findByRole("button", { name: "Vlogs" });
  const table = screen.getByRole("table", { name: "Batch jobs" });
  const vlogs = within(table).getByRole("button", { name: "Vlogs" }).closest("tr")!;
  expect(within(vlogs).getByText("Processing")).toBeInTheDocument();
  expect(within(vlogs).getByText("33%")).toBeInTheDocument();
  expect(within(vlogs).getByText("1/3")).toBeInTheDocument();
  expect(within(vlogs).getByText("2 hours ago")).toBeInTheDocument();
  expect(within(vlogs).getByText("Summer trip")).toBeInTheDocument();
  await userEvent.setup().click(within(table).getByRole("button", { name: "Podcast week 1" }));
  expect(clicked).toEqual(["Podcast week 1"]);
});

test("filters and sorts on the server, so the order holds across pages", async () => {
  const user = userEvent.setup();
  const api = serve([
    makeBatch({ name: "b-mid", status: "completed", progress_percentage: 100 }),
    makeBatch({ name: "a-first", status: "failed", progress_percentage: 100 }),
    makeBatch({ name: "c-last", status: "processing", progress_percentage: 10 }),
  ]);
  renderApp(<BatchJobsList />);
  await screen.findByRole("button", { name: "b-mid" });
  const names = () =>
    within(screen.getByRole("table")).getAllByRole("button", { name: /^[abc]-/ }).map((b) => b.textContent);
  const lastQuery = () => Object.fromEntries(api.calls("GET", "/api/batch-jobs").at(-1)!.query);
  expect(lastQuery()).toMatchObject({ sort: "created_at", order: "desc" });
  await user.selectOptions(screen.getByLabelText("Sort by"), "name");
  await vi.waitFor(() => expect(names()).toEqual(["a-first", "b-mid", "c-last"]));
  expect(lastQuery()).toMatchObject({ sort: "name", order: "asc" });
  await user.selectOptions(screen.getByLabelText("Sort by"), "progress");
  await vi.waitFor(() => expect(names()[2]).toBe("c-last"));
  expect(lastQuery()).toMatchObject({ sort: "progress", order: "desc" });
  await user.selectOptions(screen.getByLabelText("Sort by"), "oldest");
  await vi.waitFor(() => expect(lastQuery()).toMatchObject({ sort: "created_at", order: "asc" }));
  await user.selectOptions(screen.getByLabelText("Status"), "failed");
  await vi.waitFor(() => expect(names()).toEqual(["a-first"]));
  expect(api.calls("GET", "/api/batch-jobs").at(-1)!.query.get("status")).toBe("failed");
  await user.selectOptions(screen.getByLabelText("Status"), "paused");
  expect(await screen.findByText("No paused batches")).toBeInTheDocument();
});

test("paginates 20 per page", async () => {
  const user = userEvent.setup();
  const api = serve(Array.from({ length: 45 }, (_, i) => makeBatch({ name: `batch ${String(i).padStart(2, "0")}`, status: "completed" })));
  renderApp(<BatchJobsList />);
  await screen.findByRole("button", { name: "batch 00" });
  expect(screen.getByRole("button", { name: "Page 3" })).toBeInTheDocument();
  await user.click(screen.getByRole("button", { name: /Next/ }));
  expect(await screen.findByRole("button", { name: "batch 20" })).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Page 2" })).toHaveAttribute("aria-current", "page");
  expect(api.calls("GET", "/api/batch-jobs").at(-1)!.query.get("offset")).toBe("20");
});

test("a name sort holds across pages: page 2 continues where page 1 ended", async () => {
  const user = userEvent.setup();
  const names = Array.from({ length: 45 }, (_, i) => `batch ${String(44 - i).padStart(2, "0")}`); // newest is "batch 00"
  const api = serve(names.map((name) => makeBatch({ name, status: "completed" })));
  renderApp(<BatchJobsList />);
  await screen.findByRole("button", { name: "batch 44" });
  await user.selectOptions(screen.getByLabelText("Sort by"), "name");
  const rows = () => within(screen.getByRole("table")).getAllByRole("button", { name: /^batch / }).map((b) => b.textContent);
  await vi.waitFor(() => expect(rows()[0]).toBe("batch 00"));
  expect(rows()).toHaveLength(20);
  await user.click(screen.getByRole("button", { name: /Next/ }));
  await vi.waitFor(() => expect(rows()[0]).toBe("batch 20"));
  expect(rows().at(-1)).toBe("batch 39");
  expect(Object.fromEntries(api.calls("GET", "/api/batch-jobs").at(-1)!.query)).toMatchObject({ sort: "name", offset: "20" });
});

test("the empty state invites to create a batch", async () => {
  serve([]);
  const created: number[] = [];
  renderApp(<BatchJobsList onCreate={() => created.push(1)} />);
  expect(await screen.findByText("No batch jobs yet")).toBeInTheDocument();
  await userEvent.setup().click(screen.getByRole("button", { name: /Create batch/ }));
  expect(created).toEqual([1]);
});

test("polls while a batch runs and offers only the actions its status allows", async () => {
  const user = userEvent.setup();
  const running = makeBatch({ name: "Running", status: "processing" });
  const done = makeBatch({ name: "Done", status: "completed", failed_videos: 1 });
  const api = serve([running, done]);
  api.on(`POST /api/batch-jobs/${running.id}/pause`, () => ({ ...running, status: "paused" }));
  renderApp(<BatchJobsList refreshInterval={50} onExport={() => {}} />);
  await screen.findByRole("button", { name: "Running" });
  await vi.waitFor(() => expect(api.calls("GET", "/api/batch-jobs").length).toBeGreaterThanOrEqual(3));

  await user.click(screen.getByRole("button", { name: "Actions for Running" }));
  const menu = await screen.findByRole("menu");
  expect(within(menu).getAllByRole("menuitem").map((m) => m.textContent?.trim())).toEqual(["View", "Pause", "Cancel"]);
  await user.click(within(menu).getByRole("menuitem", { name: "Pause" }));
  await vi.waitFor(() => expect(api.calls("POST", `/api/batch-jobs/${running.id}/pause`)).toHaveLength(1));

  await user.click(screen.getByRole("button", { name: "Actions for Done" }));
  const doneMenu = await screen.findByRole("menu");
  expect(within(doneMenu).getAllByRole("menuitem").map((m) => m.textContent?.trim())).toEqual(["View", "Export", "Retry failed", "Delete"]);
});

test("the bar and the counts show failed and cancelled videos, not a full all-good bar", async () => {
  serve([
    makeBatch({ name: "Mixed", status: "completed", total_videos: 6, completed_videos: 4, failed_videos: 1, cancelled_videos: 1, progress_percentage: 100 }),
    makeBatch({ name: "Stopped", status: "cancelled", total_videos: 4, completed_videos: 1, cancelled_videos: 3, progress_percentage: 100 }),
    makeBatch({ name: "Running", status: "processing", total_videos: 4, completed_videos: 1, progress_percentage: 40 }),
  ]);
  renderApp(<BatchJobsList />);
  const row = async (name: string) => (await screen.findByRole("button", { name })).closest("tr")!;
  const segments = (bar: HTMLElement) =>
    [...bar.querySelectorAll<HTMLElement>("[data-segment]")].map((s) => [s.dataset.segment, s.style.width]);

  const mixed = await row("Mixed");
  const mixedBar = within(mixed).getByRole("progressbar", { name: "Mixed progress" });
  expect(segments(mixedBar)).toEqual([
    ["completed", `${(4 / 6) * 100}%`],
    ["failed", `${(1 / 6) * 100}%`],
    ["cancelled", `${(1 / 6) * 100}%`],
  ]);
  expect(mixedBar).toHaveAttribute("aria-valuetext", "100%: 4 completed, 1 failed, 1 cancelled of 6");
  expect(within(mixed).getByText("6/6")).toBeInTheDocument();
  expect(within(mixed).getByText("1 failed")).toBeInTheDocument();
  expect(within(mixed).getByText("1 cancelled")).toBeInTheDocument();

  const stopped = within(await row("Stopped")).getByRole("progressbar");
  expect(segments(stopped)).toEqual([
    ["completed", "25%"],
    ["cancelled", "75%"],
  ]);
  // A running batch: its finished video, then the work of the running ones in the batch's colour.
  const running = within(await row("Running")).getByRole("progressbar");
  expect(segments(running)).toEqual([
    ["completed", "25%"],
    ["running", "15%"],
  ]);
  expect(within(await row("Running")).queryByText(/failed|cancelled/)).not.toBeInTheDocument();
});
