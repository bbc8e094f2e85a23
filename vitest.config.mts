import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The VM tier (test/serial.test.ts): its guests are emulated CPUs that take what the machine has
 * left, so it runs after every other file has finished, alone on the machine. Run beside the rest
 * (as it once was, on the second of two workers), guests starved past their drills' bounds and
 * their qemu slowed the drills and timed checks of the other worker past theirs.
 */
export const VM_TIER = "test/serial.test.ts";
/** The PostgreSQL drills and lab, one suite after another in one file; the longest of the rest. */
const LONGEST = "/test/drill/replicated-postgres/drills.test.ts";

/**
 * Vitest's own order (failed first, then longest, or largest when it has no timings), but the
 * PostgreSQL drills always first: started late, the whole group would wait for them on one worker
 * at the end.
 */
class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const longest = (f: TestSpecification) => f.moduleId.endsWith(LONGEST);
    return [...sorted.filter(longest), ...sorted.filter((f) => !longest(f))];
  }
}

/** What every project shares. */
export const shared = {
  setupFiles: ["./lib/testing/vitest.mts"],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};

export default defineConfig({
  test: {
    ...shared,
    // Daemon and drill tests create network namespaces; keep files from racing each other on
    // 2 cores by running them in few workers.
    maxWorkers: 2,
    reporters: ["default", "./scripts/summary-reporter.mts"],
    // Called once per group: it orders the first group's files; the VM tier has one.
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: "main",
          include: ["test/**/*.test.ts"],
          exclude: [VM_TIER],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "vm",
          include: [VM_TIER],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
