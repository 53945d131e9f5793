// Browser smoke test: `reelflow serve` + Debian's Chromium. Sign in locally, create a batch through the
// UI with real uploads to the embedded S3, start it, see it in the list; axe finds no serious or
// critical violation on the pages visited.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import AxeBuilder from "@axe-core/playwright";
import { assetsBuilt, launchBrowser, makeClips, snap, startServe } from "./harness.mjs";

let serve;
let browser;

before(async () => {
  assert.ok(assetsBuilt(), "frontend/dist is missing: run `npm run build` first");
  [serve, browser] = await Promise.all([startServe(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

async function expectAccessible(page, label) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
  );
}

test("sign in, create a batch of real uploads, start it and find it in the list", { timeout: 480_000 }, async () => {
  const clips = makeClips(["talk one.mp4", "talk-two.mov", "talk-3.webm"]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));

  await page.goto(serve.base);
  await page.getByRole("radio", { name: /creator/i }).waitFor();
  await expectAccessible(page, "sign-in");
  await page.getByLabel("User name").fill("e2e-user");
  await page.getByRole("radio", { name: /creator/i }).click();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  await page.getByText("No batch jobs yet").waitFor();
  await expectAccessible(page, "dashboard");

  await page.getByRole("button", { name: "Batch upload" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Batch upload" });
  await dialog.getByTestId("file-input").setInputFiles(clips);
  await dialog.getByRole("button", { name: "Upload 3 videos" }).waitFor();
  // Durations are read in the browser from each file's metadata (the WebM at least decodes everywhere).
  const table = dialog.getByRole("table", { name: "Selected videos" });
  await page.waitForFunction(
    () => !document.querySelector('table[aria-label="Selected videos"]')?.textContent?.includes("…"),
  );
  assert.ok((await table.getByText("0:02").count()) >= 1, await table.textContent());
  await dialog.getByLabel("Batch name", { exact: true }).fill("E2E smoke batch");
  await dialog.getByRole("checkbox", { name: "Transcribe" }).click();
  await dialog.getByRole("checkbox", { name: "Detect highlights" }).click();
  await dialog.getByRole("combobox", { name: "Quality", exact: true }).click();
  await page.getByRole("option", { name: "720p" }).click();
  await expectAccessible(page, "upload modal");
  await dialog.evaluate((element) => element.scrollTo(0, 0));
  await snap(page, "upload-modal");
  await dialog.getByRole("button", { name: "Upload 3 videos" }).click();
  await dialog.getByText("All 3 videos uploaded").waitFor({ timeout: 60_000 });
  await dialog.getByRole("button", { name: "Start processing" }).click();

  await page.getByRole("heading", { name: "E2E smoke batch" }).waitFor();
  assert.match(page.url(), /\/batches\/[^/]+$/);
  const rows = page.getByRole("table", { name: "Videos of this batch" }).getByRole("row");
  assert.equal(await rows.count(), 4);
  await expectAccessible(page, "batch details");
  await page.getByRole("progressbar", { name: "Batch progress" }).waitFor();
  // The page follows the real pipeline: progress moves without a reload.
  await page.waitForFunction(
    () => Number(document.querySelector('[aria-label="Batch progress"]')?.getAttribute("aria-valuenow")) > 0,
    null,
    { timeout: 120_000 },
  );

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Batch jobs" }).click();
  const listed = page.getByRole("table", { name: "Batch jobs" }).getByRole("button", { name: "E2E smoke batch", exact: true });
  await listed.waitFor();
  await expectAccessible(page, "batch list");

  // A narrow phone layout keeps everything reachable without horizontal scrolling of the page.
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than a 375 px screen`);
  assert.deepEqual(errors, []);
  await context.close();
});
