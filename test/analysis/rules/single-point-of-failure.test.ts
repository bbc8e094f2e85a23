import { describe, expect, test } from "vitest";
import { Compliance } from "../../../lib/analysis/rules/rule";
import { singlePointOfFailure } from "../../../lib/analysis/rules/single-point-of-failure";
import { AvailabilityModel } from "../../../lib/model/availability";
import { tinyModel } from "../../support/availability";

describe("HA-SinglePointOfFailure", () => {
  test("is not applicable to a model without groups", () => {
    // GIVEN
    const m = new AvailabilityModel();

    // WHEN
    const result = singlePointOfFailure.check(m);

    // THEN
    expect(result).toEqual({
      compliance: Compliance.NOT_APPLICABLE,
      reason: "the stack records no redundancy group",
    });
  });

  test("is compliant for a pair over two zones", () => {
    // GIVEN
    const m = tinyModel({
      platforms: { "s/cloud": ["z1", "z2"] },
      hosts: { "s/lb/a": "z1", "s/lb/b": "z2" },
      groups: [{ id: "s/lb", members: ["s/lb/a", "s/lb/b"] }],
    });

    // WHEN
    const result = singlePointOfFailure.check(m);

    // THEN
    expect(result).toEqual({ compliance: Compliance.COMPLIANT });
  });

  test("finds a lone host on the host, and a failure domain on the platform that has it", () => {
    // GIVEN one Docker-like host holding a pair and a lone database
    const m = tinyModel({
      platforms: { "s/local": ["docker-host:local"] },
      hosts: { "s/lb/a": "docker-host:local", "s/lb/b": "docker-host:local", "s/db/0": "docker-host:local" },
      groups: [
        { id: "s/lb", members: ["s/lb/a", "s/lb/b"] },
        { id: "s/db", members: ["s/db/0"] },
      ],
    });

    // WHEN
    const result = singlePointOfFailure.check(m);

    // THEN
    expect(result.compliance).toBe(Compliance.NON_COMPLIANT);
    const findings = result.compliance === Compliance.NON_COMPLIANT ? result.findings : [];
    expect(findings.map((f) => [f.constructPath, f.subject])).toEqual([
      ["s/local", "docker-host:local"],
      ["s/db/0", "s/db/0"],
    ]);
    expect(findings[0]?.message).toMatch(/takes down 3 of 3 components; stops s\/db, s\/lb$/);
    expect(findings[1]?.message).toBe("0 (r) has no redundant peer in s/db; stops s/db");
  });

  test("puts a domain no platform claims on the first group it stops", () => {
    // GIVEN a domain recorded without any platform
    const m = new AvailabilityModel();
    m.addFailureDomain({ id: "z1", kind: "zone", description: "z1" });
    m.addComponent({ id: "s/lb/a", hostname: "a", role: "r", topology: "t", failureDomain: "z1" });
    m.addComponent({ id: "s/lb/b", hostname: "b", role: "r", topology: "t", failureDomain: "z1" });
    m.addGroup({
      id: "s/lb",
      role: "r",
      topology: "s/lb",
      members: ["s/lb/a", "s/lb/b"],
      minimumHealthy: 1,
      mechanism: "m",
      predictions: [],
      dependsOn: [],
    });

    // WHEN
    const result = singlePointOfFailure.check(m);

    // THEN
    expect(result.compliance === Compliance.NON_COMPLIANT && result.findings[0]?.constructPath).toBe("s/lb");
  });
});
