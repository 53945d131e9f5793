// Browser scenarios of seed 5.2 of the batch lifecycle, in Debian's Chromium against `reelflow serve`
// with real uploads and the real pipeline: a batch of 5 videos with custom settings, watched (live events)
// until it completes; several batches managed side by side; filter and sort in the batch list. Each page
// visited passes axe (no serious or critical violation). Waits are for states, never for time.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import AxeBuilder from "@axe-core/playwright";
import { apiAs as api, assetsBuilt, launchBrowser, makeClips, signIn, startServe } from "./harness.mjs";

const PIPELINE_TIMEOUT = 240_000;
let serve;
let browser;
let page;
let context;
const errors = [];
const created = {}; // batch name -> id, shared by the scenarios (they run in order)

before(async () => {
  assert.ok(assetsBuilt(), "frontend/dist is missing: run `npm run build` first");
  [serve, browser] = await Promise.all([startServe(), launchBrowser()]);
  ({ context, page } = await signIn(browser, serve.base, { user: "scenario-user", errors }));
});

after(async () => {
  await context?.close();
  await browser?.close();
  await serve?.stop();
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

async function openNav(name) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
}

/** BatchUploadModal: drop the files, name the batch, let `configure` set BatchSettingsForm, upload, start. */
async function createThroughUi(name, clips, configure = async () => {}) {
  await page.getByRole("button", { name: "Batch upload" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Batch upload" });
  await dialog.getByTestId("file-input").setInputFiles(clips);
  const upload = dialog.getByRole("button", { name: `Upload ${clips.length} videos` });
  await upload.waitFor();
  await dialog.getByLabel("Batch name", { exact: true }).fill(name);
  await configure(dialog);
  await upload.click();
  await dialog.getByText(`All ${clips.length} videos uploaded`).waitFor({ timeout: 60_000 });
  await dialog.getByRole("button", { name: "Start processing" }).click();
  await page.getByRole("heading", { name, exact: true }).waitFor();
  const id = page.url().split("/").pop();
  created[name] = id;
  return id;
}

/** The details page follows the pipeline (WebSocket events; polling as a safety net): every progress value until 100 %. */
async function watchUntilComplete() {
  const seen = await page.evaluate(
    (timeout) =>
      new Promise((resolve, reject) => {
        const values = [];
        const read = () => {
          const bar = document.querySelector('[aria-label="Batch progress"]');
          const value = Number(bar?.getAttribute("aria-valuenow") ?? 0);
          if (values.at(-1) !== value) values.push(value);
          if (value === 100) {
            observer.disconnect();
            clearTimeout(timer);
            resolve(values);
          }
        };
        const observer = new MutationObserver(read);
        observer.observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
        const timer = setTimeout(() => reject(new Error(`progress stopped at ${values.join(" → ")}`)), timeout);
        read();
      }),
    PIPELINE_TIMEOUT,
  );
  await page.locator("header [data-status='completed']").waitFor();
  return seen;
}

test(
  "create a batch of 5 videos with custom settings and watch it complete",
  { timeout: PIPELINE_TIMEOUT + 60_000 },
  async () => {
    const clips = makeClips(["intro.mp4", "part 2.mp4", "part-3.mov", "part_4.mp4", "outro.webm"], 1);
    await page.getByText("No batch jobs yet").waitFor();
    const id = await createThroughUi("Five clips", clips, async (dialog) => {
      await dialog.getByRole("checkbox", { name: "Transcribe" }).click();
      await dialog.getByRole("checkbox", { name: "Detect highlights" }).click();
      await dialog.getByLabel("Minimum silence (s)", { exact: true }).fill("1.5");
      await dialog.getByRole("combobox", { name: "Format", exact: true }).click();
      await page.getByRole("option", { name: "MOV" }).click();
      await dialog.getByRole("combobox", { name: "Quality", exact: true }).click();
      await page.getByRole("option", { name: "720p" }).click();
      await dialog.getByRole("checkbox", { name: "Cut lists (EDL, FCPXML)" }).click();
      await expectAccessible("upload modal with custom settings");
    });
    assert.equal(await page.getByRole("table", { name: "Videos of this batch" }).getByRole("row").count(), 6);
    await expectAccessible("batch details while running");

    const progress = await watchUntilComplete();
    assert.equal(progress.at(-1), 100);
    assert.ok(progress.length >= 2 && progress[0] < 100, `the page never showed the run: ${progress}`);
    assert.ok(progress.every((value, i) => i === 0 || value > progress[i - 1]), `progress went back: ${progress}`);
    await page.getByLabel("Completed: 5").waitFor();
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByText("Export MOV at 720p").waitFor(); // the settings card shows what was chosen
    await page.getByText("EDL and FCPXML cut lists").waitFor();
    await expectAccessible("batch details completed");

    const { body: batch } = await apiAs("GET", `/api/batch-jobs/${id}`);
    assert.equal(batch.status, "completed");
    assert.equal(batch.completed_videos, 5);
    assert.deepEqual(
      [batch.settings.transcribe, batch.settings.detect_highlights, batch.settings.min_silence_duration],
      [false, false, 1.5],
    );
    assert.deepEqual([batch.settings.export_format, batch.settings.export_quality, batch.settings.cut_lists], ["mov", "720p", true]);
    assert.deepEqual(
      batch.videos.map((v) => v.status),
      ["completed", "completed", "completed", "completed", "completed"],
    );
    // Each output is a real file the browser can download through its presigned URL.
    const output = await fetch(batch.videos[0].output_video_url);
    assert.equal(output.status, 200);
    assert.ok((await output.arrayBuffer()).byteLength > 1000);
  },
);

test("manage several batches: a second one runs beside a pending one, each opens from the list", { timeout: PIPELINE_TIMEOUT + 60_000 }, async () => {
  // A batch created without uploads stays pending (made through the API: the UI uploads at once).
  const pending = await apiAs("POST", "/api/batch-jobs", { name: "Waiting for files", files: [{ name: "later.mp4", size: 1000 }] });
  assert.equal(pending.status, 201);
  created["Waiting for files"] = pending.body.batch_job.id;

  await openNav("Dashboard");
  const clips = makeClips(["short a.mp4", "short b.mp4"], 1);
  await createThroughUi("Two clips", clips);
  await openNav("Dashboard");
  await expectAccessible("dashboard with an active batch");
  await openNav("Batch jobs");
  const list = page.getByRole("table", { name: "Batch jobs" });
  for (const name of ["Five clips", "Two clips", "Waiting for files"]) await list.getByRole("button", { name, exact: true }).waitFor();
  await expectAccessible("batch list with three batches");

  await list.getByRole("button", { name: "Waiting for files", exact: true }).click();
  await page.getByRole("heading", { name: "Waiting for files" }).waitFor();
  await page.locator("header [data-status='pending']").waitFor();
  await expectAccessible("pending batch details");

  await openNav("Batch jobs");
  await list.getByRole("button", { name: "Two clips", exact: true }).click();
  await page.getByRole("heading", { name: "Two clips" }).waitFor();
  await watchUntilComplete();
  await page.getByLabel("Completed: 2").waitFor();
});

test("filter by status and sort in BatchJobsList", { timeout: 60_000 }, async () => {
  await openNav("Batch jobs");
  const list = page.getByRole("table", { name: "Batch jobs" });
  const names = async () => {
    const buttons = list.getByRole("row").getByRole("button", { name: /^(Five clips|Two clips|Waiting for files)$/ });
    return buttons.allTextContents();
  };
  const until = async (expected) => {
    await page.waitForFunction(
      (want) =>
        JSON.stringify(
          [...document.querySelectorAll('table[aria-label="Batch jobs"] tbody tr')]
            .map((row) => row.querySelector("button")?.textContent ?? "")
            .filter(Boolean),
        ) === JSON.stringify(want),
      expected,
    );
    assert.deepEqual(await names(), expected);
  };
  await until(["Two clips", "Waiting for files", "Five clips"]); // newest first

  await page.getByLabel("Status", { exact: true }).selectOption("completed");
  await until(["Two clips", "Five clips"]);
  const completedQuery = await apiAs("GET", "/api/batch-jobs?status=completed");
  assert.equal(completedQuery.body.total, 2); // the filter is the server's
  await expectAccessible("batch list filtered");

  await page.getByLabel("Status", { exact: true }).selectOption("pending");
  await until(["Waiting for files"]);

  await page.getByLabel("Status", { exact: true }).selectOption("all");
  await page.getByLabel("Sort by", { exact: true }).selectOption("name");
  await until(["Five clips", "Two clips", "Waiting for files"]);
  await page.getByLabel("Sort by", { exact: true }).selectOption("progress");
  await until(["Two clips", "Five clips", "Waiting for files"]); // 100 %, 100 %, 0 %
  await expectAccessible("batch list sorted");
  assert.deepEqual(errors, []);
});

test("usage shows this user's finished videos per period", { timeout: 30_000 }, async () => {
  await openNav("Usage");
  await page.getByRole("tab", { name: "Daily" }).click();
  const total = page.getByRole("row", { name: /^Total/ });
  await total.waitFor();
  const { body } = await apiAs("GET", "/api/usage?period=day");
  assert.equal(body.total.videos_completed, 7);
  assert.equal(body.total.batches, 3);
  assert.match(await total.textContent(), /Total37/); // batches 3, videos 7
  await expectAccessible("usage");
});
