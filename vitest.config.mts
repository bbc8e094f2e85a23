import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** test/serial.test.ts holds the suites that run one after another (see its header). */
const SERIAL = "/test/serial.test.ts";

/**
 * Vitest's own order (failed first, then longest, or largest when it has no timings), but
 * test/serial.test.ts always first: started late, the whole run would wait for it on one worker
 * at the end.
 */
class SerialFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const serial = (f: TestSpecification) => f.moduleId.endsWith(SERIAL);
    return [...sorted.filter(serial), ...sorted.filter((f) => !serial(f))];
  }
}

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
    sequence: { sequencer: SerialFirstSequencer },
  },
});
