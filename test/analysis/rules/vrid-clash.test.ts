import { describe, expect, test } from "vitest";
import { Compliance } from "../../../lib/analysis/rules/rule";
import { vridClash } from "../../../lib/analysis/rules/vrid-clash";
import { AvailabilityModel } from "../../../lib/model/availability";

function withInstances(...instances: Array<[segment: string, id: number, owner: string]>): AvailabilityModel {
  const m = new AvailabilityModel();
  for (const [segment, virtualRouterId, owner] of instances)
    m.addVrrpInstance({ segment, virtualRouterId, owner });
  return m;
}

describe("HA-VridClash", () => {
  test("is not applicable without VRRP instances", () => {
    // GIVEN
    const m = new AvailabilityModel();

    // WHEN
    const result = vridClash.check(m);

    // THEN
    expect(result.compliance).toBe(Compliance.NOT_APPLICABLE);
  });

  test("is compliant for one id per instance on a segment, and one id on two segments", () => {
    // GIVEN
    const m = withInstances(
      ["net-a", 51, "s/edge/Vip"],
      ["net-a", 52, "s/edge/Extra"],
      ["net-b", 51, "s/other/Vip"],
    );

    // WHEN
    const result = vridClash.check(m);

    // THEN
    expect(result).toEqual({ compliance: Compliance.COMPLIANT });
  });

  test("is compliant when one owner records its instance once per node", () => {
    // GIVEN
    const m = withInstances(["net-a", 51, "s/edge/Vip"], ["net-a", 51, "s/edge/Vip"]);

    // WHEN
    const result = vridClash.check(m);

    // THEN
    expect(result.compliance).toBe(Compliance.COMPLIANT);
  });

  test("finds two owners of one id on one segment, on each owner", () => {
    // GIVEN
    const m = withInstances(["net-a", 51, "s/edge/Vip"], ["net-a", 51, "s/db/Vip"], ["net-a", 52, "s/x/Vip"]);

    // WHEN
    const result = vridClash.check(m);

    // THEN
    expect(result.compliance).toBe(Compliance.NON_COMPLIANT);
    const findings = result.compliance === Compliance.NON_COMPLIANT ? result.findings : [];
    expect(findings).toEqual([
      {
        constructPath: "s/edge/Vip",
        subject: "net-a#51",
        message:
          "virtual router id 51 on segment net-a is also used by s/db/Vip; give each VRRP instance on a segment its own id (1-255)",
      },
      expect.objectContaining({ constructPath: "s/db/Vip", subject: "net-a#51" }),
    ]);
    expect(vridClash.severity).toBe("error");
  });
});
