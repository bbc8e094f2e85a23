/** How the route watch reads `ip -o monitor route`: single and multipath routes, replacements, deletions. */
import { describe, expect, test } from "vitest";
import { RouteStates } from "./route-watch";

describe("RouteStates", () => {
  test("follows the route to the service address through what ip monitor printed", () => {
    // GIVEN the lines a router printed while its ECMP route formed and lost a next hop
    const r = new RouteStates("198.18.207.10");
    r.seed(["198.18.7.9", "198.18.7.8"], 0);
    const lines = [
      "198.18.207.10 via 198.18.7.9 dev eth0 proto bird metric 32",
      "198.18.207.10 proto bird metric 32 \\\tnexthop via 198.18.7.9 dev eth0 weight 1 \\\tnexthop via 198.18.7.8 dev eth0 weight 1 ",
      "198.18.0.0/24 dev eth1 proto kernel scope link src 198.18.0.1",
      "Deleted 198.18.207.10 proto bird metric 32 \\\tnexthop via 198.18.7.8 dev eth0 weight 1 ",
      "198.18.207.10 via 198.18.7.8 dev eth0 proto bird metric 32",
    ];
    // WHEN it reads them
    lines.forEach((l, i) => {
      r.take(l, 10 + i);
    });
    // THEN each state has the next hops of its route, sorted, and other routes are left out
    expect(r.states.map((s) => [s.t, s.hops])).toEqual([
      [0, ["198.18.7.8", "198.18.7.9"]],
      [10, ["198.18.7.9"]],
      [11, ["198.18.7.8", "198.18.7.9"]],
      [13, []],
      [14, ["198.18.7.8"]],
    ]);
    expect(r.last?.line).toBe("198.18.207.10 via 198.18.7.8 dev eth0 proto bird metric 32");
  });

  test("does not take another address that starts the same", () => {
    const r = new RouteStates("198.18.207.1");
    r.take("198.18.207.10 via 198.18.7.9 dev eth0 proto bird metric 32", 1);
    expect(r.states).toEqual([]);
  });
});
