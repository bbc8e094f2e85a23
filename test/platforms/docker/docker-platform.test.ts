import { Container } from "@cdktf/provider-docker/lib/container";
import { Network } from "@cdktf/provider-docker/lib/network";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  BackendPool,
  DockerPlatform,
  FloatingAddressMode,
  ManagedLoadBalancerKind,
  Spread,
  VipPair,
} from "../../../lib";
import { resourcesOfType, resourceTypes, synthJson } from "../../../lib/testing";
import { badInputTable } from "../../support/bad-inputs";
import { dockerStack } from "../../support/docker-stack";
import { validationErrorOf } from "../../support/errors";

describe("DockerPlatform", () => {
  test("has one default network named after the stack and one failure domain", () => {
    // GIVEN a platform with a pool
    const { stack, platform } = dockerStack(2);
    // THEN it makes a bridge network with the fixed subnet, and says what it can do
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Network, {
      name: "test-local",
      driver: "bridge",
      ipam_config: [{ subnet: "172.30.0.0/24", gateway: "172.30.0.1" }],
    });
    expect(platform.failureDomains.map((d) => d.id)).toEqual(["docker-host:local"]);
    expect(platform.traits).toEqual({
      multicast: true,
      floatingAddressModes: [FloatingAddressMode.GRATUITOUS_ARP],
      managedLoadBalancers: [],
      managedDatabases: [],
      filtersTraffic: false,
      routesBetweenSegments: false,
      healthCheckedNames: { selfHostedServers: true },
      bgpEcmp: true,
      kernelL4: true,
    });
    expect(
      Object.values(ManagedLoadBalancerKind).some((k) => platform.traits.managedLoadBalancers.includes(k)),
    ).toBe(false);
  });

  test("adds segments as networks of their own, the next free /24 by default", () => {
    // GIVEN a platform on 198.18.0.0/24
    const { stack, platform } = dockerStack(1, { subnet: "198.18.0.0/24" });
    // WHEN two segments are added, one with its own range
    const tier = platform.addSegment("Tier");
    const given = platform.addSegment("Given", { cidr: "198.18.8.0/25" });
    // THEN each is a network with its range, and the stack has three networks
    expect(tier.cidr).toBe("198.18.1.0/24");
    expect(given.cidr).toBe("198.18.8.0/25");
    expect(tier.segmentId).toBe("test/local/Tier");
    const networks = Object.values(resourcesOfType(synthJson(stack), "docker_network"));
    expect(networks.map((n) => n.name).sort()).toEqual(["test-given", "test-local", "test-tier"]);
  });

  test("fails for a segment that overlaps another", () => {
    const { platform } = dockerStack(1, { subnet: "198.18.0.0/24" });
    const error = validationErrorOf(() => platform.addSegment("Clash", { cidr: "198.18.0.128/25" }));
    expect(error.message).toContain("test/local: cidr of segment Clash");
    expect(error.message).toContain("does not overlap test/local/Network (198.18.0.0/24)");
  });

  test("attaches a host to several segments, one interface each in order", () => {
    // GIVEN a second segment
    const { stack, platform, web } = dockerStack(1, { subnet: "198.18.0.0/24" });
    const second = platform.addSegment("Back");
    const domain = platform.failureDomains[0] as (typeof platform.failureDomains)[number];
    // WHEN a host spec has two attachments
    const replica = web.node.findChild("Replica0") as unknown as {
      spec: Parameters<typeof platform.addHost>[2];
    };
    const a = platform.attachHost(web, "test/local/web/Two/a", platform.defaultSegment, domain, 0);
    const b = platform.attachHost(web, "test/local/web/Two/b", second, domain, 1);
    platform.addHost(web, "Two", { ...replica.spec, hostname: "two", attachments: [a, b] });
    // THEN the interfaces are eth0 and eth1 and the container joins both networks
    expect([a.interfaceName, b.interfaceName]).toEqual(["eth0", "eth1"]);
    const two = Object.values(resourcesOfType(synthJson(stack), "docker_container")).find(
      (c) => c.hostname === "two",
    );
    expect(two?.networks_advanced).toEqual([
      {
        name: expect.stringMatching(/^\$\{docker_network\.local_Network_[0-9A-F]+\.name\}$/),
        ipv4_address: "198.18.0.3",
      },
      {
        name: expect.stringMatching(/^\$\{docker_network\.local_Back_[0-9A-F]+\.name\}$/),
        ipv4_address: "198.18.1.2",
      },
    ]);
  });

  test("fails for an attachment to another platform's segment", () => {
    const { platform, web } = dockerStack(1, { subnet: "198.18.0.0/24" });
    const other = new DockerPlatform(new TerraformStack(Testing.app(), "other"), "local", {
      subnet: "198.18.4.0/24",
    });
    const domain = platform.failureDomains[0] as (typeof platform.failureDomains)[number];
    expect(
      validationErrorOf(() => platform.attachHost(web, "x", other.defaultSegment, domain, 0)).message,
    ).toContain("attach hosts to a segment of test/local");
  });

  test("spreads replicas strictly only as far as it has failure domains", () => {
    const { platform } = dockerStack(1);
    const error = validationErrorOf(
      () => new BackendPool(platform, "db", { replicas: 2, spread: Spread.strict() }),
    );
    expect(error.message).toContain("test/local/db: replica 2");
  });

  test("synthesizes one network, one image and one container per replica", () => {
    const { stack } = dockerStack(2);
    expect(resourceTypes(synthJson(stack))).toEqual(["docker_container", "docker_image", "docker_network"]);
    expect(Object.keys(resourcesOfType(synthJson(stack), "docker_container"))).toHaveLength(2);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Container, { restart: "unless-stopped" });
  });
});

describe("two DockerPlatforms in one stack", () => {
  test("work with their own name prefixes and ranges: the second provider is aliased and used", () => {
    // GIVEN two platforms, each with a pair over a pool
    const stack = new TerraformStack(Testing.app(), "s");
    for (const [id, subnet] of [
      ["blue", "172.30.0.0/24"],
      ["green", "172.31.0.0/24"],
    ] as const) {
      const p = new DockerPlatform(stack, id, { namePrefix: id, subnet });
      new VipPair(p, "edge", { backends: new BackendPool(p, "web") });
    }

    // WHEN
    const json = synthJson(stack);

    // THEN one default provider and one aliased, and each container uses its platform's
    const providers = (json.provider as { docker: Array<{ alias?: string }> }).docker;
    expect(providers.map((p) => p.alias ?? "default").sort()).toEqual(["default", "green"]);
    const containers = Object.values(resourcesOfType(json, "docker_container"));
    expect(containers).toHaveLength(8);
    for (const c of containers) {
      expect(c.provider).toBe(String(c.name).startsWith("green-") ? "docker.green" : "docker");
    }
    for (const type of ["docker_network", "docker_image"]) {
      for (const [id, r] of Object.entries(resourcesOfType(json, type))) {
        expect(r.provider, `${type}.${id}`).toBe(id.startsWith("green_") ? "docker.green" : "docker");
      }
    }
    const names = containers.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test("with the defaults, the second takes its own name prefix, provider alias and range", () => {
    // GIVEN two platforms with default props
    const stack = new TerraformStack(Testing.app(), "s");
    const first = new DockerPlatform(stack, "first");
    const second = new DockerPlatform(stack, "second");
    // THEN
    expect([first.namePrefix, second.namePrefix]).toEqual(["s", "s-second"]);
    expect([first.segment.net.cidr, second.segment.net.cidr]).toEqual(["172.30.0.0/24", "172.30.1.0/24"]);
    expect((synthJson(stack).provider as { docker: Array<{ alias?: string }> }).docker).toEqual([
      {},
      { alias: "s-second" },
    ]);
  });

  test.each([
    [{ namePrefix: "s" }, 's/second: namePrefix "s" is not allowed; s/first in this stack already uses it'],
    [
      { subnet: "172.30.0.128/25" },
      's/second: subnet "172.30.0.128/25" is not allowed; use a range that does not overlap s/first/Network (172.30.0.0/24) on the same Docker host',
    ],
  ])("fails for a second platform given %j that the first has", (props, message) => {
    // GIVEN a platform with the defaults
    const stack = new TerraformStack(Testing.app(), "s");
    new DockerPlatform(stack, "first");
    // WHEN / THEN
    const error = validationErrorOf(() => new DockerPlatform(stack, "second", props));
    expect(error.message).toContain(message);
  });

  test("fails for a segment that overlaps another platform's network on the same host", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new DockerPlatform(stack, "first");
    const second = new DockerPlatform(stack, "second");
    expect(validationErrorOf(() => second.addSegment("back", { cidr: "172.30.0.0/25" })).path).toBe(
      "s/second",
    );
    expect(second.addSegment("free").cidr).toBe("172.30.2.0/24");
  });

  test("allows one range twice on different Docker hosts", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new DockerPlatform(stack, "a", { namePrefix: "a", dockerHost: "ssh://ops@198.18.0.5" });
    expect(
      () => new DockerPlatform(stack, "b", { namePrefix: "b", dockerHost: "ssh://ops@198.18.0.6" }),
    ).not.toThrow();
  });
});

describe("DockerPlatform bad inputs", () => {
  const stack = () => new TerraformStack(Testing.app(), "s");
  badInputTable([
    {
      name: "an id taken in the stack",
      build: () => {
        const s = stack();
        new DockerPlatform(s, "local");
        new DockerPlatform(s, "local");
      },
      path: "s/local",
      value: "local",
      allowed: "s already has a child with this id",
    },
    {
      name: "an id with a space",
      build: () => new DockerPlatform(stack(), "a b"),
      path: "s/a b",
      value: "a b",
      allowed: "letters, digits",
    },
    {
      name: "no stack above it",
      build: () => new DockerPlatform(Testing.app(), "local"),
      path: "local",
      value: "the app",
      allowed: "inside a TerraformStack",
    },
    {
      name: "a subnet that is no CIDR",
      build: () => new DockerPlatform(stack(), "local", { subnet: "300.1.1.0/24" }),
      path: "s/local",
      value: "300.1.1.0/24",
      allowed: "CIDR form",
    },
    {
      name: "a /31 subnet",
      build: () => new DockerPlatform(stack(), "local", { subnet: "172.30.0.0/31" }),
      path: "s/local",
      value: "172.30.0.0/31",
      allowed: "/8 to /30",
    },
    {
      name: "a namePrefix with a space",
      build: () => new DockerPlatform(stack(), "local", { namePrefix: "a b" }),
      path: "s/local",
      value: "a b",
      allowed: "1-63 characters",
    },
    {
      name: "a baseImage that is no reference",
      build: () => new DockerPlatform(stack(), "local", { baseImage: "Debian 12" }),
      path: "s/local",
      value: "Debian 12",
      allowed: "image reference",
    },
    {
      name: "a dockerHost that is no daemon address",
      build: () => new DockerPlatform(stack(), "local", { dockerHost: "http://x" }),
      path: "s/local",
      value: "http://x",
      allowed: "unix://",
    },
    {
      name: "a dockerHost with a template",
      build: () => new DockerPlatform(stack(), "local", { dockerHost: 'tcp://${file("/etc/passwd")}' }),
      path: "s/local",
      value: 'tcp://${file("/etc/passwd")}',
      allowed: "tcp://",
    },
    {
      name: "a segment id taken",
      build: () => new DockerPlatform(stack(), "local").addSegment("Network"),
      path: "s/local/Network",
      value: "Network",
      allowed: "already has a child",
    },
  ]);
});
