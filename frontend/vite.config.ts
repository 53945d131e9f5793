/// <reference types="vitest/config" />
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/**
 * Writes `file.br` and `file.gz` beside every text asset of the build: `reelflow serve` (aiohttp's
 * FileResponse) sends them to browsers that accept them. CloudFront compresses on its own.
 */
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "reelflow-precompress",
    apply: "build",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const file = path.join(dir, name);
          return statSync(file).isDirectory() ? walk(file) : [file];
        });
      for (const file of walk(outDir).filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
        const body = readFileSync(file);
        if (body.length < 1024) continue; // not worth a round of decompression
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

const backend = process.env.REELFLOW_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), precompress()],
  // Routes are lazy chunks; the first script has a budget of 150 KB gzipped (e2e/finish.test.mjs).
  build: { chunkSizeWarningLimit: 500 },
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "src") } },
  server: {
    proxy: { "/api": backend, "/local": backend, "/config.json": backend, "/ws": { target: backend.replace("http", "ws"), ws: true } },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    // userEvent types key by key: slow on a busy 2-core CI machine, so allow more than the default 5 s.
    testTimeout: 30_000,
  },
});
