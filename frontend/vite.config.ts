import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

const backend = process.env.SERVICEDESK_BACKEND ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/public": { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    restoreMocks: true,
    // jsdom renders Mantine slowly on a shared 2-core machine: the 50-row inbox test
    // takes 5-6 s there, past Vitest's 5 s default. A limit, not an assertion.
    testTimeout: 30_000,
  },
});
