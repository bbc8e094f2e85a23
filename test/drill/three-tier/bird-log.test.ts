import { describe, expect, test } from "vitest";
import type { Lab } from "../../../lib/drill/core/lab";
import { nowMs } from "../../../lib/drill/core/proc";
import {
  parseBirdSessionLine,
  sessionChangeDetails,
  sessionChanges,
} from "../../../lib/drill/three-tier/bird-log";

const AT = Date.parse("2026-12-03T14:34:19.342Z");

describe("parseBirdSessionLine", () => {
  test.each([
    [
      "a BFD session's expiry",
      "2026-12-03 14:34:19.342 +0000 <TRACE> bfd1: Session to 198.18.7.8 expired",
      { wallMs: AT, kind: "bfd", session: "198.18.7.8", state: "expired" },
    ],
    [
      "a BFD session's change",
      "2026-12-03 14:34:19.342 +0000 <TRACE> bfd1: Session to 198.18.7.8 changed state from Up to Down",
      { wallMs: AT, kind: "bfd", session: "198.18.7.8", state: "Down" },
    ],
    [
      "a BGP session's loss (its first step, stop)",
      "2026-12-03 14:34:19.342 +0000 <TRACE> l4_n0: State changed to stop",
      { wallMs: AT, kind: "bgp", session: "l4_n0", state: "down" },
    ],
    [
      "a BGP session established, stamped in another zone",
      "2026-12-03 15:34:19.342 +0100 <TRACE> l4_n1: State changed to up",
      { wallMs: AT, kind: "bgp", session: "l4_n1", state: "up" },
    ],
  ])("reads %s", (_what, line, change) => {
    expect(parseBirdSessionLine(line)).toEqual(change);
  });

  test.each([
    ["the later steps of a loss", "2026-12-03 14:34:19.342 +0000 <TRACE> l4_n0: State changed to flush"],
    ["the kernel protocol's state", "2026-12-03 14:34:19.342 +0000 <TRACE> kernel1: State changed to up"],
    [
      "an L4 node's service protocol",
      "2026-12-03 14:34:19.342 +0000 <TRACE> svc_198_18_207_10: State changed to up",
    ],
    ["a BFD session added", "2026-12-03 14:34:19.342 +0000 <TRACE> bfd1: Session to 198.18.7.8 added"],
    ["a line without the zone", "2026-12-03 14:34:19.342 <TRACE> l4_n0: State changed to up"],
    ["another daemon's line", "Thu Dec  3 14:23:30 2026: (VI_51) Entering MASTER STATE"],
    ["an empty line", ""],
  ])("ignores %s", (_what, line) => {
    expect(parseBirdSessionLine(line)).toBeUndefined();
  });
});

describe("sessionChanges", () => {
  /** A lab whose routers' logs are `logs`, stamped relative to now (ms, wall clock). */
  function labWith(logs: Record<string, [offsetMs: number, rest: string][]>): Lab {
    const stamp = (ms: number) => {
      const d = new Date(ms).toISOString(); // 2026-12-03T14:34:19.342Z
      return `${d.slice(0, 10)} ${d.slice(11, 23)} +0000`;
    };
    const now = Date.now();
    const text = Object.fromEntries(
      Object.entries(logs).map(([h, ls]) => [
        h,
        ls.map(([o, rest]) => `${stamp(now + o)} ${rest}`).join("\n"),
      ]),
    );
    return { logTail: (hostname: string) => text[hostname] ?? "(no log)" } as unknown as Lab;
  }

  test("lists every router's changes from a moment on, in time order, on the drill's clock", () => {
    // GIVEN two routers' logs: one change long before the fault, the rest after it
    const lab = labWith({
      "edge-router-0": [
        [-60_000, "<TRACE> l4_n0: State changed to up"],
        [-2_000, "<TRACE> bfd1: Session to 198.18.7.8 expired"],
        [-2_000, "<TRACE> l4_n0: State changed to stop"],
      ],
      "edge-router-1": [[-2_500, "<TRACE> bfd1: Session to 198.18.7.8 changed state from Up to Down"]],
    });
    const fault = nowMs() - 3_000;

    // WHEN the changes from the fault on are read
    const changes = sessionChanges(lab, ["edge-router-0", "edge-router-1"], fault);

    // THEN the three after it, in order, about 0.5 and 1 s after the fault
    expect(changes.map((c) => [c.router, c.kind, c.session, c.state])).toEqual([
      ["edge-router-1", "bfd", "198.18.7.8", "Down"],
      ["edge-router-0", "bfd", "198.18.7.8", "expired"],
      ["edge-router-0", "bgp", "l4_n0", "down"],
    ]);
    const details = sessionChangeDetails(changes, fault);
    expect(details[0]?.afterSeconds).toBeGreaterThan(0.4);
    expect(details[0]?.afterSeconds).toBeLessThan(0.7);
    expect(details[2]?.afterSeconds).toBeGreaterThan(0.9);
    expect(details[2]?.afterSeconds).toBeLessThan(1.2);
    expect(details[0]?.session).toBe("bfd 198.18.7.8");
    expect(details[2]?.session).toBe("l4_n0");
  });

  test("a router without a log has no changes", () => {
    expect(sessionChanges(labWith({}), ["edge-router-0"], 0)).toEqual([]);
  });
});
