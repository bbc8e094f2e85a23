import { describe, expect, test } from "vitest";
import type { ProbeRecord } from "../../../lib/drill/clients/client";
import { connectionFates } from "../../../lib/drill/clients/connection-fates";

let seq = 0;
function rec(
  connection: number,
  startMs: number,
  outcome: string,
  answeredBy = "l7-a",
  extra = {},
): ProbeRecord {
  seq++;
  return { seq, startMs, endMs: startMs + 5, outcome, connection, answeredBy, ...extra };
}

describe("connectionFates", () => {
  test("tells broken, surviving, unexercised and new connections apart across a fault", () => {
    // GIVEN four connections answered before a fault at 1000 ms and what happened after it
    const records = [
      rec(1, 100, "ok", "l7-a", { opened: true }),
      rec(2, 110, "ok", "l7-b", { opened: true }),
      rec(3, 120, "ok", "l7-a", { opened: true }),
      rec(4, 130, "ok", "l7-b", { opened: true }),
      rec(1, 1100, "ok", "l7-a"),
      rec(2, 1110, "reset", undefined),
      { ...rec(3, 1120, "ok", "l7-a"), endMs: 1920 },
      rec(5, 1200, "refused", undefined, { opened: true }),
      rec(6, 1300, "ok", "l7-a", { opened: true }),
      rec(7, 1400, "busy", undefined),
    ];

    // WHEN their fates are read up to 2000 ms
    const f = connectionFates(records, 1000, 2000);

    // THEN 1 and 3 survived (3 stalled 0.8 s), 2 broke by reset, 4 was not used again; 5 and 6 are new
    expect(f).toMatchObject({
      established: 4,
      broken: 1,
      survived: 2,
      unexercised: 1,
      changedNode: 0,
      longestStallSeconds: 0.8,
      opened: 2,
      openFailed: 1,
      brokenBy: { reset: 1 },
      byNode: { "l7-a": { established: 2, broken: 0 }, "l7-b": { established: 2, broken: 1 } },
    });
    // AND the broken one's failing request is listed with its times from the fault
    expect(f.brokenTimes).toEqual([
      { connection: 2, node: "l7-b", outcome: "reset", startSeconds: 0.11, endSeconds: 0.115 },
    ]);
  });

  test("lists at most a dozen broken connections, the earliest failures first", () => {
    const records = Array.from({ length: 15 }, (_, i) => [
      rec(i + 1, 100 + i, "ok"),
      rec(i + 1, 3000 - 100 * i, "timeout"),
    ]).flat();
    const f = connectionFates(records, 1000, 4000);
    expect(f.broken).toBe(15);
    expect(f.brokenTimes.map((b) => b.connection)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
  });

  test("counts a survivor answered by another node afterwards, and ignores records after the end", () => {
    const records = [rec(1, 100, "ok", "l7-a"), rec(1, 1100, "ok", "l7-b"), rec(1, 3000, "timeout")];
    const f = connectionFates(records, 1000, 2000);
    expect(f).toMatchObject({ established: 1, survived: 1, broken: 0, changedNode: 1 });
  });

  test("does not count a connection that had already failed before the fault as established", () => {
    const records = [rec(1, 100, "ok"), rec(1, 500, "reset"), rec(1, 1100, "ok")];
    expect(connectionFates(records, 1000, 2000).established).toBe(0);
  });

  test("counts a connection its node closed after hearing nothing on it for the node's idle limit as idled out, not broken", () => {
    // GIVEN two connections closed after the fault: one idle 2.495 s before its request, one 0.985 s
    const records = [
      rec(1, 100, "ok"),
      rec(2, 110, "ok"),
      rec(1, 2600, "closed", undefined, { idleMs: 2495 }),
      rec(2, 1100, "closed", undefined, { idleMs: 985 }),
    ];

    // WHEN their fates are read with a 2 s idle limit
    const f = connectionFates(records, 1000, 3000, 2000);

    // THEN the first idled out (2.5 s from its last answer to the close); the second broke 0.99 s after its last answer
    expect(f).toMatchObject({ established: 2, idledOut: 1, broken: 1, longestIdleBeforeBreakSeconds: 0.99 });
    // AND without a limit both are broken
    expect(connectionFates(records, 1000, 3000)).toMatchObject({ idledOut: 0, broken: 2 });
  });
});
