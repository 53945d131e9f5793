// The finish of the web app in Debian's Chromium against `reelflow serve`: the first script's size budget,
// compressed assets, the notification center receiving a batch's completion (1280 px), and the batch list,
// the details page and the upload modal on a 375 px phone with no sideways scroll and no axe violation.
// Waits are for states, never for time.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import path from "node:path";
import { after, before, test } from "node:test";
import { brotliDecompressSync, gzipSync } from "node:zlib";
import AxeBuilder from "@axe-core/playwright";
import { assetsBuilt, launchBrowser, makeClips, signIn, snap, startServe } from "./harness.mjs";

const PIPELINE_TIMEOUT = 480_000; // a generous bound: a busy 2-core machine runs the whole pipeline here
const dist = path.resolve(import.meta.dirname, "../dist");
const USER = "finish-user";
let serve;
let browser;
let clips;
const errors = [];
let batchId;

before(async () => {
  assert.ok(assetsBuilt(), "frontend/dist is missing: run `npm run build` first");
  [serve, browser] = await Promise.all([startServe(), launchBrowser()]);
  clips = makeClips(["phone-a.mp4", "phone-b.mp4"]);
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

/** The script index.html loads first (the rest are chunks it imports on demand). */
function entryScript() {
  const html = readFileSync(path.join(dist, "index.html"), "utf8");
  const src = /<script type="module"[^>]*src="\/([^"]+\.js)"/.exec(html)?.[1];
  assert.ok(src, html);
  return src;
}

async function signedInPage(viewport) {
  return signIn(browser, serve.base, { user: USER, errors, viewport });
}

async function expectAccessible(page, label) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
  );
}

async function expectNoSidewaysScroll(page, label) {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(widths.scroll <= widths.client, `${label}: page is ${widths.scroll} px wide in ${widths.client} px`);
}

/** Raw GET (no automatic decompression) with the given Accept-Encoding. */
function rawGet(url, acceptEncoding) {
  return new Promise((resolve, reject) => {
    request(url, { headers: { "Accept-Encoding": acceptEncoding } }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    })
      .on("error", reject)
      .end();
  });
}

test("the first script is under 150 KB gzipped; the routes are chunks of their own", () => {
  const entry = readFileSync(path.join(dist, entryScript()));
  const gzipped = gzipSync(entry, { level: 9 }).length;
  console.log(`first script: ${(entry.length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
  assert.ok(gzipped < 150 * 1024, `first script is ${gzipped} bytes gzipped`);
  const source = entry.toString("utf8");
  for (const chunk of ["BatchJobDetails", "BatchUploadModal", "UsagePage"]) {
    assert.match(source, new RegExp(`assets/${chunk}-[\\w-]+\\.js`), `${chunk} is loaded on demand`);
  }
});

test("reelflow serve sends the assets compressed (brotli or gzip) and plain to a client that asks for it", async () => {
  const url = `${serve.base}/${entryScript()}`;
  const original = readFileSync(path.join(dist, entryScript()));
  const br = await rawGet(url, "br, gzip");
  assert.equal(br.headers["content-encoding"], "br");
  assert.ok(brotliDecompressSync(br.body).equals(original));
  const gzip = await rawGet(url, "gzip");
  assert.equal(gzip.headers["content-encoding"], "gzip");
  assert.ok(gzip.body.length < original.length / 2, `${gzip.body.length} of ${original.length} bytes`);
  const plain = await rawGet(url, "identity");
  assert.equal(plain.headers["content-encoding"], undefined);
  assert.ok(plain.body.equals(original));
  // Chromium itself asks for and gets compressed files.
  const { context, page } = await signedInPage({ width: 1280, height: 900 });
  const encodings = [];
  page.on("response", (response) => {
    if (response.url().endsWith(".js")) encodings.push(response.headers()["content-encoding"]);
  });
  await page.reload();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  assert.ok(encodings.length > 0 && encodings.every((e) => e === "br" || e === "gzip"), String(encodings));
  await context.close();
});

test("the notification center receives a batch's completion, counts it unread and opens the batch", { timeout: PIPELINE_TIMEOUT }, async () => {
  const { context, page } = await signedInPage({ width: 1280, height: 900 });
  await page.getByRole("button", { name: "Batch upload" }).click();
  const dialog = page.getByRole("dialog", { name: "Batch upload" });
  await dialog.getByTestId("file-input").setInputFiles(clips);
  const upload = dialog.getByRole("button", { name: "Upload 2 videos" });
  await upload.waitFor();
  await dialog.getByLabel("Batch name", { exact: true }).fill("Phone clips");
  await dialog.getByRole("checkbox", { name: "Transcribe" }).click();
  await dialog.getByRole("checkbox", { name: "Detect highlights" }).click();
  await upload.click();
  await dialog.getByText("All 2 videos uploaded").waitFor({ timeout: 60_000 });
  await dialog.getByRole("button", { name: "Start processing" }).click();
  await page.getByRole("heading", { name: "Phone clips", exact: true }).waitFor();
  batchId = page.url().split("/").pop();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  const bell = page.getByRole("button", { name: "Notifications, 1 unread" });
  await bell.waitFor({ timeout: PIPELINE_TIMEOUT });
  await bell.click();
  const entry = page.getByRole("link", { name: /Phone clips is finished: 2 of 2 videos ready/ });
  await entry.waitFor();
  await expectAccessible(page, "notification center");
  await snap(page, "notifications");
  await entry.click();
  await page.waitForURL(`**/batches/${batchId}`);
  await page.getByRole("button", { name: "Notifications" }).waitFor(); // read once seen
  await page.reload(); // the inbox is kept
  await page.getByRole("button", { name: "Notifications" }).click();
  await page.getByRole("link", { name: /Phone clips is finished/ }).waitFor();
  await context.close();
});

test("on a 375 px phone the list, the details page and the upload modal fit the width, actions in reach", async () => {
  assert.ok(batchId, "runs after the notification scenario, which makes the batch");
  const { context, page } = await signedInPage({ width: 375, height: 812 });
  const nav = page.getByRole("navigation", { name: "Main" });

  await nav.getByRole("link", { name: "Batch jobs" }).click();
  const actions = page.getByRole("button", { name: "Actions for Phone clips" });
  await actions.waitFor();
  const box = await actions.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `actions at ${JSON.stringify(box)}`);
  await expectNoSidewaysScroll(page, "batch list");
  await expectAccessible(page, "batch list at 375 px");
  await snap(page, "phone-list");

  await page.getByRole("button", { name: "Phone clips", exact: true }).click();
  await page.getByRole("heading", { name: "Phone clips", exact: true }).waitFor();
  const rowActions = page.getByRole("button", { name: "Actions for phone-a.mp4" });
  await rowActions.waitFor();
  const rowBox = await rowActions.boundingBox();
  assert.ok(rowBox && rowBox.x + rowBox.width <= 375, `row actions at ${JSON.stringify(rowBox)}`);
  await expectNoSidewaysScroll(page, "details");
  await expectAccessible(page, "details at 375 px");
  await snap(page, "phone-details");

  const opener = page.getByRole("button", { name: "Batch upload" });
  await opener.click();
  const dialog = page.getByRole("dialog", { name: "Batch upload" });
  await dialog.getByTestId("file-input").setInputFiles(clips);
  const upload = dialog.getByRole("button", { name: "Upload 2 videos" });
  await upload.waitFor();
  // The footer is sticky: Upload is on screen without scrolling past the settings.
  const uploadBox = await upload.boundingBox();
  assert.ok(uploadBox && uploadBox.y + uploadBox.height <= 812 && uploadBox.x + uploadBox.width <= 375, JSON.stringify(uploadBox));
  await expectNoSidewaysScroll(page, "upload modal");
  await expectAccessible(page, "upload modal at 375 px");
  await snap(page, "phone-upload");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  assert.equal(await opener.evaluate((el) => el === document.activeElement), true, "focus is back on Batch upload");

  assert.deepEqual(errors, []);
  await context.close();
});
