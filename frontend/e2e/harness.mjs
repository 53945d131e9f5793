// Starts `reelflow serve` on free ports with a fresh REELFLOW_HOME, makes small real clips, launches
// Debian's Chromium through playwright-core. Used by the browser tests in this folder.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const repo = path.resolve(import.meta.dirname, "../..");
export const python = process.env.REELFLOW_PYTHON ?? path.join(repo, ".venv/bin/python");
export const chromiumPath = process.env.REELFLOW_CHROMIUM ?? "/usr/bin/chromium";

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startServe(env = {}) {
  const home = mkdtempSync(path.join(tmpdir(), "reelflow-web-e2e-"));
  const port = await freePort();
  const child = spawn(python, ["-m", "reelflow.cli", "serve", "--port", String(port)], {
    cwd: repo,
    env: { ...process.env, ...env, REELFLOW_HOME: home, COLUMNS: "200" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`reelflow serve exited:\n${output}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`reelflow serve did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    home,
    output: () => output,
    async stop() {
      child.kill("SIGINT");
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolve();
        }, 10_000);
        child.on("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** Real short clips (test pattern + tone) made with the ffmpeg the pipeline uses. */
export function makeClips(names, seconds = 1.5) {
  const dir = mkdtempSync(path.join(tmpdir(), "reelflow-web-clips-"));
  const script = `
import subprocess, sys
from functions.media.binaries import ffmpeg
codecs = {".mp4": ["-c:v","libx264","-preset","ultrafast","-pix_fmt","yuv420p","-c:a","aac"],
          ".mov": ["-c:v","libx264","-preset","ultrafast","-pix_fmt","yuv420p","-c:a","aac"],
          ".webm": ["-c:v","libvpx-vp9","-deadline","realtime","-cpu-used","8","-c:a","libopus"]}
seconds = float(sys.argv[1])
for target in sys.argv[2:]:
    ext = target[target.rfind("."):].lower()
    subprocess.run([ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=25:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}", *codecs[ext], "-shortest", target], check=True)
`;
  const files = names.map((name) => path.join(dir, name));
  execFileSync(python, ["-c", script, String(seconds), ...files], { cwd: repo, stdio: "inherit" });
  return files;
}

/**
 * An ffmpeg for `startServe(gate.env)` that waits while the gate is held, so a test parks a video in the
 * middle of its processing for as long as it needs: a state the test controls, whatever the machine's speed.
 */
export function ffmpegGate() {
  const dir = mkdtempSync(path.join(tmpdir(), "reelflow-ffmpeg-gate-"));
  const real = execFileSync(python, ["-c", "from functions.media.binaries import ffmpeg; print(ffmpeg())"], {
    cwd: repo,
    encoding: "utf8",
  }).trim();
  const held = path.join(dir, "held");
  const wrapper = path.join(dir, "ffmpeg");
  writeFileSync(wrapper, `#!/bin/sh\nwhile [ -e '${held}' ]; do sleep 0.1; done\nexec '${real}' "$@"\n`, { mode: 0o755 });
  return {
    env: { REELFLOW_FFMPEG: wrapper },
    hold: () => writeFileSync(held, ""),
    release: () => rmSync(held, { force: true }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A fresh context signed in on the local sign-in page as `user` with `plan`; its page collects uncaught
 * errors into `errors` and `watch(page)` runs before it loads. Actions and waits fail after `actionTimeout` instead of waiting forever.
 */
export async function signIn(browser, base, { user, plan = "creator", errors = [], watch = () => {}, actionTimeout = 120_000, ...options }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  context.setDefaultTimeout(actionTimeout);
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(String(error)));
  watch(page); // listeners that must see the page from its first request
  await page.goto(base);
  await page.getByLabel("User name").fill(user);
  await page.getByRole("radio", { name: new RegExp(plan, "i") }).click();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  return { context, page };
}

/** The API as the user signed in on `page` (the same token), for checks and for batches made without the UI. */
export async function apiAs(page, base, method, route, body) {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem("reelflow.session")).token);
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function launchBrowser() {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} not found: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export function assetsBuilt() {
  return existsSync(path.join(repo, "frontend/dist/index.html"));
}

export function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** REELFLOW_SCREENSHOTS=DIR saves the pages the README shows (nothing otherwise). */
export async function snap(page, name) {
  const dir = process.env.REELFLOW_SCREENSHOTS;
  if (!dir) return;
  await page.waitForTimeout(700); // progress bars animate for 500 ms: only for the picture, never a test wait
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
