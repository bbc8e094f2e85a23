import { describe, expect, test } from "vitest";
import {
  type AwsExistingNetwork,
  type AwsInstanceTypes,
  AwsPlatform,
  type AwsPlatformProps,
  BackendPool,
  FloatingAddressMode,
  ValidationError,
  VipPair,
} from "../../../lib";
import { renderDiagram } from "../../../lib/analysis/diagram";
import { haReport, resourceTypes, synthJson } from "../../../lib/testing";
import { badInputTable } from "../../support/bad-inputs";
import { caught, validationErrorOf } from "../../support/errors";
import { storageHostSpec } from "../../support/storage-spec";
import { build, EXISTING_NETWORK, instances } from "./fixture";

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

  test("fails for a second platform with the first's name prefix", () => {
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
  test("fails for a role it does not know, naming the roles it does", () => {
    const error = validationErrorOf(() =>
      build({}, { instanceTypes: { "load-balancr": "c6i.large" } as unknown as AwsInstanceTypes }),
    );
    expect(error.message).toBe(
      'test/cloud: instanceTypes key "load-balancr" is not allowed; use one of the host roles load-balancer, backend',
    );
  });
});

describe("AwsPlatform bad inputs", () => {
  const net = (extra: Partial<AwsExistingNetwork> = {}): AwsExistingNetwork => ({
    ...EXISTING_NETWORK,
    ...extra,
  });
  const at = (props: AwsPlatformProps) => () => build({}, props);
  badInputTable([
    {
      name: "a VPC range too large",
      build: at({ vpcCidr: "10.0.0.0/8" }),
      path: "test/cloud",
      value: "10.0.0.0/8",
      allowed: "/16 to /27",
    },
    { name: "one zone", build: at({ zoneCount: 1 }), path: "test/cloud", value: 1, allowed: "from 2 to 6" },
    {
      name: "one named zone",
      build: at({ availabilityZones: ["eu-west-1a"] }),
      path: "test/cloud",
      value: ["eu-west-1a"],
      allowed: "at least two different zones",
    },
    {
      name: "a zone that is no zone name",
      build: at({ availabilityZones: ["eu-west-1a", "x;y"] }),
      path: "test/cloud",
      value: "x;y",
      allowed: "eu-west-1a",
    },
    {
      name: "an AMI name instead of an id",
      build: at({ ami: "debian-12" }),
      path: "test/cloud",
      value: "debian-12",
      allowed: '"ami-"',
    },
    {
      name: "an instance type without a size",
      build: at({ instanceType: "t3" }),
      path: "test/cloud",
      value: "t3",
      allowed: "<family>.<size>",
    },
    {
      name: "an instanceTypes value with a template",
      build: at({ instanceTypes: { backend: "t3.${x}" } }),
      path: "test/cloud",
      value: "t3.${x}",
      allowed: "<family>.<size>",
    },
    {
      name: "a key name with '$'",
      build: at({ keyName: "ops$(id)" }),
      path: "test/cloud",
      value: "ops$(id)",
      allowed: "key pair name",
    },
    {
      name: "a client CIDR without a prefix",
      build: at({ allowedClientCidrs: ["0.0.0.0"] }),
      path: "test/cloud",
      value: "0.0.0.0",
      allowed: "CIDR form",
    },
    {
      name: "an SSH CIDR with prefix 40",
      build: at({ sshCidrs: ["198.18.0.0/40"] }),
      path: "test/cloud",
      value: "198.18.0.0/40",
      allowed: "CIDR form",
    },
    {
      name: "a subnet prefix too long",
      build: at({ subnetPrefixLength: 30 }),
      path: "test/cloud",
      value: 30,
      allowed: "from 16 to 28",
    },
    {
      name: "an interface name with a space",
      build: at({ interfaceName: "eth 0" }),
      path: "test/cloud",
      value: "eth 0",
      allowed: "1-63 characters",
    },
    {
      name: "an existing VPC id that is no id",
      build: at({ existingNetwork: net({ vpcId: "main" }) }),
      path: "test/cloud",
      value: "main",
      allowed: '"vpc-"',
    },
    {
      name: "an existing subnet id that is no id",
      build: at({
        existingNetwork: net({
          subnets: [{ ...EXISTING_NETWORK.subnets[0], subnetId: "subnet-a" }, EXISTING_NETWORK.subnets[1]],
        }),
      }),
      path: "test/cloud",
      value: "subnet-a",
      allowed: '"subnet-"',
    },
    {
      name: "a route table id with a command",
      build: at({ existingNetwork: net({ routeTableIds: ["rtb-0a1b2c3d$(reboot)"] }) }),
      path: "test/cloud",
      value: "rtb-0a1b2c3d$(reboot)",
      allowed: '"rtb-"',
    },
    {
      name: "one existing subnet",
      build: at({ existingNetwork: net({ subnets: [EXISTING_NETWORK.subnets[0]] }) }),
      path: "test/cloud",
      value: 1,
      allowed: "at least two availability zones",
    },
    {
      name: "a subnet outside the VPC",
      build: at({
        existingNetwork: net({
          subnets: [{ ...EXISTING_NETWORK.subnets[0], cidr: "10.99.1.0/24" }, EXISTING_NETWORK.subnets[1]],
        }),
      }),
      path: "test/cloud",
      value: "10.99.1.0/24",
      allowed: "inside the VPC range",
    },
  ]);
});

describe("AwsPlatform.grant", () => {
  test("gives the hosts' instance role exactly the actions on exactly the ARNs", () => {
    // GIVEN two hosts of one traffic group
    const { stack, cloud } = build();
    const hosts = [0, 1].map((n) => cloud.addHost(cloud, `Db${n}`, storageHostSpec(cloud, n, {})));
    const bucket = "arn:aws:s3:::backups/pg/*";
    // WHEN they are granted two actions on one ARN
    cloud.grant(cloud, "Backups", hosts, ["s3:PutObject", "s3:GetObject"], [bucket]);
    // THEN one inline policy names exactly those, and both instances run with the role's profile
    const json = synthJson(stack);
    const policies = Object.values(json.resource?.aws_iam_role_policy ?? {}).filter(
      (p) => p.name === "Backups",
    );
    expect(policies.map((p) => p.policy)).toEqual([
      `\${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Action" = ["s3:PutObject", "s3:GetObject"], "Resource" = ["${bucket}"]}]})}`,
    ]);
    const profiles = instances(json)
      .filter((i) => String(i.tags.Name).startsWith("test-db-"))
      .map((i) => i.iam_instance_profile);
    expect(profiles).toHaveLength(2);
    expect(new Set(profiles).size).toBe(1);
  });

  test.each([
    ["action", ["s3:*"], ["arn:aws:s3:::b"], "s3:*"],
    ["action", ["*"], ["arn:aws:s3:::b"], "*"],
    ["resource", ["s3:GetObject"], ["backups"], "backups"],
  ])("throws for a wildcard or unqualified %s, naming it", (_what, actions, resources, value) => {
    const { cloud } = build();
    const host = cloud.addHost(cloud, "Db0", storageHostSpec(cloud, 0, {}));
    const error = validationErrorOf(() => cloud.grant(cloud, "G", [host], actions, resources));
    expect(error.path).toBe("test/cloud");
    expect(error.value).toBe(value);
  });

  test('throws for "*" as the resource without a condition', () => {
    const { cloud } = build();
    const host = cloud.addHost(cloud, "Db0", storageHostSpec(cloud, 0, {}));
    expect(
      validationErrorOf(() => cloud.grant(cloud, "G", [host], ["ec2:DescribeInstances"], ["*"])).allowed,
    ).toMatch(/condition/);
  });
});
