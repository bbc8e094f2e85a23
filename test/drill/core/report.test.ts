import { describe, expect, test } from "vitest";
import { formatRuns } from "../../../lib/drill/core/report";
import type { DrillRunResult } from "../../../lib/drill/core/run-result";

const RUN: DrillRunResult = {
  type: "run",
  stack: "three-tier-docker-drill",
  topology: "three-tier",
  target: "edge",
  scenario: "l4-node-return",
  run: 1,
  runs: 1,
  fault: "edge-l4-0 silenced, then let back",
  service: "198.19.0.10:80",
  predictedSeconds: null,
  measuredSeconds: 3.8,
  measure: "returnedSeconds",
  failoverSeconds: null,
  restoredSeconds: 0,
  longestGapSeconds: 0.2,
  requests: { sent: 500, ok: 500, failed: 0, errors: {}, answeredBy: {} },
  details: {},
  highlights: ["back in every router's route after 3.8 s"],
  checks: [{ name: "routes-back", passed: true, detail: "" }],
  passed: true,
  durationSeconds: 40,
};

const none = { thresholdMs: 150, count: 0, longestMs: 0, stalls: [] };

describe("formatRuns: a split lab's stalls", () => {
  test("notes the guest's CPU, this machine's and the way into the VM, each only when it held", () => {
    const table = formatRuns([
      {
        ...RUN,
        emulatedCpuHosts: ["edge-l4-0"],
        emulatedCpuStalls: { thresholdMs: 150, count: 2, longestMs: 321, stalls: [] },
        hostCpuStalls: none,
        emulatedPathStalls: {
          thresholdMs: 150,
          count: 1,
          longestMs: 404,
          stalls: [{ startSeconds: 1.2, ms: 404 }],
          answers: 900,
        },
      },
    ]);
    expect(table).toContain("emulated CPU stalled 2× (150 ms late or more; longest 321 ms)");
    expect(table).not.toContain("this machine's CPU stalled");
    expect(table).toContain("emulated hosts answered late 1× (150 ms or more; longest 404 ms)");
  });

  test("says when the way into the VM was not timed after all, and notes nothing for a lab without a VM", () => {
    const untimed = formatRuns([{ ...RUN, emulatedPathStalls: { ...none, answers: 0 } }]);
    expect(untimed).toContain("the emulated hosts answered no echo (way into the VM not timed)");
    const plain = formatRuns([RUN]);
    expect(plain).not.toMatch(/stalled|answered late|no echo|lost/);
    expect(plain).toContain("back in every router's route after 3.8 s");
  });

  test("notes each emulated host's lost echoes, and nothing when none were lost", () => {
    const table = formatRuns([
      {
        ...RUN,
        emulatedPathLosses: {
          count: 3,
          echoes: 85,
          longestMs: 4100,
          losses: [
            { host: "edge-l4-0", startSeconds: 0.1, ms: 4100, echoes: 81 },
            { host: "edge-l7-1", startSeconds: 6.2, ms: 100, echoes: 1 },
            { host: "edge-l7-1", startSeconds: 7.0, ms: 200, echoes: 3 },
          ],
        },
      },
    ]);
    expect(table).toContain(
      "echoes to emulated hosts lost: edge-l4-0 81 in 1 run (longest 4100 ms), edge-l7-1 4 in 2 runs (longest 200 ms)",
    );
    const quiet = formatRuns([
      { ...RUN, emulatedPathLosses: { count: 0, echoes: 0, longestMs: 0, losses: [] } },
    ]);
    expect(quiet).not.toContain("lost");
  });
});
