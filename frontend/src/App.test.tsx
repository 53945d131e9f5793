import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "./App";
import { Toaster } from "./components/ui/toast";
import { TooltipProvider } from "./components/ui/tooltip";
import { LiveConfigContext } from "./hooks/useBatchLive";
import { RouterProvider } from "./lib/router";
import { FakeApi } from "./test/fakeApi";
import { fakeSocketFactory } from "./test/fakeSocket";
import { makeBatch, makeDetail, makeUsage, makeUsagePeriod } from "./test/fixtures";

const LAZY = { timeout: 15_000 }; // routes are chunks loaded on first visit (slow on a busy machine)

function renderShell() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <LiveConfigContext.Provider value={{ socketFactory: fakeSocketFactory, url: "ws://t/ws" }}>
        <RouterProvider>
          <TooltipProvider>
            <Toaster>
              <App />
            </Toaster>
          </TooltipProvider>
        </RouterProvider>
      </LiveConfigContext.Provider>
    </QueryClientProvider>,
  );
}

test("signs in locally with a chosen plan, then navigates dashboard, list, details and usage", async () => {
  window.history.replaceState(null, "", "/");
  const user = userEvent.setup();
  const running = makeDetail({ name: "Live one", status: "processing" });
  const api = new FakeApi();
  api.on("GET /local/plans", {
    plans: [
      { tier: "free", max_videos_per_batch: 3, batch_creations_per_hour: 5, videos_in_flight: 1, running_batches: 1 },
      { tier: "pro", max_videos_per_batch: 50, batch_creations_per_hour: null, videos_in_flight: 5, running_batches: 3 },
    ],
  });
  api.on("POST /local/token", (r) => ({ token: "tok", ...(r.body as object) }));
  api.on("GET /api/batch-jobs", (r) => {
    const status = r.query.get("status");
    const all = [running, makeBatch({ name: "Old", status: "completed" })];
    const list = all.filter((b) => !status || b.status === status);
    return { batch_jobs: list, total: list.length, limit: 20, offset: 0 };
  });
  api.on(`GET /api/batch-jobs/${running.id}`, running);
  api.on("GET /api/usage", makeUsage([makeUsagePeriod({ period: "2026-W01" })]));
  api.install();
  renderShell();

  await user.click(await screen.findByRole("radio", { name: /pro/i }, LAZY));
  await user.clear(screen.getByLabelText("User name"));
  await user.type(screen.getByLabelText("User name"), "bob");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  expect(api.calls("POST", "/local/token")[0]!.body).toEqual({ user_id: "bob", tier: "pro" });
  expect(JSON.parse(localStorage.getItem("reelflow.session")!).token).toBe("tok");

  expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeInTheDocument();
  expect(await screen.findByRole("region", { name: "Progress of Live one" })).toBeInTheDocument();
  expect(api.calls("GET", "/api/batch-jobs")[0]).toBeDefined();

  const nav = screen.getByRole("navigation", { name: "Main" });
  await user.click(within(nav).getByRole("link", { name: /Batch jobs/ }));
  expect(window.location.pathname).toBe("/batches");
  await user.click(await screen.findByRole("button", { name: "Live one" }));
  expect(window.location.pathname).toBe(`/batches/${running.id}`);
  expect(await screen.findByRole("heading", { name: "Live one" }, LAZY)).toBeInTheDocument();

  await user.click(within(nav).getByRole("link", { name: /Usage/ }));
  const row = await screen.findByRole("row", { name: /2026-W01/ }, LAZY);
  expect(row).toHaveTextContent("75%");
  expect(screen.getAllByRole("button", { name: "Batch upload" })).toHaveLength(1);
  const opener = screen.getByRole("button", { name: "Batch upload" });
  await user.click(opener);
  expect(await screen.findByRole("dialog", { name: "Batch upload" }, LAZY)).toHaveTextContent("Up to 50 videos");
  await user.keyboard("{Escape}");
  expect(opener).toHaveFocus(); // back to the button that opened the dialog, not <body>
});
