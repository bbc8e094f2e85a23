import { describe, expect, test } from "vitest";
import type { ProbeRecord } from "../../../lib/drill/clients/client";
import { servingNodes, servingSpells } from "../../../lib/drill/vip-pair/serving";

let seq = 0;
const rec = (endMs: number, answeredBy: string | undefined, outcome = "ok"): ProbeRecord => ({
  seq: seq++,
  startMs: endMs - 5,
  endMs,
  outcome,
  ...(answeredBy ? { answeredBy } : {}),
});

describe("servingSpells", () => {
  test("groups the window's successful answers into spells of one node, in the order they ended", () => {
    // GIVEN answers from lb-0, a failure, lb-0 again, then lb-1, out of order, and some outside the window
    const records = [
      rec(1500, "lb-1"),
      rec(900, "lb-0"),
      rec(1000, "lb-0"),
      rec(1100, undefined, "timeout"),
      rec(1200, "lb-0"),
      rec(1600, "lb-1"),
      rec(3000, "lb-0"),
    ];
    // WHEN the window is [1000, 2000)
    const spells = servingSpells(records, 1000, 2000);
    // THEN a failure does not break lb-0's spell, and lb-1's follows it
    expect(spells).toEqual([
      { answeredBy: "lb-0", fromSeconds: 0, toSeconds: 0.2, requests: 2 },
      { answeredBy: "lb-1", fromSeconds: 0.5, toSeconds: 0.6, requests: 2 },
    ]);
    expect(servingNodes(spells)).toEqual(["lb-0", "lb-1"]);
  });

  test("a node that served, lost the clients and got them back counts once in servingNodes", () => {
    const spells = servingSpells([rec(10, "a"), rec(20, "b"), rec(30, "a"), rec(40, undefined)], 0, 100);
    expect(spells.map((s) => s.answeredBy)).toEqual(["a", "b", "a", "(none)"]);
    expect(servingNodes(spells)).toEqual(["a", "b", "(none)"]);
  });

  test("no successful answer gives no spell", () => {
    expect(servingSpells([rec(10, undefined, "refused")], 0, 100)).toEqual([]);
  });
});
