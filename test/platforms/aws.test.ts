import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route } from "@cdktf/provider-aws/lib/route";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import {
  AwsPlatform,
  type AwsPlatformProps,
  BackendPool,
  type BackendPoolProps,
  DockerPlatform,
  FloatingAddressMode,
  HealthCheck,
  LoadBalancerImplementation,
  ValidationError,
  VipPair,
  type VipPairProps,
} from "../../lib";
import { haReport, resourcesOfType, resourceTypes, synthJson, synthWithValidations } from "../../lib/testing";
import { caught } from "../support/errors";

/** An existing VPC with one subnet in each of two zones. */
const EXISTING_NETWORK = {
  vpcId: "vpc-1",
  vpcCidr: "10.9.0.0/16",
  subnets: [
    { subnetId: "subnet-a", availabilityZone: "eu-west-1a", cidr: "10.9.1.0/24" },
    { subnetId: "subnet-b", availabilityZone: "eu-west-1b", cidr: "10.9.2.0/24" },
  ],
};

function build(
  pair: Partial<VipPairProps> = {},
  platform: AwsPlatformProps = {},
  pool: BackendPoolProps = { replicas: 3, healthCheck: HealthCheck.http({ path: "/healthz" }) },
) {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const cloud = new AwsPlatform(stack, "cloud", platform);
  const web = new BackendPool(cloud, "web", pool);
  const vip = new VipPair(cloud, "edge", { backends: web, ...pair });
  return { stack, cloud, web, vip };
}

// biome-ignore lint/suspicious/noExplicitAny: synthesized JSON
type Json = any;

function instances(json: Json): Json[] {
  return Object.values(resourcesOfType(json, "aws_instance"));
}

function instanceOf(json: Json, hostname: string): Json {
  return instances(json).find((i) => i.tags.Name === `test-${hostname}`);
}

/** The cloud-config of an instance, parsed, with the files decoded. */
function cloudConfig(
  json: Json,
  hostname: string,
): { packages: string[]; files: Map<string, string>; runcmd: string[][] } {
  const doc = parse(instanceOf(json, hostname).user_data as string);
  const files = new Map<string, string>();
  for (const f of doc.write_files as Array<{ path: string; content: string; encoding?: string }>) {
    files.set(
      f.path,
      f.encoding === "gz+b64"
        ? require("node:zlib").gunzipSync(Buffer.from(f.content, "base64")).toString("utf8")
        : f.content,
    );
  }
  return { packages: doc.packages, files, runcmd: doc.runcmd };
}

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
    expect(Object.keys(json.data ?? {}).sort()).toEqual([
      "aws_ami",
      "aws_availability_zones",
      "aws_caller_identity",
      "aws_partition",
      "aws_region",
    ]);
    expect(instances(json)).toHaveLength(5);
  });

  test("spreads the nodes and backends over two zones, with IMDSv2 and encrypted volumes", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const json = synthJson(stack);

    // THEN
    const lb0 = instanceOf(json, "edge-lb-0");
    const lb1 = instanceOf(json, "edge-lb-1");
    expect(lb0.subnet_id).toMatch(/aws_subnet\.cloud_Subnet0_/);
    expect(lb1.subnet_id).toMatch(/aws_subnet\.cloud_Subnet1_/);
    expect(lb0.private_ip).toMatch(/^10\.40\.0\.\d+$/);
    expect(lb1.private_ip).toMatch(/^10\.40\.16\.\d+$/);
    const zoneOf = (hostname: string) => instanceOf(json, hostname).subnet_id.match(/cloud_(Subnet\d)_/)[1];
    expect(["web-0", "web-1", "web-2", "edge-lb-0", "edge-lb-1"].map(zoneOf)).toEqual([
      "Subnet0",
      "Subnet1",
      "Subnet0",
      "Subnet0",
      "Subnet1",
    ]);
    for (const i of instances(json)) {
      expect(i.metadata_options).toEqual({
        http_endpoint: "enabled",
        http_tokens: "required",
        http_put_response_hop_limit: 1,
      });
      expect(i.root_block_device).toEqual({ encrypted: true, volume_type: "gp3" });
      expect(i.ami).toMatch(/data\.aws_ami\.cloud_DebianAmi/);
      // AWS keeps .1-.3 of every subnet; no host gets them
      expect(Number(i.private_ip.split(".")[3])).toBeGreaterThanOrEqual(4);
    }
    expect(synthWithValidations(stack)).toHaveDataSourceWithProperties(DataAwsAmi, {
      owners: ["136693071363"],
      most_recent: true,
    });
  });

  test("uses the user's AMI and instance types when given", () => {
    // GIVEN
    const { stack } = build(
      {},
      {
        ami: "ami-0123456789abcdef0",
        instanceType: "t3.micro",
        instanceTypes: { "load-balancer": "c6i.large" },
      },
    );

    // WHEN
    const synth = synthWithValidations(stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Instance, {
      ami: "ami-0123456789abcdef0",
      instance_type: "c6i.large",
      tags: expect.objectContaining({ Name: "test-edge-lb-0" }),
    });
    expect(synth).toHaveResourceWithProperties(Instance, {
      instance_type: "t3.micro",
      tags: expect.objectContaining({ Name: "test-web-0" }),
    });
    expect(JSON.parse(synth).data?.aws_ami).toBeUndefined();
  });

  test("opens the listener to clients, VRRP between the nodes and the backend port to the nodes only", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const json = synthJson(stack);
    const ingress = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")) as Json[];

    // THEN exactly three ingress rules, and only the listener is open to the world
    const summary = ingress
      .map((r) => ({
        to: r.security_group_id.match(/SecurityGroups_(.*?)_[0-9A-F]{8}/)[1],
        proto: r.ip_protocol,
        port: r.from_port,
        from: r.cidr_ipv4 ?? r.referenced_security_group_id.match(/SecurityGroups_(.*?)_[0-9A-F]{8}/)[1],
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(summary).toEqual([
      { to: "test-cloud-edge", proto: "112", port: undefined, from: "test-cloud-edge" },
      { to: "test-cloud-edge", proto: "tcp", port: 80, from: "0.0.0.0/0" },
      { to: "test-cloud-web", proto: "tcp", port: 8080, from: "test-cloud-edge" },
    ]);
    expect(ingress.filter((r) => r.from_port === 22)).toEqual([]);
  });

  test("opens SSH only to the given networks and the listener only to allowed clients", () => {
    // GIVEN
    const { stack } = build({}, { sshCidrs: ["203.0.113.0/24"], allowedClientCidrs: ["198.51.100.0/24"] });

    // WHEN
    const synth = synthWithValidations(stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      from_port: 22,
      cidr_ipv4: "203.0.113.0/24",
    });
    expect(synth).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
      from_port: 80,
      cidr_ipv4: "198.51.100.0/24",
    });
    expect(synth).not.toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { cidr_ipv4: "0.0.0.0/0" });
  });

  test.each([
    [
      "route table",
      { addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" },
      "MoveRoute",
      ["ec2:ReplaceRoute"],
      /:route-table\/\$\{aws_route_table\.cloud_RouteTable_[0-9A-F]{8}\.id\}$/,
    ],
    [
      "secondary private IP",
      { addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP, virtualIp: "10.40.0.200" },
      "MoveSecondaryPrivateIp",
      ["ec2:AssignPrivateIpAddresses"],
      /:network-interface\/\$\{aws_instance\.cloud_edge_Node[01]_[0-9A-F]{8}\.primary_network_interface_id\}$/,
    ],
    [
      "Elastic IP",
      { addressMode: FloatingAddressMode.ELASTIC_IP },
      "MoveElasticIp",
      ["ec2:AssociateAddress"],
      /(:network-interface\/\$\{aws_instance\.cloud_edge_Node[01]_[0-9A-F]{8}\.primary_network_interface_id\}|^\$\{aws_eip\.cloud_edge_Vip_ElasticIp_[0-9A-F]{8}\.arn\})$/,
    ],
  ])(
    "allows the %s mover exactly its call on exactly its resources",
    (_name, props, sid, actions, resource) => {
      // GIVEN
      const { stack } = build(props as Partial<VipPairProps>);

      // WHEN
      const json = synthJson(stack);
      const policies = Object.values(resourcesOfType(json, "aws_iam_role_policy")) as Json[];

      // THEN one policy, one statement, one action; every resource a specific ARN
      expect(policies).toHaveLength(1);
      const text: string = policies[0].policy;
      const statement = text.match(/"Statement" = \[\{(.*)\}\]\}\)\}$/)?.[1] as string;
      expect(statement).toContain(`"Sid" = "${sid}"`);
      expect(statement).toContain(`"Action" = ${JSON.stringify(actions).replace(/,/g, ", ")}`);
      const resources = [
        ...(statement.match(/"Resource" = \[(.*)\]/)?.[1] ?? "").matchAll(/"((?:[^"\\]|\\.)*)"/g),
      ].map((m) => (m[1] as string).replace(/\\"/g, '"'));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(r).toMatch(resource);
      expect(text).not.toContain('"*"');
      expect(synthWithValidations(stack)).toHaveResourceWithProperties(IamRolePolicy, { name: "move-VI_51" });
      // every load balancer carries the role; no backend does
      expect(instanceOf(json, "edge-lb-0").iam_instance_profile).toMatch(/aws_iam_instance_profile/);
      expect(instanceOf(json, "web-0").iam_instance_profile).toBeUndefined();
    },
  );

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

  test("secondary-IP mode keeps both nodes in one zone and the report says the zone is a single point of failure", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP });

    // WHEN
    const json = synthJson(stack);
    const report = haReport(stack);

    // THEN
    expect(instanceOf(json, "edge-lb-0").subnet_id).toMatch(/cloud_Subnet0_/);
    expect(instanceOf(json, "edge-lb-1").subnet_id).toMatch(/cloud_Subnet0_/);
    expect(report.singlePointsOfFailure).toEqual([
      expect.objectContaining({ kind: "failure-domain", id: "zone:az1", breaks: ["test/cloud/edge"] }),
    ]);
    expect(report.notes.join("\n")).toMatch(/one availability zone/);
    // the VIP was given out from the zone's subnet, and to no host
    const conf = cloudConfig(json, "edge-lb-0").files.get("/etc/keepalived/keepalived.conf") as string;
    const vip = conf.match(/(10\.40\.0\.\d+)\/20 dev ens5/)?.[1];
    expect(vip).toBeDefined();
    expect(instances(json).map((i) => i.private_ip)).not.toContain(vip);
    expect(conf).toContain(`unicast_src_ip ${instanceOf(json, "edge-lb-0").private_ip}`);
  });

  test("renders cloud-init with the packages, unicast keepalived, the mover and the supervisor service", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const json = synthJson(stack);
    const lb0 = cloudConfig(json, "edge-lb-0");
    const lb1Address = instanceOf(json, "edge-lb-1").private_ip;

    // THEN
    expect(lb0.packages).toEqual([
      "awscli",
      "ca-certificates",
      "curl",
      "haproxy",
      "iproute2",
      "keepalived",
      "util-linux",
    ]);
    const conf = lb0.files.get("/etc/keepalived/keepalived.conf") as string;
    expect(conf).toContain(`unicast_peer {\n        ${lb1Address}\n    }`);
    expect(conf).toContain("100.64.0.10/32 dev ens5");
    expect(conf).toContain('notify_master_rx_lower_pri "/usr/local/sbin/ha-move-VI_51 rx-lower-priority"');
    const mover = lb0.files.get("/usr/local/sbin/ha-move-VI_51") as string;
    expect(mover).toMatch(/route_tables="\$\{aws_route_table\.cloud_RouteTable_[0-9A-F]{8}\.id\}"/);
    // literal shell expansions are escaped for Terraform, so they survive as ${...} on the host
    expect(mover).toContain('log "attempt $attempt failed');
    expect(mover).not.toMatch(/\$\{(?!aws_)/);
    expect(lb0.files.get("/etc/haproxy/haproxy.cfg")).toContain("bind 100.64.0.10:80");
    expect(lb0.files.get("/etc/systemd/system/ha-supervise.service")).toContain(
      "ExecStart=/usr/local/sbin/ha-supervise",
    );
    expect(lb0.runcmd).toContainEqual(["systemctl", "enable", "--now", "ha-supervise.service"]);
    expect(lb0.runcmd).toContainEqual([
      "sh",
      "-c",
      "systemctl disable --now keepalived.service 2>/dev/null || true",
    ]);
  });

  test("Elastic-IP mode binds HAProxy to each node's own address and puts the public address on loopback", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ELASTIC_IP });

    // WHEN
    const json = synthJson(stack);
    const lb1 = cloudConfig(json, "edge-lb-1");

    // THEN
    expect(lb1.files.get("/etc/haproxy/haproxy.cfg")).toContain(
      `bind ${instanceOf(json, "edge-lb-1").private_ip}:80`,
    );
    expect(lb1.files.get("/etc/keepalived/keepalived.conf")).toMatch(
      /\$\{aws_eip\.cloud_edge_Vip_ElasticIp_[0-9A-F]{8}\.public_ip\}\/32 dev lo/,
    );
    expect(Object.keys(resourcesOfType(json, "aws_eip"))).toHaveLength(1);
  });

  test("deploys into an existing VPC and its subnets", () => {
    // GIVEN
    const { stack } = build(
      { addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" },
      {
        existingNetwork: {
          ...EXISTING_NETWORK,
          routeTableIds: ["rtb-1", "rtb-2"],
        },
      },
    );

    // WHEN
    const json = synthJson(stack);

    // THEN
    expect(resourceTypes(json)).not.toContain("aws_vpc");
    expect(instanceOf(json, "edge-lb-0")).toMatchObject({
      subnet_id: "subnet-a",
      private_ip: "10.9.1.6",
      associate_public_ip_address: false,
    });
    expect(instanceOf(json, "edge-lb-1")).toMatchObject({ subnet_id: "subnet-b" });
    expect(Object.values(resourcesOfType(json, "aws_route")).map((r: Json) => r.route_table_id)).toEqual([
      "rtb-1",
      "rtb-2",
    ]);
    expect(haReport(stack).failureDomains.map((d) => d.id)).toEqual(["zone:eu-west-1a", "zone:eu-west-1b"]);
  });
});

describe("AwsPlatform validation", () => {
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
      "fails for an Elastic IP given an address",
      () => build({ addressMode: FloatingAddressMode.ELASTIC_IP, virtualIp: "203.0.113.5" }),
      /AWS allocates the Elastic IP/,
    ],
    [
      "fails for a secondary IP outside the nodes' subnet",
      () => build({ addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP, virtualIp: "10.40.16.50" }),
      /keeps the VIP in the nodes' subnet: use an address inside test\/cloud\/Subnet0 \(10\.40\.0\.0\/20\)/,
    ],
    [
      "fails for a secondary IP on an AWS-reserved address",
      () => build({ addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP, virtualIp: "10.40.0.2" }),
      /already used by AWS \(reserved\)/,
    ],
    [
      "fails for gratuitous ARP on AWS",
      () => build({ addressMode: FloatingAddressMode.GRATUITOUS_ARP }),
      /AWS has no gratuitous ARP/,
    ],
    ["fails for multicast VRRP on AWS", () => build({ unicast: false }), /carries no multicast/],
    [
      "fails for a container image on AWS",
      () => build({}, {}, { image: "nginx:1.27" }),
      /container images run on the Docker platform/,
    ],
    [
      "fails for an existing network with one subnet",
      () =>
        build(
          {},
          {
            existingNetwork: {
              vpcId: "vpc-1",
              vpcCidr: "10.9.0.0/16",
              subnets: [{ subnetId: "s", availabilityZone: "a", cidr: "10.9.1.0/24" }],
            },
          },
        ),
      /at least two availability zones/,
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

describe("VipPair with a managed load balancer on AWS", () => {
  test.each([
    ["network", LoadBalancerImplementation.managedNetwork(), "TCP", HealthCheck.tcp()],
    [
      "application",
      LoadBalancerImplementation.managedApplication(),
      "HTTP",
      HealthCheck.http({ path: "/healthz" }),
    ],
  ])(
    "makes a cross-zone %s load balancer instead of the nodes",
    (kind, implementation, protocol, healthCheck) => {
      // GIVEN
      const { stack, vip } = build({ implementation }, {}, { replicas: 3, healthCheck });

      // WHEN
      const json = synthJson(stack);
      const synth = synthWithValidations(stack);

      // THEN no load-balancer instances, no VRRP, no role: the cloud carries the traffic
      expect(instances(json).map((i) => i.tags["ha:role"])).toEqual(["backend", "backend", "backend"]);
      expect(resourceTypes(json)).not.toContain("aws_iam_role");
      expect(vip.virtualIp).toBeUndefined();
      expect(vip.nodes).toEqual([]);
      expect(vip.endpoint).toMatch(/^\$\{TfToken\[/);
      expect(synth).toHaveResourceWithProperties(Lb, {
        load_balancer_type: kind,
        internal: false,
        enable_cross_zone_load_balancing: true,
        subnets: [expect.stringMatching(/cloud_Subnet0/), expect.stringMatching(/cloud_Subnet1/)],
      });
      expect(synth).toHaveResourceWithProperties(LbTargetGroup, {
        port: 8080,
        protocol,
        target_type: "ip",
        deregistration_delay: "30",
        health_check: expect.objectContaining({
          interval: 5,
          timeout: 2,
          healthy_threshold: 2,
          unhealthy_threshold: 2,
        }),
      });
      expect(synth).toHaveResourceWithProperties(LbListener, { port: 80, protocol });
      const attachment = Object.values(resourcesOfType(json, "aws_lb_target_group_attachment"))[0] as Json;
      expect(attachment.for_each).toEqual({
        "10.40.0.4": { port: 8080 },
        "10.40.0.5": { port: 8080 },
        "10.40.16.4": { port: 8080 },
      });
      expect(attachment).toMatchObject({ target_id: "${each.key}", port: "${each.value.port}" });
      const report = haReport(stack);
      const group = report.redundancyGroups.find((g) => g.role === "load-balancer");
      expect(group?.failureDomains).toEqual(["zone:az1", "zone:az2"]);
      expect(group?.mechanism).toMatch(/cloud-managed/);
      expect(report.singlePointsOfFailure).toEqual([]);
      expect(report.notes.join("\n")).toMatch(/AWS checks targets every 5 s/);
    },
  );

  test("opens the listener to clients and the backend port to the load balancer only", () => {
    // GIVEN
    const { stack } = build(
      { implementation: LoadBalancerImplementation.managedNetwork() },
      {},
      { healthCheck: HealthCheck.tcp() },
    );

    // WHEN
    const ingress = Object.values(
      resourcesOfType(synthJson(stack), "aws_vpc_security_group_ingress_rule"),
    ) as Json[];

    // THEN
    expect(ingress.map((r) => [r.ip_protocol, r.from_port, r.cidr_ipv4 ?? "group"]).sort()).toEqual([
      ["tcp", 80, "0.0.0.0/0"],
      ["tcp", 8080, "group"],
    ]);
  });

  test.each<[string, Partial<VipPairProps>, BackendPoolProps, RegExp]>([
    [
      "fails for VRRP props on a managed load balancer",
      {
        implementation: LoadBalancerImplementation.managedNetwork(),
        virtualIp: "100.64.0.1",
        priorities: [1, 2],
      },
      {},
      /\["virtualIp","priorities"\].*leave these unset/,
    ],
    [
      "fails for an application load balancer with a TCP check",
      { implementation: LoadBalancerImplementation.managedApplication() },
      { healthCheck: HealthCheck.tcp() },
      /checks targets by HTTP/,
    ],
    [
      "fails for a script check on a managed load balancer",
      { implementation: LoadBalancerImplementation.managedNetwork() },
      { healthCheck: HealthCheck.script(["/usr/local/bin/check"]) },
      /HTTP or TCP/,
    ],
  ])("%s", (_name, pair, pool, message) => {
    // GIVEN / WHEN
    const error = caught(() => build(pair, {}, pool));

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });

  test("fails for a managed load balancer on Docker", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");
    const local = new DockerPlatform(stack, "local");
    const web = new BackendPool(local, "web");

    // WHEN
    const error = caught(
      () =>
        new VipPair(local, "edge", {
          backends: web,
          implementation: LoadBalancerImplementation.managedNetwork(),
        }),
    );

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /test\/local\/edge: implementation "managed network load balancer" is not allowed; Docker has no managed load balancer/,
    );
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

describe("AwsPlatform user data", () => {
  test("ships small user data as plain text", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const userData: string = instanceOf(synthJson(stack), "edge-lb-0").user_data;

    // THEN
    expect(userData).not.toContain("gz+b64");
    expect(userData).toContain("vrrp_instance VI_51 {");
  });

  test("gzips the files of large user data to stay under EC2's 16 KiB, keeping files with deploy-time values plain", () => {
    // GIVEN a pair over 600 backends: haproxy.cfg alone is far above 16 KiB
    const { stack } = build(
      { addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" },
      {},
      { replicas: 600 },
    );

    // WHEN
    const json = synthJson(stack);
    const userData: string = instanceOf(json, "edge-lb-0").user_data;
    const config = cloudConfig(json, "edge-lb-0");

    // THEN
    expect(Buffer.byteLength(userData)).toBeLessThan(16 * 1024);
    expect(userData).toMatch(/path: "\/etc\/haproxy\/haproxy\.cfg"\n\s+encoding: "gz\+b64"/);
    expect(config.files.get("/etc/haproxy/haproxy.cfg")?.match(/^\s+server web-\d+ /gm)).toHaveLength(600);
    expect(userData).toMatch(/path: "\/usr\/local\/sbin\/ha-move-VI_51"\n\s+content: \|2\n/);
  });
});

describe("AwsPlatform user data limit", () => {
  test("fails at synthesis when user data exceeds EC2's 16 KiB even gzipped", () => {
    // GIVEN a backend environment of 40 000 random characters (does not compress)
    const random = require("node:crypto").randomBytes(30_000).toString("base64");
    const { stack } = build({}, {}, { environment: { BLOB: random } });

    // WHEN / THEN
    expect(() => synthJson(stack)).toThrow(
      /test\/cloud\/web\/Replica0: user data size \d+ is not allowed; EC2 accepts at most 16384 bytes/,
    );
  });
});
