import { describe, expect, test } from "vitest";
import { nextHopsOf } from "../../../lib/drill/three-tier/route-watch";

const A = "198.18.207.10";

describe("nextHopsOf", () => {
  test.each([
    [
      "an ECMP route (ip -o, joined)",
      `${A} proto bird metric 32   nexthop via 198.18.7.9 dev eth0 weight 1   nexthop via 198.18.7.8 dev eth0 weight 1`,
      ["198.18.7.8", "198.18.7.9"],
    ],
    ["one next hop", `${A} via 198.18.7.9 dev eth0 proto bird metric 32`, ["198.18.7.9"]],
    ["a deleted route", `Deleted ${A} via 198.18.7.9 dev eth0 proto bird metric 32`, []],
    ["a /32 written out", `${A}/32 via 198.18.7.8 dev eth0`, ["198.18.7.8"]],
    ["an unreachable route", `unreachable ${A} proto bird`, undefined],
  ])("reads %s", (_what, line, hops) => {
    expect(nextHopsOf(line, A)).toEqual(hops);
  });

  test("ignores lines about other destinations, including a longer address with the same start", () => {
    expect(nextHopsOf("198.18.207.100 via 198.18.7.8 dev eth0", A)).toBeUndefined();
    expect(nextHopsOf("local 198.18.7.6 dev eth0 table local proto kernel", A)).toBeUndefined();
    expect(nextHopsOf("", A)).toBeUndefined();
  });
});
