import { describe, expect, test } from "vitest";
import { FloatingAddressMode, ValidationError } from "../../../lib";
import { resourceTypes, synthJson } from "../../../lib/testing";
import { caught } from "../../support/errors";
import { build, instances } from "./fixture";

describe("AwsPlatform with a VIP pair", () => {
  test("synthesizes exactly the network, instances, firewall and role resource types", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const json = synthJson(stack);

    // THEN
    expect(resourceTypes(json)).toEqual([
      "aws_iam_instance_profile",
      "aws_iam_role",
      "aws_iam_role_policy",
      "aws_instance",
      "aws_internet_gateway",
      "aws_route",
      "aws_route_table",
      "aws_route_table_association",
      "aws_security_group",
      "aws_subnet",
      "aws_vpc",
      "aws_vpc_security_group_egress_rule",
      "aws_vpc_security_group_ingress_rule",
    ]);
    expect(Object.keys(json.data ?? {}).sort()).toEqual(["aws_ami", "aws_availability_zones"]);
    expect(instances(json)).toHaveLength(5);
  });
});

describe("AwsPlatform validation", () => {
  test.each<[string, () => unknown, RegExp]>([
    ["fails for multicast VRRP on AWS", () => build({ unicast: false }), /carries no multicast/],
    [
      "fails for a client CIDR that is not a network",
      () => build({}, { allowedClientCidrs: ["0.0.0.0/0\n"] }),
      /CIDR/,
    ],
  ])("%s", (_name, make, message) => {
    // GIVEN / WHEN
    const error = caught(make);

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });
});
