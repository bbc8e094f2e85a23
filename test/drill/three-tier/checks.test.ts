import { describe, expect, test } from "vitest";
import type { ProbeRecord } from "../../../lib/drill/clients/client";
import { returnFailures } from "../../../lib/drill/three-tier/checks";

let seq = 0;
function record(startMs: number, endMs: number, outcome = "timeout"): ProbeRecord {
  seq += 1;
  return { seq, startMs, endMs, outcome };
}

describe("returnFailures", () => {
  test("a request begun before the return that failed before any route took the node again is not the return's", () => {
    const records = [
      record(0, 900), // ended before the return: neither
      record(500, 1500), // in flight at the return (1000), failed before the routes moved (3000)
      record(900, 3200), // in flight at the return, still open when the routes moved: the return's
      record(1200, 2200), // begun after the return: the return's, routes or not
      record(2000, 2050, "ok"),
    ];
    expect(returnFailures(records, 1000, 3000)).toEqual({ fromReturn: 2, beforeRoutesMoved: 1 });
  });

  test("when no route took the node again, a request begun before the return is never the return's", () => {
    const records = [record(500, 1500), record(900, 9000), record(1100, 2100)];
    expect(returnFailures(records, 1000, undefined)).toEqual({ fromReturn: 1, beforeRoutesMoved: 2 });
  });
});
