// The web app against API Gateway's WebSocket connection limits, made short: API Gateway closes a connection
// that carried no message for 10 minutes, and every connection at 2 hours. Here `reelflow serve` closes them
// after 1 s idle and 5 s in all (REELFLOW_WS_IDLE_SECONDS, REELFLOW_WS_MAX_SECONDS), while a batch waits and
// while it runs: the page reconnects, resubscribes, and the batch's end reaches it over the socket.
// Waits are for states, never for time.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { after, before, test } from "node:test";
import { apiAs as api, assetsBuilt, launchBrowser, makeClips, signIn, startServe } from "./harness.mjs";

const PIPELINE_TIMEOUT = 480_000; // a generous bound: a busy 2-core machine runs the whole pipeline here
let serve;
let browser;
let clips;
const errors = [];

before(async () => {
  assert.ok(assetsBuilt(), "frontend/dist is missing: run `npm run build` first");
  [serve, browser] = await Promise.all([
    startServe({ REELFLOW_WS_IDLE_SECONDS: "1", REELFLOW_WS_MAX_SECONDS: "5" }),
    launchBrowser(),
  ]);
  clips = makeClips(["limits.mp4"]);
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

async function until(check, timeout, what) {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("the page follows a batch to its end across connections the gateway closes", { timeout: PIPELINE_TIMEOUT }, async () => {
  const sockets = { opened: 0, closed: 0 };
  const frames = [];
  const { context, page } = await signIn(browser, serve.base, {
    user: "limits-user",
    errors,
    watch: (fresh) =>
      fresh.on("websocket", (socket) => {
        sockets.opened += 1;
        socket.on("close", () => (sockets.closed += 1));
        socket.on("framereceived", ({ payload }) => {
          try {
            frames.push({ socket: sockets.opened, ...JSON.parse(String(payload)) });
          } catch {
            /* not JSON */
          }
        });
      }),
  });
  const apiAs = (method, route, body) => api(page, serve.base, method, route, body);
  const [clip] = clips;
  const created = await apiAs("POST", "/api/batch-jobs", {
    name: "Across closes",
    files: [{ name: "limits.mp4", size: statSync(clip).size }],
    settings: { transcribe: false, detect_highlights: false },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const target = created.body.uploads[0];
  const put = await fetch(target.url, { method: "PUT", headers: target.headers, body: readFileSync(clip) });
  assert.equal(put.status, 200, await put.text());
  const id = created.body.batch_job.id;

  await page.goto(`${serve.base}/batches/${id}`);
  await page.getByRole("heading", { name: "Across closes", exact: true }).waitFor();
  // Idle while the batch waits: the gateway closes the page's sockets, and the page opens new ones.
  const openedAtStart = sockets.opened;
  await until(() => sockets.closed >= 2 && sockets.opened >= openedAtStart + 2, 60_000, "closed sockets to be reopened");

  const started = await apiAs("POST", `/api/batch-jobs/${id}/start`);
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const ended = (f) =>
    f.batch_id === id && (f.type === "batch_completed" || (f.type === "batch_snapshot" && f.status === "completed"));
  await until(() => frames.some(ended), PIPELINE_TIMEOUT, "the batch's end over the socket");
  await page.locator("header").filter({ has: page.getByRole("heading", { level: 1 }) }).locator("[data-status='completed']").waitFor();
  assert.ok(sockets.closed >= 2, `sockets: ${JSON.stringify(sockets)}`);
  const subscribedAgain = frames.filter((f) => f.batch_id === id && f.type === "batch_snapshot").map((f) => f.socket);
  assert.ok(new Set(subscribedAgain).size >= 2, `snapshots came on sockets ${subscribedAgain}`); // resubscribed
  assert.deepEqual(errors, []);
  await context.close();
});
