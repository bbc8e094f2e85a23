import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./lib/testing/vitest.mts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Daemon and drill tests create network namespaces; keep files from racing each other on
    // 2 cores by running them in few workers.
    maxWorkers: 2,
    reporters: ["default", "./scripts/summary-reporter.mts"],
  },
});
