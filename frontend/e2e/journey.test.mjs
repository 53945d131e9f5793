// A creator's whole journey with a pending batch, in Debian's Chromium against `reelflow serve` (real
// uploads to the local S3, the real probe and pipeline), at 1280 px: a missing file uploaded, a bad file
// replaced (no Retry offered for it), videos added, reordered with buttons and by dragging, removed (each
// change saved: read back from the API), a name and description edited, a refused upload URL renewed,
// the network cut and restored on the details page, cancel and delete confirmed, the repaired batch
// processed to the end, and a multipart upload resumed after a reload.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { apiAs as api, assetsBuilt, launchBrowser, makeClips, signIn, startServe } from "./harness.mjs";

const PIPELINE_TIMEOUT = 240_000;
let serve;
let browser;
let context;
let page;
let clips;
let corrupt;
const errors = [];

before(async () => {
  assert.ok(assetsBuilt(), "frontend/dist is missing: run `npm run build` first");
  clips = makeClips(["one.mp4", "two.mp4", "three.mp4", "four.mp4"]);
  corrupt = path.join(path.dirname(clips[0]), "broken.mp4");
  writeFileSync(corrupt, Buffer.concat([Buffer.from("\x00\x00\x00\x18ftypmp42"), Buffer.alloc(4000, 7)]));
  [serve, browser] = await Promise.all([startServe(), launchBrowser()]);
  ({ context, page } = await signIn(browser, serve.base, { user: "journey-user", errors }));
});

after(async () => {
  await context?.close();
  await browser?.close();
  await serve?.stop();
});

const apiAs = (method, route, body) => api(page, serve.base, method, route, body);

const sizeOf = async (file) => (await import("node:fs")).statSync(file).size;

/** A batch made through the API, as another client would leave it: `put` says which slots get which file. */
async function pendingBatch(name, slots) {
  const files = await Promise.all(slots.map(async ({ as, file }) => ({ name: as, size: await sizeOf(file) })));
  const created = await apiAs("POST", "/api/batch-jobs", { name, files });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { readFileSync } = await import("node:fs");
  for (const [i, { file, upload }] of slots.entries()) {
    if (!upload) continue;
    const target = created.body.uploads[i];
    const put = await fetch(target.url, { method: "PUT", headers: target.headers, body: readFileSync(file) });
    assert.equal(put.status, 200, await put.text());
  }
  return created.body;
}

async function openBatch(id, name) {
  await page.goto(`${serve.base}/batches/${id}`);
  await page.getByRole("heading", { name, exact: true }).waitFor();
}

/** Clicks a button that opens the file chooser, and gives it `file`. */
async function choose(button, file) {
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), button.click()]);
  await chooser.setFiles(file);
}

const order = async (id) => (await apiAs("GET", `/api/batch-jobs/${id}`)).body.videos.map((v) => v.original_name);

test("a stranded pending batch is repaired in the browser, reordered, trimmed and processed to the end", async () => {
  const created = await pendingBatch("Repair me", [
    { as: "one.mp4", file: clips[0], upload: true },
    { as: "broken.mp4", file: corrupt, upload: true },
    { as: "missing.mp4", file: clips[2], upload: false },
  ]);
  const id = created.batch_job.id;
  await openBatch(id, "Repair me");

  // The bad file says why, offers no Retry, and is replaced.
  const broken = page.getByRole("row", { name: /broken\.mp4/ });
  await broken.getByText(/Retrying cannot help/).waitFor();
  assert.equal(await broken.getByRole("button", { name: /Retry/ }).count(), 0);
  await choose(page.getByRole("button", { name: "Replace file for broken.mp4" }), clips[1]);
  await page.getByRole("button", { name: "Replace file for broken.mp4" }).waitFor({ state: "detached", timeout: 60_000 });

  // The missing file is uploaded, and a refused URL is renewed: the first PUT to S3 answers 403.
  let refused = 0;
  await page.route(/\/reelflow-ingest\/|X-Amz-Signature/, async (route) => {
    if (route.request().method() === "PUT" && refused === 0) {
      refused += 1;
      return route.fulfill({ status: 403, body: "Request has expired" });
    }
    return route.continue();
  });
  const renewals = [];
  page.on("request", (r) => r.method() === "POST" && /\/uploads\/[^/]+$/.test(new URL(r.url()).pathname) && renewals.push(r.url()));
  await choose(page.getByRole("button", { name: "Upload file for missing.mp4" }), clips[2]);
  await page.getByRole("button", { name: "Upload file for missing.mp4" }).waitFor({ state: "detached", timeout: 60_000 });
  await page.unroute(/\/reelflow-ingest\/|X-Amz-Signature/);
  assert.equal(refused, 1, "the first PUT was refused");
  assert.ok(renewals.length >= 2, `a fresh URL was asked for after the refusal: ${renewals}`);

  // Videos are added.
  await choose(page.getByRole("button", { name: /Add videos/ }), clips[3]);
  await page.getByRole("row", { name: /four\.mp4/ }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => !document.body.textContent.includes("Uploading"), null, { timeout: 60_000 });
  assert.deepEqual(await order(id), ["one.mp4", "broken.mp4", "missing.mp4", "four.mp4"]);

  // Reordered with the buttons, then by dragging: both saved.
  await page.getByRole("button", { name: "Move one.mp4 down" }).click();
  await page.waitForFunction(async () => true);
  await assertEventually(async () => assert.deepEqual(await order(id), ["broken.mp4", "one.mp4", "missing.mp4", "four.mp4"]));
  await page.getByRole("row", { name: /four\.mp4/ }).dragTo(page.getByRole("row", { name: /broken\.mp4/ }));
  await assertEventually(async () => assert.deepEqual(await order(id), ["four.mp4", "broken.mp4", "one.mp4", "missing.mp4"]));

  // Removed through the row's menu: saved, and the list still reads.
  await page.getByRole("button", { name: "Actions for one.mp4" }).click();
  await page.getByRole("menuitem", { name: "Remove" }).click();
  await assertEventually(async () => assert.deepEqual(await order(id), ["four.mp4", "broken.mp4", "missing.mp4"]));
  assert.equal((await apiAs("GET", "/api/batch-jobs")).status, 200);
  assert.equal((await apiAs("GET", "/api/batch-jobs?status=pending")).status, 200);

  // The repaired batch runs to the end.
  await page.getByRole("button", { name: "Start processing" }).click();
  await page.getByText("Completed", { exact: true }).first().waitFor({ timeout: PIPELINE_TIMEOUT });
  await assertEventually(async () => assert.equal((await apiAs("GET", `/api/batch-jobs/${id}`)).body.status, "completed"), PIPELINE_TIMEOUT);
  const done = (await apiAs("GET", `/api/batch-jobs/${id}`)).body;
  assert.equal(done.completed_videos, 3, JSON.stringify(done.videos.map((v) => [v.original_name, v.status, v.error_message])));
  assert.deepEqual(errors, []);
});

test("a pending batch's name and description are edited in the browser and saved", { timeout: 60_000 }, async () => {
  const created = await pendingBatch("Rough name", [{ as: "one.mp4", file: clips[0], upload: false }]);
  const id = created.batch_job.id;
  await openBatch(id, "Rough name");
  await page.getByRole("button", { name: "Edit details" }).click();
  const dialog = page.getByRole("dialog", { name: "Edit batch details" });
  await dialog.getByLabel("Name").fill("Final name");
  await dialog.getByLabel("Description").fill("Shot on the coast");
  await dialog.getByRole("button", { name: "Save" }).click();
  await page.getByRole("heading", { name: "Final name", exact: true }).waitFor();
  await page.getByText("Shot on the coast").waitFor();
  const stored = (await apiAs("GET", `/api/batch-jobs/${id}`)).body;
  assert.deepEqual([stored.name, stored.description], ["Final name", "Shot on the coast"]);
  assert.deepEqual(errors, []);
});

test("the network cut on the details page keeps the batch on screen, then recovers", async () => {
  const created = await pendingBatch("Offline", [{ as: "one.mp4", file: clips[0], upload: true }]);
  await openBatch(created.batch_job.id, "Offline");
  await context.setOffline(true);
  // The page's next poll finds no network (it polls a batch that has not finished).
  await page.getByText("Connection lost").waitFor({ timeout: 30_000 });
  await page.getByRole("heading", { name: "Offline", exact: true }).waitFor();
  await context.setOffline(false);
  // Back online the page recovers by itself (a paused query resumes); Retry now is there until it has.
  await page.getByRole("button", { name: /Retry now/ }).click({ timeout: 2_000 }).catch(() => undefined);
  await page.getByText("Connection lost").waitFor({ state: "detached", timeout: 30_000 });
  await page.getByRole("heading", { name: "Offline", exact: true }).waitFor();
});

test("cancel and delete ask first, and only a confirmed one acts", async () => {
  const created = await pendingBatch("Doomed", [{ as: "one.mp4", file: clips[0], upload: true }]);
  const id = created.batch_job.id;
  await openBatch(id, "Doomed");
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  const ask = page.getByRole("alertdialog", { name: "Cancel this batch?" });
  await ask.getByRole("button", { name: "Keep it" }).click();
  assert.equal((await apiAs("GET", `/api/batch-jobs/${id}`)).body.status, "pending");
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  await ask.getByRole("button", { name: "Cancel batch" }).click();
  await assertEventually(async () => assert.equal((await apiAs("GET", `/api/batch-jobs/${id}`)).body.status, "cancelled"));
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const remove = page.getByRole("alertdialog", { name: "Delete this batch?" });
  await remove.getByText(/every output/).waitFor();
  await remove.getByRole("button", { name: "Delete batch" }).click();
  await assertEventually(async () => assert.equal((await apiAs("GET", `/api/batch-jobs/${id}`)).status, 404));
});

async function assertEventually(check, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

test("a multipart upload cut short resumes after a reload: only the missing part is sent", async () => {
  const { readFileSync } = await import("node:fs");
  const big = path.join(path.dirname(clips[0]), "big.mp4");
  const clip = readFileSync(clips[0]);
  writeFileSync(big, Buffer.concat([clip, Buffer.alloc(101 * 1024 * 1024 - clip.length)])); // over the 100 MiB threshold
  const created = await apiAs("POST", "/api/batch-jobs", { name: "Big one", files: [{ name: "big.mp4", size: await sizeOf(big) }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { video_id: videoId, multipart } = created.body.uploads[0];
  assert.ok(multipart && multipart.parts.length === 2, JSON.stringify(multipart));
  // The first part went up before the page was closed.
  const first = readFileSync(big).subarray(0, multipart.part_size);
  assert.equal((await fetch(multipart.parts[0].url, { method: "PUT", body: first })).status, 200);

  await openBatch(created.body.batch_job.id, "Big one"); // a fresh page: nothing of the first upload in memory
  const puts = [];
  page.on("request", (r) => r.method() === "PUT" && puts.push(new URL(r.url()).searchParams.get("partNumber")));
  await choose(page.getByRole("button", { name: "Upload file for big.mp4" }), big);
  await page.getByRole("button", { name: "Upload file for big.mp4" }).waitFor({ state: "detached", timeout: 120_000 });
  assert.deepEqual(puts, ["2"]);
  const slot = (await apiAs("GET", `/api/batch-jobs/${created.body.batch_job.id}`)).body.videos.find((v) => v.video_id === videoId);
  assert.notEqual(slot.upload_status, "awaiting_upload");
});
