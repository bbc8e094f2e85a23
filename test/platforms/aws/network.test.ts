import { describe, expect, test } from "vitest";
import { FloatingAddressMode, ValidationError } from "../../../lib";
import { haReport, resourcesOfType, resourceTypes, synthJson } from "../../../lib/testing";
import { caught } from "../../support/errors";
import { build, EXISTING_NETWORK, instanceOf, type Json } from "./fixture";

describe("AwsPlatform network", () => {
  test("deploys into an existing VPC and its subnets", () => {
    // GIVEN
    const { stack } = build(
      { addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" },
      {
        existingNetwork: {
          ...EXISTING_NETWORK,
          routeTableIds: ["rtb-0a1b2c31", "rtb-0a1b2c32"],
        },
      },
    );

    // WHEN
    const json = synthJson(stack);

    // THEN
    expect(resourceTypes(json)).not.toContain("aws_vpc");
    expect(instanceOf(json, "edge-lb-0")).toMatchObject({
      subnet_id: "subnet-0a1b2c3a",
      private_ip: "10.9.1.6",
      associate_public_ip_address: false,
    });
    expect(instanceOf(json, "edge-lb-1")).toMatchObject({ subnet_id: "subnet-0a1b2c3b" });
    expect(Object.values(resourcesOfType(json, "aws_route")).map((r: Json) => r.route_table_id)).toEqual([
      "rtb-0a1b2c31",
      "rtb-0a1b2c32",
    ]);
    expect(haReport(stack).failureDomains.map((d) => d.id)).toEqual(["zone:eu-west-1a", "zone:eu-west-1b"]);
  });
});

describe("AwsPlatform subnets", () => {
  test.each([
    [{}, ["10.40.0.0/20", "10.40.16.0/20"]],
    [{ subnetPrefixLength: 24 }, ["10.40.0.0/24", "10.40.1.0/24"]],
    [{ vpcCidr: "10.8.0.0/22", zoneCount: 3 }, ["10.8.0.0/26", "10.8.0.64/26", "10.8.0.128/26"]],
  ])("carves one subnet per zone from the VPC: %j", (props, cidrs) => {
    // GIVEN / WHEN
    const { stack } = build({}, props);

    // THEN
    const subnets = Object.values(resourcesOfType(synthJson(stack), "aws_subnet")) as Json[];
    expect(subnets.map((s) => s.cidr_block)).toEqual(cidrs);
  });

  test("fails when the zones' subnets do not fit in the VPC", () => {
    // GIVEN / WHEN
    const error = caught(() => build({}, { vpcCidr: "10.8.0.0/24", subnetPrefixLength: 25, zoneCount: 3 }));

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /subnetPrefixLength 25 is not allowed; 3 zones of \/25 do not fit in 10\.8\.0\.0\/24/,
    );
  });
});

describe("AwsPlatform network validation", () => {
  test.each<[string, () => unknown, RegExp]>([
    [
      "fails for one zone",
      () => build({}, { zoneCount: 1 }),
      /zoneCount 1 is not allowed; use a whole number from 2 to 6/,
    ],
    [
      "fails for one named zone",
      () => build({}, { availabilityZones: ["eu-west-1a"] }),
      /at least two different zones/,
    ],
    [
      "fails for an existing network with one subnet",
      () =>
        build(
          {},
          {
            existingNetwork: {
              vpcId: "vpc-0a1b2c3d",
              vpcCidr: "10.9.0.0/16",
              subnets: [{ subnetId: "s", availabilityZone: "a", cidr: "10.9.1.0/24" }],
            },
          },
        ),
      /at least two availability zones/,
    ],
  ])("%s", (_name, make, message) => {
    // GIVEN / WHEN
    const error = caught(make);

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });
});
