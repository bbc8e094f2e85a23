import { describe, expect, test } from "vitest";
import { VrrpVersion } from "../../../lib";
import {
  masterDownBasis,
  masterDownSeconds,
  roundSeconds,
  skewSeconds,
} from "../../../lib/topologies/parts/vrrp-timing";

describe("VRRP timing", () => {
  test.each([
    // version, advert ms, backup priority, skew s, master down s
    [VrrpVersion.V3, 200, 100, 0.121875, 0.721875],
    [VrrpVersion.V3, 100, 100, 0.0609375, 0.3609375],
    [VrrpVersion.V3, 1000, 254, 0.0078125, 3.0078125],
    [VrrpVersion.V2, 1000, 100, 0.609375, 3.609375],
    [VrrpVersion.V2, 3000, 200, 0.21875, 9.21875],
  ])(
    "VRRPv%d, %d ms adverts, backup priority %d: skew %f s, master down %f s",
    (version, advert, prio, skew, down) => {
      const t = { version, advertIntervalMs: advert, backupPriority: prio };
      expect(skewSeconds(t)).toBeCloseTo(skew, 9);
      expect(masterDownSeconds(t)).toBeCloseTo(down, 9);
    },
  );

  test("the basis names the configured values", () => {
    const basis = masterDownBasis({ version: VrrpVersion.V3, advertIntervalMs: 200, backupPriority: 100 });
    expect(basis).toBe("VRRPv3 master-down interval: 3 × advert 200 ms + skew (256 − 100) / 256 × 200 ms");
    expect(roundSeconds(0.721875)).toBe(0.722);
  });
});
