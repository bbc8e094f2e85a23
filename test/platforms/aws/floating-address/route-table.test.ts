import { Route } from "@cdktf/provider-aws/lib/route";
import { describe, expect, test } from "vitest";
import { FloatingAddressMode, ValidationError } from "../../../../lib";
import { haReport, resourcesOfType, synthJson, synthWithValidations } from "../../../../lib/testing";
import { caught } from "../../../support/errors";
import { build, EXISTING_NETWORK, instanceOf, type Json } from "../fixture";

describe("AwsPlatform route-table mode", () => {
  test("route-table mode: routes the VIP to node 0, turns off source/destination checks and spans zones", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const json = synthJson(stack);

    // THEN
    expect(synthWithValidations(stack)).toHaveResourceWithProperties(Route, {
      destination_cidr_block: "100.64.0.10/32",
      network_interface_id: expect.stringMatching(
        /aws_instance\.cloud_edge_Node0_.*primary_network_interface_id/,
      ),
      lifecycle: { ignore_changes: ["network_interface_id"] },
    });
    expect(instanceOf(json, "edge-lb-0").source_dest_check).toBe(false);
    expect(instanceOf(json, "edge-lb-1").source_dest_check).toBe(false);
    expect(instanceOf(json, "web-0").source_dest_check).toBeUndefined();
    const report = haReport(stack);
    expect(report.redundancyGroups.find((g) => g.role === "load-balancer")?.failureDomains).toEqual([
      "zone:az1",
      "zone:az2",
    ]);
    expect(report.singlePointsOfFailure).toEqual([]);
  });
});

describe("AwsPlatform route-table mode in an existing network", () => {
  test("allows replacing the route in exactly the given tables, their ARNs beside node 0's own", () => {
    // GIVEN
    const { stack } = build(
      { addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" },
      { existingNetwork: { ...EXISTING_NETWORK, routeTableIds: ["rtb-0a1b2c31", "rtb-0a1b2c32"] } },
    );

    // WHEN
    const [policy] = Object.values(resourcesOfType(synthJson(stack), "aws_iam_role_policy")) as Json[];

    // THEN
    const prefix = '${join(":", slice(split(":", aws_instance.cloud_edge_Node0_024CD11C.arn), 0, 5))}';
    expect(policy.policy).toContain(
      `"Action" = ["ec2:ReplaceRoute"], "Resource" = ["${prefix}:route-table/rtb-0a1b2c31", "${prefix}:route-table/rtb-0a1b2c32"]`,
    );
  });
});

describe("AwsPlatform route-table mode validation", () => {
  test.each<[string, () => unknown, RegExp]>([
    [
      "fails for a route-table VIP inside the VPC range",
      () => build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "10.40.3.3" }),
      /test\/cloud\/edge\/Vip: virtual IP address "10\.40\.3\.3" is not allowed; the route-table mode routes an address outside the VPC range 10\.40\.0\.0\/16/,
    ],
    [
      "fails for a route-table VIP left out",
      () => build({ addressMode: FloatingAddressMode.ROUTE_TABLE }),
      /needs an IPv4 address outside the VPC range/,
    ],
    [
      "fails for the route-table mode without route tables in an existing network",
      () =>
        build(
          { addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" },
          {
            existingNetwork: EXISTING_NETWORK,
          },
        ),
      /set existingNetwork\.routeTableIds/,
    ],
  ])("%s", (_name, make, message) => {
    // GIVEN / WHEN
    const error = caught(make);

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });
});
