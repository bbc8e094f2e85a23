import { describe, expect, test } from "vitest";
import { oneFailureDomain } from "../../../lib/analysis/rules/one-failure-domain";
import { Compliance } from "../../../lib/analysis/rules/rule";
import { tinyModel } from "../../support/availability";

describe("HA-OneFailureDomain", () => {
  test("is not applicable where every platform has one failure domain (a single Docker host)", () => {
    // GIVEN
    const m = tinyModel({
      platforms: { "s/local": ["docker-host:local"] },
      hosts: { a: "docker-host:local", b: "docker-host:local" },
      groups: [{ id: "s/lb", members: ["a", "b"] }],
    });

    // WHEN
    const result = oneFailureDomain.check(m);

    // THEN
    expect(result).toEqual({
      compliance: Compliance.NOT_APPLICABLE,
      reason: "no platform has more than one failure domain",
    });
  });

  test("is not applicable when no group has two members", () => {
    // GIVEN
    const m = tinyModel({
      platforms: { "s/cloud": ["z1", "z2"] },
      hosts: { a: "z1" },
      groups: [{ id: "s/db", members: ["a"] }],
    });

    // WHEN
    const result = oneFailureDomain.check(m);

    // THEN
    expect(result.compliance).toBe(Compliance.NOT_APPLICABLE);
  });

  test("is compliant for members spread over the zones", () => {
    // GIVEN
    const m = tinyModel({
      platforms: { "s/cloud": ["z1", "z2"] },
      hosts: { a: "z1", b: "z2" },
      groups: [{ id: "s/lb", members: ["a", "b"] }],
    });

    // WHEN
    const result = oneFailureDomain.check(m);

    // THEN
    expect(result).toEqual({ compliance: Compliance.COMPLIANT });
  });

  test("finds a pair in one zone of a two-zone platform, on the group", () => {
    // GIVEN
    const m = tinyModel({
      platforms: { "s/cloud": ["z1", "z2"] },
      hosts: { a: "z1", b: "z1", c: "z1", d: "z2" },
      groups: [
        { id: "s/lb", members: ["a", "b"] },
        { id: "s/web", members: ["c", "d"] },
      ],
    });

    // WHEN
    const result = oneFailureDomain.check(m);

    // THEN
    expect(result).toEqual({
      compliance: Compliance.NON_COMPLIANT,
      findings: [
        {
          constructPath: "s/lb",
          subject: "s/lb",
          message:
            "all 2 members of r group s/lb are in z1, while platform s/cloud has 2 failure domains (z1, z2); spread the members over them",
        },
      ],
    });
  });

  test("judges a group by its own platform: one-host Docker beside a two-zone cloud is fine", () => {
    // GIVEN
    const m = tinyModel({
      platforms: { "s/local": ["docker-host:local"], "s/cloud": ["z1", "z2"] },
      hosts: { a: "docker-host:local", b: "docker-host:local", c: "z1", d: "z2" },
      groups: [
        { id: "s/local/lb", members: ["a", "b"] },
        { id: "s/cloud/lb", members: ["c", "d"] },
      ],
    });

    // WHEN
    const result = oneFailureDomain.check(m);

    // THEN
    expect(result).toEqual({ compliance: Compliance.COMPLIANT });
  });

  test("counts a managed member by the domains it spans, and skips a group with an unknown member", () => {
    // GIVEN a managed load balancer in one zone beside a host in the same zone, and a group naming
    // a member nobody recorded
    const m = tinyModel({
      platforms: { "s/cloud": ["z1", "z2"] },
      hosts: { a: "z1", b: "z1" },
      groups: [
        { id: "s/mixed", members: ["a", "s/nlb"] },
        { id: "s/ghost", members: ["b", "nobody"] },
      ],
    });
    m.addManagedComponent({
      id: "s/nlb",
      service: "AWS Network Load Balancer",
      role: "load-balancer",
      topology: "s",
      failureDomains: ["z1"],
      failover: [],
    });

    // WHEN
    const result = oneFailureDomain.check(m);

    // THEN
    expect(result.compliance === Compliance.NON_COMPLIANT && result.findings.map((f) => f.subject)).toEqual([
      "s/mixed",
    ]);
  });
});
