import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  AwsPlatform,
  BackendPool,
  DockerPlatform,
  L4Forwarding,
  ThreeTierLoadBalancer,
  type ThreeTierLoadBalancerProps,
} from "../../../lib";
import {
  haReport,
  resourcesOfType,
  resourceTypes,
  synthJson,
  synthWithValidations,
} from "../../../lib/testing";
import { validationErrorOf } from "../../support/errors";

function docker(kernelL4?: boolean) {
  const stack = new TerraformStack(Testing.app(), "s");
  const platform = new DockerPlatform(stack, "local", {
    subnet: "198.18.3.0/24",
    ...(kernelL4 !== undefined ? { kernelL4 } : {}),
  });
  const web = new BackendPool(platform, "web", { replicas: 2 });
  return { stack, platform, web };
}

type Container = {
  hostname: string;
  upload: { file: string; content: string }[];
  sysctls?: Record<string, string>;
};

function containers(stack: TerraformStack): Container[] {
  return Object.values(resourcesOfType(synthJson(stack), "docker_container")) as Container[];
}

function upload(stack: TerraformStack, hostname: string, file: string): string {
  return (
    containers(stack)
      .find((c) => c.hostname === hostname)
      ?.upload.find((u) => u.file === file)?.content ?? ""
  );
}

describe("ThreeTierLoadBalancer on Docker (self-run tiers)", () => {
  test("makes 2 routers, 2 L4 nodes and 2 L7 nodes, each with its daemons' files", () => {
    const { stack, platform, web } = docker();
    const tier = new ThreeTierLoadBalancer(platform, "edge", {
      backends: web,
      serviceAddresses: ["198.18.200.10"],
    });
    synthWithValidations(stack);
    expect(resourceTypes(synthJson(stack))).toEqual(["docker_container", "docker_image", "docker_network"]);
    expect(
      containers(stack)
        .map((c) => c.hostname)
        .sort(),
    ).toEqual([
      "edge-l4-0",
      "edge-l4-1",
      "edge-l7-0",
      "edge-l7-1",
      "edge-router-0",
      "edge-router-1",
      "web-0",
      "web-1",
    ]);
    expect(tier.endpoint).toBe("198.18.200.10");
    const l4 = tier.selfRun?.l4Nodes.map((h) => h.address) ?? [];
    const l7 = tier.l7Nodes.map((h) => h.address);
    // The routers peer with every L4 node; the L4 nodes with every router.
    const router = upload(stack, "edge-router-0", "/etc/bird/bird.conf");
    for (const a of l4) expect(router).toContain(`neighbor ${a} as`);
    expect(router).toMatch(/merge paths yes/);
    // Every L4 node lists every L7 node, in the same order (one Maglev table).
    const ipvs0 = upload(stack, "edge-l4-0", "/etc/keepalived/keepalived.conf");
    const ipvs1 = upload(stack, "edge-l4-1", "/etc/keepalived/keepalived.conf");
    expect(ipvs0).toContain("lvs_sched mh");
    expect(ipvs0).toContain("lvs_method TUN");
    expect(ipvs0.replace(/router_id \S+/, "")).toBe(ipvs1.replace(/router_id \S+/, ""));
    for (const a of l7) expect(ipvs0).toContain(`real_server ${a} 80`);
    // The L7 nodes take the tunnelled requests on tunl0 and bind the service address.
    expect(upload(stack, "edge-l7-0", "/usr/local/sbin/ha-l7-addresses")).toContain(
      "ip -4 addr replace 198.18.200.10/32 dev tunl0",
    );
    expect(upload(stack, "edge-l7-0", "/etc/haproxy/haproxy.cfg")).toContain("bind 198.18.200.10:80");
    // The kernel settings each role needs.
    const sysctls = (h: string) => containers(stack).find((c) => c.hostname === h)?.sysctls ?? {};
    expect(sysctls("edge-router-0")).toMatchObject({ "net.ipv4.fib_multipath_hash_policy": "1" });
    expect(sysctls("edge-l4-0")).toMatchObject({
      "net.ipv4.vs.sloppy_tcp": "1",
      "net.ipv4.vs.conntrack": "0",
    });
    expect(sysctls("edge-l7-0")).toMatchObject({ "net.ipv4.conf.all.rp_filter": "0" });
  });

  test("reports each tier as a group with its predictions, and the clients' gateway", () => {
    const { stack, platform, web } = docker();
    new ThreeTierLoadBalancer(platform, "edge", { backends: web, serviceAddresses: ["198.18.200.10"] });
    const report = haReport(stack);
    const groups = Object.fromEntries(report.redundancyGroups.map((g) => [g.id, g]));
    expect(groups["s/local/edge/Routers"]?.predictions.map((p) => p.fault)).toEqual(["router-loss"]);
    expect(groups["s/local/edge/L4"]?.predictions.map((p) => [p.fault, p.recoverySeconds])).toEqual([
      ["l4-node-loss", 0.3],
      ["l4-node-drain", 0],
    ]);
    expect(groups["s/local/edge/L7"]?.predictions.map((p) => [p.fault, p.recoverySeconds])).toEqual([
      ["l7-node-loss", 3],
    ]);
    expect(report.floatingAddresses.map((f) => f.id)).toEqual([
      "s/local/edge/Routers/Gateway",
      "s/local/edge/Service0",
    ]);
    // Only the Docker host itself is a single point of failure.
    expect(report.singlePointsOfFailure.map((x) => x.id)).toEqual(["docker-host:local"]);
  });

  test.each<[string, Partial<ThreeTierLoadBalancerProps>, RegExp]>([
    ["one router", { routers: 1 }, /routers.*1/s],
    ["one L4 node", { l4Nodes: 1 }, /l4Nodes.*1/s],
    ["NAT forwarding", { forwarding: L4Forwarding.NAT }, /forwarding.*TUNNEL or .DIRECT/s],
    ["a service address inside the segment", { serviceAddresses: ["198.18.3.50"] }, /outside every segment/],
    ["a service address that is not one", { serviceAddresses: ["198.18.200.10; drop"] }, /service/],
    ["BFD every 5 ms", { bfd: { intervalMs: 5 } }, /BFD intervalMs.*5/s],
    [
      "gateway adverts every 15 ms",
      { gateway: { advertIntervalMs: 15 } },
      /advertIntervalMs.*15.*centiseconds/s,
    ],
    ["one AS for both sides", { routerAs: 4200000100, l4As: 4200000100 }, /already used/],
    ["a port twice", { ports: [80, 80] }, /ports.*each port once/s],
  ])("refuses %s, naming the construct path", (_what, change, message) => {
    const { platform, web } = docker();
    const error = validationErrorOf(
      () =>
        new ThreeTierLoadBalancer(platform, "edge", {
          backends: web,
          serviceAddresses: ["198.18.200.10"],
          ...change,
        }),
    );
    expect(error.message).toContain("s/local/edge");
    expect(error.message).toMatch(message);
  });

  test("refuses a platform whose kernel has no IPVS", () => {
    const { platform, web } = docker(false);
    expect(
      validationErrorOf(() => new ThreeTierLoadBalancer(platform, "edge", { backends: web })).message,
    ).toMatch(/IPVS with the Maglev scheduler/);
  });
});

describe("ThreeTierLoadBalancer on AWS (a network load balancer for L3 and L4)", () => {
  function aws() {
    const stack = new TerraformStack(Testing.app(), "s");
    new AwsProvider(stack, "aws", {});
    const platform = new AwsPlatform(stack, "cloud", { vpcCidr: "10.42.0.0/16", zoneCount: 2 });
    const web = new BackendPool(platform, "web", { replicas: 2 });
    return { stack, platform, web };
  }

  test("puts an NLB across the zones in front of the L7 nodes, checked on their health endpoint", () => {
    const { stack, platform, web } = aws();
    const tier = new ThreeTierLoadBalancer(platform, "edge", { backends: web, l7Nodes: 3 });
    const json = synthJson(stack);
    expect(Object.values(resourcesOfType(json, "aws_lb"))).toEqual([
      expect.objectContaining({ load_balancer_type: "network", enable_cross_zone_load_balancing: true }),
    ]);
    expect(Object.values(resourcesOfType(json, "aws_lb_target_group"))).toEqual([
      expect.objectContaining({
        health_check: expect.objectContaining({ path: "/ha-health", port: "8404", protocol: "HTTP" }),
      }),
    ]);
    expect(tier.selfRun).toBeUndefined();
    expect(tier.l7Nodes.map((h) => h.failureDomain.id)).toEqual(["zone:az1", "zone:az2", "zone:az1"]);
    expect(
      haReport(stack).notes.some((n) => n.includes("map to one network load balancer across 2 zones")),
    ).toBe(true);
  });

  test("refuses the self-run tiers' props and more than one port", () => {
    const { platform, web } = aws();
    expect(
      validationErrorOf(() => new ThreeTierLoadBalancer(platform, "a", { backends: web, routers: 3 }))
        .message,
    ).toMatch(/routers.*managed network load balancer stands in/s);
    expect(
      validationErrorOf(() => new ThreeTierLoadBalancer(platform, "b", { backends: web, ports: [80, 443] }))
        .message,
    ).toMatch(/give one port/);
  });
});
