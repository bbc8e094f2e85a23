import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { DnsZone } from "../../../../lib/model/dns-zone";
import { route53Holder, route53Zone } from "../../../../lib/platforms/aws/route53/zone";
import { resourcesOfType, synthJson } from "../../../../lib/testing";
import { validationErrorOf } from "../../../support/errors";
import { platformStack } from "./fixture";

describe("route53Zone", () => {
  test("makes one zone per name on the platform, private ones on the VPC", () => {
    // GIVEN
    const { stack, cloud, scope } = platformStack({}, 1);

    // WHEN
    const first = route53Zone(
      cloud,
      scope,
      DnsZone.create("pool.internal", { private: true }),
      "pool.internal",
    );
    const again = route53Zone(
      cloud,
      scope,
      DnsZone.create("pool.internal", { private: true }),
      "pool.internal",
    );
    const synth = Testing.synth(stack, true);

    // THEN
    expect(again).toBe(first);
    expect(first.created).toBe(true);
    expect(first.zoneId).toMatch(/^\$\{TfToken\[/);
    expect(Object.keys(resourcesOfType(synthJson(stack), "aws_route53_zone"))).toHaveLength(1);
    expect(synth).toHaveResourceWithProperties(Route53Zone, {
      name: "pool.internal",
      force_destroy: false,
      vpc: [{ vpc_id: expect.stringMatching(/^\$\{aws_vpc\.cloud_Vpc_[0-9A-F]+\.id\}$/) }],
    });
    expect(route53Holder(cloud).node.path).toBe("test/cloud/Route53");
  });

  test("uses an existing zone's id and makes nothing", () => {
    // GIVEN
    const { stack, cloud, scope } = platformStack({}, 1);

    // WHEN
    const ref = route53Zone(cloud, scope, DnsZone.existing("example.com", "Z0123456789"), "example.com");

    // THEN
    expect(ref).toEqual({ zoneId: "Z0123456789", nameServers: [], name: "example.com", created: false });
    expect(resourcesOfType(synthJson(stack), "aws_route53_zone")).toEqual({});
  });

  test.each([
    [
      "existing after created",
      DnsZone.create("a.test"),
      DnsZone.existing("a.test", "Z1"),
      /as created, public/,
    ],
    [
      "private after public",
      DnsZone.create("a.test"),
      DnsZone.create("a.test", { private: true }),
      /created, private was asked/,
    ],
    ["another id", DnsZone.existing("a.test", "Z1"), DnsZone.existing("a.test", "Z2"), /as existing Z1/],
  ])("throws for a zone name asked for again as %s", (_what, first, second, message) => {
    // GIVEN
    const { cloud, scope } = platformStack({}, 1);
    route53Zone(cloud, scope, first, "a.test");

    // WHEN / THEN
    expect(validationErrorOf(() => route53Zone(cloud, scope, second, "a.test")).message).toMatch(message);
  });
});
