import { describe, expect, test } from "vitest";
import type { FailureDomain } from "../../lib/model/availability";
import { Spread, SpreadKind } from "../../lib/model/placement";
import { validationErrorOf } from "../support/errors";

const zones: FailureDomain[] = ["a", "b", "c"].map((z) => ({
  id: `zone:eu-west-1${z}`,
  kind: "zone",
  description: `zone ${z}`,
}));

describe("Spread", () => {
  test("even puts member i in domain i mod n", () => {
    // GIVEN three zones WHEN five members are placed evenly
    const placed = [0, 1, 2, 3, 4].map((i) => Spread.even().domainFor("stack/pool", "replica", i, zones).id);
    // THEN they go round the zones
    expect(placed).toEqual([zones[0], zones[1], zones[2], zones[0], zones[1]].map((z) => z?.id));
  });

  test("together puts every member in the first domain", () => {
    const placed = [0, 1, 2].map((i) => Spread.together().domainFor("stack/pair", "node", i, zones).id);
    expect(new Set(placed)).toEqual(new Set([zones[0]?.id]));
  });

  test("strict gives each member a domain of its own", () => {
    const placed = [0, 1, 2].map((i) => Spread.strict().domainFor("stack/etcd", "member", i, zones).id);
    expect(new Set(placed).size).toBe(3);
    expect(Spread.strict().kind).toBe(SpreadKind.STRICT);
  });

  test("fails when a strict spread has more members than domains, naming the domains", () => {
    // GIVEN three zones WHEN a fourth member is placed strictly
    const error = validationErrorOf(() => Spread.strict().domainFor("stack/etcd", "member", 3, zones));
    // THEN the error names the path, the member count and the zones
    expect(error.message).toContain("stack/etcd: member 4");
    expect(error.message).toContain("has 3 (zone:eu-west-1a, zone:eu-west-1b, zone:eu-west-1c)");
  });

  test.each([Spread.even(), Spread.strict(), Spread.together()])(
    "fails without any domain (%o)",
    (spread) => {
      expect(validationErrorOf(() => spread.domainFor("stack/x", "member", 0, [])).message).toContain(
        "no failure domain",
      );
    },
  );
});
