import { Token } from "cdktf";
import { describe, expect, test } from "vitest";
import { admitRoute53Checkers, publicAddressOf } from "../../../../lib/platforms/aws/route53/checker-access";
import { resourcesOfType, synthJson } from "../../../../lib/testing";
import { validationErrorOf } from "../../../support/errors";
import { EXISTING_NETWORK } from "../fixture";
import { hostMembers, platformStack } from "./fixture";

describe("publicAddressOf", () => {
  test("gives a platform host's instance public IP, IPv4", () => {
    // GIVEN
    const { cloud, pool, scope } = platformStack({}, 1);
    const [member] = hostMembers(pool)();

    // WHEN
    const target = publicAddressOf(cloud, scope, member as NonNullable<typeof member>);

    // THEN
    expect(Token.isUnresolved(target.address)).toBe(true);
    expect(target.family).toBe(4);
  });

  test.each([
    ["8.8.8.8", { address: "8.8.8.8", family: 4 }],
    ["2001:4860:4860:0:0:0:0:8888", { address: "2001:4860:4860::8888", family: 6 }],
  ])("gives an external member's address %s in normal form", (address, expected) => {
    // GIVEN
    const { cloud, scope } = platformStack({}, 1);

    // WHEN / THEN
    expect(publicAddressOf(cloud, scope, { name: "x", address, componentId: "x" })).toEqual(expected);
  });

  test("takes a deploy-time address as IPv4", () => {
    // GIVEN
    const { cloud, scope } = platformStack({}, 1);
    const address = Token.asString({ resolve: () => "203.0.113.7" });

    // WHEN / THEN
    expect(publicAddressOf(cloud, scope, { name: "x", address, componentId: "x" })).toEqual({
      address,
      family: 4,
    });
  });

  test.each([
    ["10.1.2.3", /private address/],
    ["127.0.0.1", /loopback address/],
    ["169.254.1.1", /linkLocal address/],
    ["100.64.0.1", /carrierGradeNat address/],
    ["224.0.0.5", /multicast address/],
    ["fd00::1", /uniqueLocal address/],
  ])("throws for an external member at %s", (address, message) => {
    // GIVEN
    const { cloud, scope } = platformStack({}, 1);

    // WHEN / THEN
    const error = validationErrorOf(() =>
      publicAddressOf(cloud, scope, { name: "x", address, componentId: "x" }),
    );
    expect(error.path).toBe("test/cloud/pool");
    expect(error.message).toMatch(message);
  });

  test("throws for a host on a platform that gives hosts no public IP", () => {
    // GIVEN
    const { cloud, pool, scope } = platformStack({ existingNetwork: EXISTING_NETWORK }, 1);
    const [member] = hostMembers(pool)();

    // WHEN / THEN
    expect(
      validationErrorOf(() => publicAddressOf(cloud, scope, member as NonNullable<typeof member>)).message,
    ).toMatch(/member "lb-0" is not allowed.*assignPublicIps/);
  });
});

describe("admitRoute53Checkers", () => {
  test("opens the member's group to the checkers' ranges once per port, and nothing for external members", () => {
    // GIVEN
    const { stack, cloud, pool, scope } = platformStack({}, 2);
    const [a, b] = hostMembers(pool)() as [
      ReturnType<ReturnType<typeof hostMembers>>[number],
      ReturnType<ReturnType<typeof hostMembers>>[number],
    ];

    // WHEN
    admitRoute53Checkers(cloud, scope, a, 8404);
    admitRoute53Checkers(cloud, scope, b, 8404);
    admitRoute53Checkers(cloud, scope, b, 443);
    admitRoute53Checkers(cloud, scope, { name: "ext", address: "8.8.8.8", componentId: "ext" }, 80);
    const json = synthJson(stack);

    // THEN
    const rules = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter((r) =>
      String(r.for_each).includes("aws_ip_ranges"),
    );
    expect(rules.map((r) => r.from_port).sort()).toEqual([443, 8404]);
    expect(Object.keys(json.data?.aws_ip_ranges ?? {})).toHaveLength(1);
  });
});
