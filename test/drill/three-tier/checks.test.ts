import { describe, expect, test } from "vitest";
import type { ProbeRecord } from "../../../lib/drill/clients/client";
import { faultFailures, noRequestFailed } from "../../../lib/drill/three-tier/checks";

let seq = 0;
function record(startMs: number, endMs: number, outcome = "timeout"): ProbeRecord {
  seq += 1;
  return { seq, startMs, endMs, outcome };
}

describe("faultFailures", () => {
  test("a request begun before the change that failed before any route changed is not the change's", () => {
    const records = [
      record(0, 900), // ended before the change: neither
      record(500, 1500), // in flight at the change (1000), failed before the routes moved (3000)
      record(900, 3200), // in flight at the change, still open when the routes moved: the change's
      record(1200, 2200), // begun after the change: the change's, routes or not
      record(2000, 2050, "ok"),
    ];
    expect(faultFailures(records, 1000, 3000)).toEqual({ fromFault: 2, beforeRoutesMoved: 1 });
  });

  test("when no route changed, a request begun before the change is never the change's", () => {
    const records = [record(500, 1500), record(900, 9000), record(1100, 2100)];
    expect(faultFailures(records, 1000, undefined)).toEqual({ fromFault: 1, beforeRoutesMoved: 2 });
  });
});

describe("noRequestFailed", () => {
  const facts = {
    figures: { restoredSeconds: 0, requests: { failed: 3 } },
  } as unknown as Parameters<typeof noRequestFailed>[0];

  test("passes when only requests the change cannot have failed did, and names them", () => {
    const c = noRequestFailed(
      facts,
      { fromFault: 0, beforeRoutesMoved: 3 },
      "from the drain on",
      "failed early",
    );
    expect(c.name).toBe("no-request-failed");
    expect(c.passed).toBe(true);
    expect(c.detail).toMatch(
      /^0 new connections failed from the drain on \(and 3 begun before it failed early\); 3 new/,
    );
  });

  test("fails on one request the change may have failed", () => {
    const c = noRequestFailed(facts, { fromFault: 1, beforeRoutesMoved: 0 }, "from the return on", "x");
    expect(c.passed).toBe(false);
    expect(c.detail).not.toContain("begun before");
  });
});
