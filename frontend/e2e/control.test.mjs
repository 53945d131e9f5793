// Browser scenarios of seed 5.2 over the control, live-progress and export endpoints, in Debian's Chromium
// against `reelflow serve` with real uploads and the real pipeline: pause and resume, live progress over
// the WebSocket, retry failed videos, export as ZIP and download it, delete a completed batch. A free-plan
// user runs one video at a time, so a pause requested at start lands while videos remain. Each page visited
// passes axe. Waits are for states, never for time.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import AxeBuilder from "@axe-core/playwright";
import { apiAs as api, assetsBuilt, ffmpegGate, launchBrowser, makeClips, python, signIn, snap, startServe } from "./harness.mjs";

const PIPELINE_TIMEOUT = 480_000; // a generous bound: a busy 2-core machine runs the whole pipeline here
let serve;
let browser;
let context;
let page;
const errors = [];
const frames = []; // WebSocket messages the page received, each once (the notification center has a socket too)
const frameKeys = new Set();
let liveBatchId;
const gate = ffmpegGate(); // parks the first video mid-processing until the pause has landed

before(async () => {
  assert.ok(assetsBuilt(), "frontend/dist is missing: run `npm run build` first");
  [serve, browser] = await Promise.all([startServe(gate.env), launchBrowser()]);
  ({ context, page } = await signIn(browser, serve.base, {
    user: "control-user",
    plan: "free",
    errors,
    acceptDownloads: true,
    watch: (fresh) =>
      fresh.on("websocket", (socket) =>
        socket.on("framereceived", ({ payload }) => {
          try {
            const frame = JSON.parse(String(payload));
            const key = `${frame.batch_id}:${frame.type}:${frame.sequence}`;
            if (!frameKeys.has(key)) frames.push(frame);
            frameKeys.add(key);
          } catch {
            /* not JSON */
          }
        }),
      ),
  }));
});

after(async () => {
  await context?.close();
  await browser?.close();
  await serve?.stop();
  gate.release();
  gate.remove();
});

async function expectAccessible(label) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
  );
}

const apiAs = (method, route, body) => api(page, serve.base, method, route, body);

/** Polls the API (a state wait, bounded) until `done(body)` holds. */
async function untilApi(route, done, timeout = PIPELINE_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const { body } = await apiAs("GET", route);
    if (done(body)) return body;
    assert.ok(Date.now() < deadline, `still not there: ${JSON.stringify(body).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function openNav(name) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
}

/** Upload through BatchUploadModal with transcription and highlights off (fast), start, land on details. */
async function createThroughUi(name, files, beforeStart = () => {}) {
  await openNav("Dashboard");
  await page.getByRole("button", { name: "Batch upload" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Batch upload" });
  await dialog.getByTestId("file-input").setInputFiles(files);
  const upload = dialog.getByRole("button", { name: `Upload ${files.length} videos` });
  await upload.waitFor();
  await dialog.getByLabel("Batch name", { exact: true }).fill(name);
  await dialog.getByRole("checkbox", { name: "Transcribe" }).click();
  await dialog.getByRole("checkbox", { name: "Detect highlights" }).click();
  await upload.click();
  await dialog.getByText(`All ${files.length} videos uploaded`).waitFor({ timeout: 60_000 });
  beforeStart();
  await dialog.getByRole("button", { name: "Start processing" }).click();
  await page.getByRole("heading", { name, exact: true }).waitFor();
  return page.url().split("/").pop();
}

const header = () => page.locator("header").filter({ has: page.getByRole("heading", { level: 1 }) });

test("pause while the first video runs, then watch live progress over the WebSocket while resuming from the dashboard", { timeout: PIPELINE_TIMEOUT }, async () => {
  const clips = makeClips(["one.mp4", "two.mp4", "three.mp4"], 1);
  // Free plan: one video at a time. The gate holds the first video in its first ffmpeg call, so the pause
  // lands while it runs and the others wait, however fast or slow the machine is.
  liveBatchId = await createThroughUi("Live clips", clips, gate.hold);
  await untilApi(`/api/batch-jobs/${liveBatchId}`, (b) => b.videos.some((v) => v.status === "processing"));
  await header().getByRole("button", { name: "Pause" }).click();
  await header().locator("[data-status='paused']").waitFor({ timeout: 60_000 });
  gate.release();
  // The video running when the pause landed finishes; the ones not started wait.
  const paused = await untilApi(`/api/batch-jobs/${liveBatchId}`, (b) => b.videos.every((v) => v.status !== "processing"));
  assert.equal(paused.status, "paused");
  assert.deepEqual(paused.videos.map((v) => v.status), ["completed", "pending", "pending"]);
  await expectAccessible("batch details paused");
  // The pipeline's poster frame reaches the row (after the page's next refresh: events carry no URLs).
  const [done] = paused.videos;
  assert.ok(done.artifacts.thumbnail && done.artifacts.poster, `artifacts: ${Object.keys(done.artifacts)}`);
  await page.getByRole("table", { name: "Videos of this batch" }).locator("img").first().waitFor({ timeout: 15_000 });
  await snap(page, "batch-details"); // the README's picture of a run in progress (paused after its first video)

  await openNav("Dashboard");
  const panel = page.getByRole("region", { name: "Progress of Live clips" });
  await panel.locator("[data-status='paused']").waitFor();
  await panel.getByRole("button", { name: "Show details" }).click();
  // Subscribed: the socket has delivered the snapshot and the badge is gone.
  await panel.getByText("Disconnected").waitFor({ state: "hidden" });
  const seenBefore = frames.length;
  assert.ok(frames.some((f) => f.type === "batch_snapshot" && f.batch_id === liveBatchId), "no snapshot arrived");
  await expectAccessible("dashboard with a paused batch");

  // The log as the user saw it: a completed batch leaves "Active batches", so record entries as they appear.
  await page.evaluate(() => {
    const seen = (window.__activity = []);
    new MutationObserver(() => {
      const region = document.querySelector('[aria-label="Progress of Live clips"] [aria-label="Activity"]');
      for (const item of region?.querySelectorAll("li span") ?? []) if (!seen.includes(item.textContent)) seen.push(item.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await panel.getByRole("button", { name: "Resume" }).click();
  await panel.getByText("Disconnected").waitFor({ state: "hidden" });
  await page.getByText("Live clips finished").first().waitFor({ timeout: PIPELINE_TIMEOUT }); // the completion toast
  const events = frames.slice(seenBefore).filter((f) => f.batch_id === liveBatchId).map((f) => f.type);
  assert.ok(events.includes("batch_resumed") && events.includes("batch_completed"), `events: ${events}`);
  const remaining = paused.videos.filter((v) => v.status === "pending").length;
  assert.equal(events.filter((t) => t === "video_completed").length, remaining, `events: ${events}`);
  const sequences = frames.filter((f) => f.batch_id === liveBatchId && f.type !== "batch_snapshot").map((f) => f.sequence);
  assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b), "events out of order");
  const activity = await page.evaluate(() => window.__activity);
  assert.ok(activity.includes("Batch: resumed"), `activity: ${activity}`);
  assert.ok(activity.includes("Video 3 (three.mp4): completed"), `activity: ${activity}`);
  assert.ok(activity.filter((line) => line.endsWith(": completed")).length >= remaining, `activity: ${activity}`);
  assert.equal(await panel.getByText("Disconnected").count(), 0);
  await expectAccessible("dashboard after live progress");
});

test("export the completed batch as ZIP and download it", { timeout: 120_000 }, async () => {
  await openNav("Batch jobs");
  await page.getByRole("table", { name: "Batch jobs" }).getByRole("button", { name: "Live clips", exact: true }).click();
  await header().locator("[data-status='completed']").waitFor();
  await header().getByRole("button", { name: "Export" }).click();
  const dialog = page.getByRole("dialog", { name: /Export/ });
  await dialog.getByRole("radio", { name: /ZIP/ }).check();
  await expectAccessible("export dialog");
  await dialog.getByRole("button", { name: "Export", exact: true }).click();
  const link = dialog.getByRole("link", { name: /Download/ });
  await link.waitFor({ timeout: 90_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const file = path.join(serve.home, "export.zip");
  await download.saveAs(file);
  const names = JSON.parse(
    execFileSync(python, ["-c", "import json, sys, zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))", file]).toString(),
  );
  assert.equal(names.filter((n) => /\.mp4$/.test(n)).length, 3, `zip holds ${names}`);
  for (const clip of ["one", "two", "three"]) assert.ok(names.some((n) => n.includes(clip)), `${clip} missing from ${names}`);
  await page.keyboard.press("Escape");
  const { body } = await apiAs("GET", `/api/batch-jobs/${liveBatchId}/exports`);
  assert.equal(body.exports[0].status, "completed");
});

test("retry a video that failed (an upload that is not a video) and see Retry 1/3", { timeout: PIPELINE_TIMEOUT }, async () => {
  const [good] = makeClips(["fine.mp4"], 1);
  const broken = path.join(path.dirname(good), "broken.mp4");
  writeFileSync(broken, Buffer.alloc(4096, "not a video "));
  const id = await createThroughUi("With a broken file", [good, broken]);
  const finished = header().locator("[data-status='completed'], [data-status='failed']");
  await finished.waitFor({ timeout: PIPELINE_TIMEOUT });
  const videos = page.getByRole("table", { name: "Videos of this batch" });
  const brokenRow = videos.getByRole("row").filter({ hasText: "broken.mp4" });
  await brokenRow.locator("[data-status='failed']").waitFor();
  await page.getByRole("alert").filter({ hasText: "broken.mp4" }).first().waitFor();
  await expectAccessible("batch details with a failed video");

  await header().getByRole("button", { name: "Retry failed" }).click();
  await brokenRow.getByText("Retry 1/3").waitFor();
  // The retried run ends (the page may render the request's answer before the run moves the batch).
  const body = await untilApi(`/api/batch-jobs/${id}`, (b) => ["completed", "failed"].includes(b.status) && b.videos.every((v) => ["completed", "failed"].includes(v.status)));
  await finished.waitFor({ timeout: PIPELINE_TIMEOUT });
  await brokenRow.locator("[data-status='failed']").waitFor();
  const retried = body.videos.find((v) => v.original_name === "broken.mp4");
  assert.equal(retried.status, "failed");
  assert.equal(retried.retry_count, 1);
  assert.equal(body.videos.find((v) => v.original_name === "fine.mp4").status, "completed");
  await expectAccessible("batch details after a retry");
});

test("delete a completed batch: it disappears from the list", { timeout: 60_000 }, async () => {
  await openNav("Batch jobs");
  const list = page.getByRole("table", { name: "Batch jobs" });
  await list.getByRole("button", { name: "Live clips", exact: true }).waitFor();
  await list.getByRole("button", { name: "Actions for Live clips" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("alertdialog", { name: "Delete this batch?" }).getByRole("button", { name: "Delete batch" }).click();
  await list.getByRole("button", { name: "Live clips", exact: true }).waitFor({ state: "detached" });
  await list.getByRole("button", { name: "With a broken file", exact: true }).waitFor();
  assert.equal((await apiAs("GET", `/api/batch-jobs/${liveBatchId}`)).status, 404);
  await expectAccessible("batch list after delete");
  assert.deepEqual(errors, []);
});
