import { describe, expect, test } from "vitest";
import { isPrivateAsn } from "../../lib/model/bgp";
import { BGP_ASNS } from "../../lib/model/bgp-asn-pool";
import { IdPool } from "../../lib/model/id-pool";

describe("BGP_ASNS", () => {
  test("gives out private 4-byte AS numbers first, and refuses one taken", () => {
    const pool = new IdPool(BGP_ASNS, "platform p");
    const a = pool.reserve("x", "routers");
    const b = pool.reserve("x", "L4 nodes");
    expect([a, b]).toEqual([4_200_000_001, 4_200_000_002]);
    expect(isPrivateAsn(a) && isPrivateAsn(b)).toBe(true);
    expect(() => pool.reserve("x", "other", a)).toThrow(/already used/);
  });
});
