import { describe, expect, test } from "vitest";
import { duplicateVip, holdersAt, type NodeEvent } from "../../../lib/drill/vip-pair/vip-timeline";

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
