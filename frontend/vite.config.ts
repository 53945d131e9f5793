/// <reference types="vitest/config" />
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const backend = process.env.REELFLOW_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  build: { chunkSizeWarningLimit: 1024 },
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
