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
} from "../../../lib";
import { resourcesOfType, resourceTypes, synthJson } from "../../../lib/testing";
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
      filtersTraffic: false,
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
