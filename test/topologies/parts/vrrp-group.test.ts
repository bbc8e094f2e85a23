import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { FloatingAddressMode, Spread, TrafficSourceKind, VrrpVersion } from "../../../lib";
import { VrrpGroup } from "../../../lib/topologies/parts/vrrp-group";
import { dockerStack } from "../../support/docker-stack";
import { validationErrorOf } from "../../support/errors";

function setup(nodeCount = 3, options = {}) {
  const { platform } = dockerStack(1, { subnet: "198.18.0.0/24" });
  const where = new Construct(platform, "group");
  const group = new VrrpGroup(where, platform, platform.defaultSegment, nodeCount, options);
  return { platform, where, group };
}

const node = (index: number, interfaceName = "eth0") => ({
  index,
  routerId: `n${index}`,
  address: `198.18.0.${20 + index}`,
  interfaceName,
});

describe("VrrpGroup", () => {
  test("defaults: VRRPv3, 100 ms adverts, priorities 150/100/90, preempt after 10 s, multicast on Docker", () => {
    const { group } = setup();
    expect([
      group.version,
      group.advertIntervalMs,
      group.priorities,
      group.preempt,
      group.preemptDelaySeconds,
      group.unicast,
    ]).toEqual([VrrpVersion.V3, 100, [150, 100, 90], true, 10, false]);
    expect(group.timing).toEqual({
      version: VrrpVersion.V3,
      advertIntervalMs: 100,
      backupPriority: 100,
      addressProbeMs: 0,
    });
    expect(group.addressProbeMs).toBe(50);
  });

  test("spreads addresses over the nodes and ranks priorities in ring order from the preferred node", () => {
    // GIVEN three nodes and three addresses
    const { where, group } = setup();
    for (const id of ["A", "B", "C"]) group.addAddress(where, id, {}, FloatingAddressMode.GRATUITOUS_ARP);
    // WHEN node 1's config is rendered on eth1
    const conf = group.keepalivedConf(node(1, "eth1"), []);
    // THEN address A (preferred node 0) has priority 100 there, B (node 1) 150, C (node 2) 90
    const priorities = [...conf.matchAll(/vrrp_instance (VI_\d+) \{[^}]*?priority (\d+)/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(priorities).toEqual([
      ["VI_51", 100],
      ["VI_52", 150],
      ["VI_53", 90],
    ]);
    expect(conf).toContain("interface eth1");
    // the ARP probe guard (default on Docker): keepalived holds loopback markers, the claim
    // scripts hold the addresses on eth1
    expect(conf).toContain("127.254.51.1/32 dev lo");
    // a MASTER that hears a lower-priority one (a healed partition) re-announces the address
    expect(conf).toContain('notify_master_rx_lower_pri "/usr/local/sbin/ha-claim-VI_51 announce"');
    const claims = group.supportFiles(() => node(1, "eth1")).filter((f) => f.path.includes("ha-claim-"));
    expect(claims.map((f) => f.path)).toEqual([
      "/usr/local/sbin/ha-claim-VI_51",
      "/usr/local/sbin/ha-claim-VI_52",
      "/usr/local/sbin/ha-claim-VI_53",
    ]);
    for (const f of claims) {
      expect(f.executable).toBe(true);
      expect(typeof f.content === "function" ? f.content() : f.content).toMatch(
        /device=eth1\naddresses=198\.18\.0\.\d+\/24\nprobe=0\.05\nretry=0\.1\n/,
      );
    }
    expect(group.addresses.map((a) => a.preferredNode)).toEqual([0, 1, 2]);
  });

  test("addressProbeMs 0 lets keepalived add the addresses itself, with no claim script or arping", () => {
    // GIVEN the guard turned off
    const { where, group } = setup(2, { addressProbeMs: 0 });
    group.addAddress(where, "Vip", {}, FloatingAddressMode.GRATUITOUS_ARP);
    // THEN keepalived.conf has the real address, and the node needs no claim script nor arping
    const conf = group.keepalivedConf(node(0), []);
    expect(conf).toMatch(/198\.18\.0\.\d+\/24 dev eth0/);
    expect(conf).not.toContain("dev lo");
    expect(group.supportFiles(() => node(0)).some((f) => f.path.includes("ha-claim-"))).toBe(false);
    expect(group.packages).not.toContain("iputils-arping");
    expect(group.timing.addressProbeMs).toBe(0);
  });

  test("the ARP probe guard needs arping and adds its time to the takeover", () => {
    const { where, group } = setup(2);
    group.addAddress(where, "Vip", {}, FloatingAddressMode.GRATUITOUS_ARP);
    expect(group.addressProbeMs).toBe(50);
    expect(group.packages).toContain("iputils-arping");
    expect(group.timing.addressProbeMs).toBe(50);
  });

  test.each([
    ["a fraction", { addressProbeMs: 2.5 }, /addressProbeMs/],
    ["over a second", { addressProbeMs: 1001 }, /addressProbeMs/],
  ])("rejects an ARP probe time that is %s", (_what, options, message) => {
    expect(() => setup(2, options)).toThrow(message);
  });

  test("rejects the ARP probe where the platform moves the address through an API", () => {
    const { where, group } = setup(2, { addressProbeMs: 50 });
    expect(
      validationErrorOf(() => group.addAddress(where, "Vip", {}, FloatingAddressMode.SECONDARY_PRIVATE_IP))
        .message,
    ).toMatch(/addressProbeMs.*secondary-private-ip.*leave it unset or 0/);
  });

  test("renders unicast peers from the attached nodes' addresses", () => {
    // GIVEN a unicast group whose nodes are hosts of the platform
    const { platform, where } = setup();
    const group = new VrrpGroup(where, platform, platform.defaultSegment, 2, { unicast: true });
    group.addAddress(where, "Vip", {}, FloatingAddressMode.GRATUITOUS_ARP);
    const hosts = dockerStack(2, { subnet: "198.18.0.0/24" }).web.node.children as never[];
    group.attach(hosts);
    // THEN node 0 sends to node 1's address only
    const conf = group.keepalivedConf({ ...node(0), address: "198.18.0.2" }, []);
    expect(conf).toMatch(/unicast_src_ip 198\.18\.0\.2\n\s*unicast_peer \{\n\s*198\.18\.0\.3\n\s*\}/);
  });

  test("puts every node in one domain when an address binds them to one subnet, else spreads evenly", () => {
    const { where, group } = setup();
    group.addAddress(where, "Vip", {}, FloatingAddressMode.GRATUITOUS_ARP);
    expect(group.spread).toEqual(Spread.even());
  });

  test("lets the nodes exchange adverts, IP protocol 112", () => {
    const { platform, group } = setup();
    group.allowAdverts({ trafficGroup: "test/local/group" });
    expect(
      platform.rules.map((r) => [r.toGroup, r.traffic.protocolNumber, r.from.kind, r.from.value]),
    ).toEqual([["test/local/group", 112, TrafficSourceKind.GROUP, "test/local/group"]]);
  });

  test.each([
    [{ vrrpVersion: 4 }, "use VrrpVersion.V2 or VrrpVersion.V3"],
    [{ vrrpVersion: VrrpVersion.V2, advertIntervalMs: 1500 }, "whole seconds"],
    [{ advertIntervalMs: 5 }, "centiseconds"],
    [{ priorities: [150, 150, 100] }, "use different priorities"],
    [{ priorities: [150, 100] }, "exactly one priority per node (3)"],
    [{ preemptDelaySeconds: -1 }, "preemptDelaySeconds"],
    [{ notify: { master: ["relative"] } }, "notify.master"],
  ])("fails for %o", (options, message) => {
    const { platform, where } = setup();
    expect(
      validationErrorOf(() => new VrrpGroup(where, platform, platform.defaultSegment, 3, options as never))
        .message,
    ).toContain(message);
  });

  test("fails for a preferred node outside the group", () => {
    const { where, group } = setup(2);
    expect(
      validationErrorOf(() =>
        group.addAddress(where, "Vip", { preferredNode: 2 }, FloatingAddressMode.GRATUITOUS_ARP),
      ).message,
    ).toContain("test/local/group/Vip: preferredNode 2");
  });
});
