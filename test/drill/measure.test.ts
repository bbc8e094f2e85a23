import { describe, expect, test } from "vitest";
import { parseRecord, type RequestRecord } from "../../lib/drill/client";
import {
  countRequests,
  duplicateVip,
  failoverSeconds,
  holdersAt,
  longestGapSeconds,
  type NodeEvent,
  restoredSeconds,
  spread,
} from "../../lib/drill/measure";

let seq = 0;
function ok(startMs: number, lb = "lb-0", durationMs = 2): RequestRecord {
  return { seq: ++seq, startMs, endMs: startMs + durationMs, outcome: "ok", status: 200, loadBalancer: lb };
}
function failed(
  startMs: number,
  outcome: RequestRecord["outcome"] = "timeout",
  durationMs = 500,
): RequestRecord {
  return { seq: ++seq, startMs, endMs: startMs + durationMs, outcome };
}

/** A node loss at t=1000: lb-0 answers before, timeouts until 1700, lb-1 answers from 1720. */
const nodeLoss: RequestRecord[] = [
  ok(900),
  ok(950),
  ...[1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700].map((t) => failed(t)),
  failed(1600, "refused", 1),
  ok(1720, "lb-1"),
  ok(1800, "lb-1"),
  ok(1900, "lb-1"),
];

describe("request statistics", () => {
  test("counts requests by outcome and by answering load balancer", () => {
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

  test("parses the client's JSON lines", () => {
    // GIVEN one answered and one refused request as the client prints them
    // WHEN they are parsed
    // THEN the fields map to records
    expect(parseRecord({ i: 3, s: 10.5, e: 12.25, k: "ok", st: 200, lb: "edge-lb-0", be: "web-1" })).toEqual({
      seq: 3,
      startMs: 10.5,
      endMs: 12.25,
      outcome: "ok",
      status: 200,
      loadBalancer: "edge-lb-0",
      servedBy: "web-1",
    });
    expect(parseRecord({ i: 4, s: 20, e: 21, k: "refused", x: "ConnectionRefusedError" })).toEqual({
      seq: 4,
      startMs: 20,
      endMs: 21,
      outcome: "refused",
    });
  });
});

describe("duplicate VIP detection", () => {
  test("finds the time two live nodes held the VIP at once", () => {
    // GIVEN a split brain: lb-0 holds the VIP, lb-1 takes it at 1630 too, gives it up at 4700
    const events: NodeEvent[] = [
      { t: 0, host: "lb-0", holdsVip: true },
      { t: 1630, host: "lb-1", holdsVip: true },
      { t: 4700, host: "lb-1", holdsVip: false },
    ];

    // WHEN duplicates are looked for in [1000, 6000]
    const dup = duplicateVip(events, 1000, 6000);

    // THEN one overlap of 3.07 s starting 0.63 s into the window
    expect(dup).toEqual({
      detected: true,
      seconds: 3.07,
      longestSeconds: 3.07,
      hosts: ["lb-0", "lb-1"],
      intervals: [{ atSeconds: 0.63, seconds: 3.07 }],
    });
    expect(holdersAt(events, 2000)).toEqual(["lb-0", "lb-1"]);
  });

  test("does not count a node whose link is down (a lost node keeps its stale address)", () => {
    // GIVEN a node loss: lb-0's link goes down at 1000 with the VIP still configured, lb-1 takes over
    const events: NodeEvent[] = [
      { t: 0, host: "lb-0", holdsVip: true },
      { t: 1000, host: "lb-0", linkUp: false },
      { t: 1600, host: "lb-1", holdsVip: true },
    ];

    // WHEN duplicates are looked for
    const dup = duplicateVip(events, 0, 5000);

    // THEN there are none, and only lb-1 holds the VIP at the end
    expect(dup.detected).toBe(false);
    expect(dup.seconds).toBe(0);
    expect(holdersAt(events, 5000)).toEqual(["lb-1"]);
  });

  test("reports a handover overlap of a few milliseconds as a short interval", () => {
    // GIVEN a preemption: lb-0 adds the VIP at 2000, lb-1 removes it at 2003
    const events: NodeEvent[] = [
      { t: 0, host: "lb-1", holdsVip: true },
      { t: 2000, host: "lb-0", holdsVip: true },
      { t: 2003, host: "lb-1", holdsVip: false },
    ];

    // WHEN duplicates are looked for
    const dup = duplicateVip(events, 0, 5000);

    // THEN the overlap is there, 3 ms long
    expect(dup.detected).toBe(true);
    expect(dup.longestSeconds).toBe(0.003);
  });
});
