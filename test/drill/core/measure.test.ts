import { describe, expect, test } from "vitest";
import type { ProbeRecord } from "../../../lib/drill/clients/client";
import {
  countRequests,
  failoverSeconds,
  longestGapSeconds,
  restoredSeconds,
  spread,
} from "../../../lib/drill/core/measure";

let seq = 0;
function ok(startMs: number, lb = "lb-0", durationMs = 2): ProbeRecord {
  return { seq: ++seq, startMs, endMs: startMs + durationMs, outcome: "ok", status: 200, answeredBy: lb };
}
function failed(startMs: number, outcome: ProbeRecord["outcome"] = "timeout", durationMs = 500): ProbeRecord {
  return { seq: ++seq, startMs, endMs: startMs + durationMs, outcome };
}

/** A node loss at t=1000: lb-0 answers before, timeouts until 1700, lb-1 answers from 1720. */
const nodeLoss: ProbeRecord[] = [
  ok(900),
  ok(950),
  ...[1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700].map((t) => failed(t)),
  failed(1600, "refused", 1),
  ok(1720, "lb-1"),
  ok(1800, "lb-1"),
  ok(1900, "lb-1"),
];

describe("request statistics", () => {
  test("counts requests by outcome and by answering node", () => {
    // GIVEN the node-loss recording
    // WHEN it is counted
    const counts = countRequests(nodeLoss);

    // THEN 14 sent, 5 answered (2 by lb-0, 3 by lb-1), 8 timeouts and 1 refused
    expect(counts).toEqual({
      sent: 14,
      ok: 5,
      failed: 9,
      errors: { timeout: 8, refused: 1 },
      answeredBy: { "lb-0": 2, "lb-1": 3 },
    });
  });

  test("failover is the fault to the first answer through another node", () => {
    // GIVEN the node-loss recording with the fault at 1000 ms
    // WHEN the failover time is measured against lb-0
    // THEN it is 0.722 s (answer at 1722 ms), and null when no other node ever answered
    expect(failoverSeconds(nodeLoss, 1000, "lb-0")).toBe(0.722);
    expect(failoverSeconds(nodeLoss.slice(0, 3), 1000, "lb-0")).toBeNull();
  });

  test("restored is the fault to the first answer after the last failure, 0 without failures", () => {
    // GIVEN the node-loss recording, one without failures and one ending in failure
    const clean = [ok(1000), ok(1100)];
    const broken = [ok(1000), failed(1100)];

    // WHEN the restore time is measured from 1000 ms
    // THEN the last failure starts at 1700, the next answer ends at 1722: 0.722 s
    expect(restoredSeconds(nodeLoss, 1000)).toBe(0.722);
    expect(restoredSeconds(clean, 1000)).toBe(0);
    expect(restoredSeconds(broken, 1000)).toBeNull();
  });

  test("the longest gap counts the window's edges as answers", () => {
    // GIVEN answers at 902, 952, 1722, 1802, 1902 ms
    // WHEN the longest gap is measured over [1000, 2000] and [1000, 3000]
    // THEN it is the outage (1000 → 1722) and then the silent tail (1902 → 3000)
    expect(longestGapSeconds(nodeLoss, 1000, 2000)).toBe(0.722);
    expect(longestGapSeconds(nodeLoss, 1000, 3000)).toBe(1.098);
  });

  test("spread gives min, median and max of the numbers, ignoring null", () => {
    // GIVEN measured values of several runs, one without a result
    // WHEN they are spread
    // THEN the median of an even count is the mean of the middle two
    expect(spread([0.8, null, 0.6, 0.7])).toEqual({ min: 0.6, median: 0.7, max: 0.8, n: 3 });
    expect(spread([3, 1, 2, 4])).toEqual({ min: 1, median: 2.5, max: 4, n: 4 });
    expect(spread([null, undefined])).toEqual({ min: null, median: null, max: null, n: 0 });
  });
});
