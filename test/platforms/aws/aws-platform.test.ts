import { describe, expect, test } from "vitest";
import {
  type AwsInstanceTypes,
  AwsPlatform,
  BackendPool,
  FloatingAddressMode,
  ValidationError,
  VipPair,
} from "../../../lib";
import { renderDiagram } from "../../../lib/analysis/diagram";
import { haReport, resourceTypes, synthJson } from "../../../lib/testing";
import { caught, validationErrorOf } from "../../support/errors";
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

describe("two AwsPlatforms in one stack", () => {
  test("share the stack's AWS provider and name their resources apart", () => {
    // GIVEN a second platform, with its own prefix, beside the fixture's
    const { stack } = build();
    const other = new AwsPlatform(stack, "other", { namePrefix: "other", vpcCidr: "10.41.0.0/16" });
    new VipPair(other, "edge", { backends: new BackendPool(other, "web") });

    // WHEN
    const json = synthJson(stack);

    // THEN every instance name and IAM role name is distinct
    const names = instances(json).map((i) => i.tags.Name as string);
    expect(names.filter((n) => n.startsWith("other-"))).toHaveLength(4);
    expect(new Set(names).size).toBe(names.length);
    const roles = Object.values(json.resource?.aws_iam_role ?? {}).map(
      (r) => (r as { name_prefix: string }).name_prefix,
    );
    expect(roles).toHaveLength(2);
    expect(new Set(roles).size).toBe(roles.length);
  });

  test("refuses a second platform with the first's name prefix", () => {
    const { stack } = build();
    expect(new AwsPlatform(stack, "second").namePrefix).toBe("test-second");
    expect(caught(() => new AwsPlatform(stack, "other", { namePrefix: "test" }))).toMatchObject({
      path: "test/other",
      value: "test",
      message: expect.stringContaining("test/cloud in this stack already uses it"),
    });
  });
});

describe("AwsPlatform in the HA report", () => {
  test("lists every floating address with its mode, port and the node holding it while healthy", () => {
    // GIVEN a pair with two more VIPs, one pinned to node 0
    const { stack, vip } = build({
      addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP,
      listenerPort: 8443,
    });
    vip.addVirtualIp("Second");
    vip.addVirtualIp("Third", { preferredNode: 0 });

    // WHEN
    const doc = haReport(stack);
    const diagram = renderDiagram(doc);

    // THEN
    expect(doc.floatingAddresses.map((f) => [f.id, f.mode, f.listenerPorts, f.healthyOn])).toEqual([
      ["test/cloud/edge/Vip", "secondary-private-ip", [8443], "test/cloud/edge/Node0"],
      ["test/cloud/edge/Second", "secondary-private-ip", [8443], "test/cloud/edge/Node1"],
      ["test/cloud/edge/Third", "secondary-private-ip", [8443], "test/cloud/edge/Node0"],
    ]);
    for (const f of doc.floatingAddresses) {
      expect(f.address).toMatch(/^10\.40\.\d+\.\d+$/);
      const id = `vip_${f.id.replace(/\//g, "_")}`;
      expect(diagram).toContain(`  ${id}(("${f.address} (secondary-private-ip) port 8443"))`);
      expect(diagram).toContain(`  ${id} -. healthy on .-> ${f.healthyOn.replace(/\//g, "_")}`);
    }
  });

  test("describes an Elastic IP, allocated at deploy, by its mode", () => {
    const { stack } = build({ addressMode: FloatingAddressMode.ELASTIC_IP });
    expect(haReport(stack).floatingAddresses[0]?.address).toBe("elastic-ip: allocated at deploy");
  });
});

describe("AwsPlatform instanceTypes", () => {
  test("refuses a role it does not know, naming the roles it does", () => {
    const error = validationErrorOf(() =>
      build({}, { instanceTypes: { "load-balancr": "c6i.large" } as unknown as AwsInstanceTypes }),
    );
    expect(error.message).toBe(
      'test/cloud: instanceTypes key "load-balancr" is not allowed; use one of the host roles load-balancer, backend',
    );
  });
});
