import { Construct } from "constructs";
import { invalid } from "../../errors";
import type { FailurePrediction } from "../../model/availability";
import { assertBfdTimers, assertServiceAddress, type BfdTimers, type BgpTimers } from "../../model/bgp";
import { BGP_ASNS } from "../../model/bgp-asn-pool";
import { assertIntegerInRange } from "../../model/config-text";
import { HealthCheckKind } from "../../model/health-check";
import { Capability } from "../../model/host-spec";
import { networkContains, parseIpv4Cidr } from "../../model/ipam";
import type { Spread } from "../../model/placement";
import type { FloatingAddressMode } from "../../platforms/floating-address";
import type { IHost } from "../../platforms/host";
import type { IPlatform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import { Traffic, TrafficSource } from "../../platforms/traffic";
import {
  type IpvsHealthCheck,
  type IpvsMethod,
  ipvsDetectionTimeMs,
  ipvsL7Requirements,
} from "../../render/ipvs-keepalived";
import { renderServiceAddressScript } from "../../render/service-address-script";
import type { FloatingAddress } from "../parts/floating-address";
import type { HaproxyNodeExtras } from "../parts/haproxy-nodes";
import { type HaproxyProxy, HEALTH_URI } from "../parts/haproxy-proxy";
import { VrrpGroup } from "../parts/vrrp-group";
import { roundSeconds } from "../parts/vrrp-timing";
import { addL4Node } from "./l4-nodes";
import { recordTiers } from "./predictions";
import { addRouter } from "./routers";
import { L4Forwarding, type ThreeTierLoadBalancerProps } from "./three-tier-props";

const METHODS: Readonly<Record<L4Forwarding, IpvsMethod>> = {
  [L4Forwarding.TUNNEL]: "TUN",
  [L4Forwarding.DIRECT]: "DR",
  [L4Forwarding.NAT]: "NAT",
};

/** BGP timers: keepalives every second, and a returning L4 node peers again within 1-2 s. */
const BGP_TIMERS: BgpTimers = {
  holdTimeSeconds: 3,
  keepaliveSeconds: 1,
  connectRetrySeconds: 1,
  errorWaitMinSeconds: 1,
  errorWaitMaxSeconds: 10,
};
const GATE_INTERVAL_MS = 200;
export const L7_TUNNEL_SETUP = "/usr/local/sbin/ha-l7-addresses";

/** The self-run L3 (routers) and L4 (IPVS) tiers of a ThreeTierLoadBalancer. */
export interface SelfRunL3L4 {
  readonly serviceAddresses: readonly string[];
  readonly routers: readonly IHost[];
  readonly l4Nodes: readonly IHost[];
  /** The clients' gateway: a VRRP address of the routers. */
  readonly gateway: FloatingAddress;
  /** What each L7 node needs to accept what the L4 method delivers. */
  readonly l7Extras: HaproxyNodeExtras;
  /** Takes the L7 nodes: the L4 configs list them; traffic and the report follow. */
  attach(l7: readonly IHost[]): void;
  l7Predictions(): FailurePrediction[];
}

/** Builds the routers and L4 nodes on a platform whose hosts peer by BGP with ECMP. */
export function buildSelfRunL3L4(
  tier: Construct,
  platform: IPlatform,
  props: ThreeTierLoadBalancerProps,
  segment: ISegment,
  spread: Spread,
  proxy: HaproxyProxy,
): SelfRunL3L4 {
  if (!platform.traits.kernelL4) {
    invalid(
      tier,
      "platform",
      platform.node.path,
      "the L4 tier needs IPVS with the Maglev scheduler (ip_vs_mh): this platform says its kernel has none (kernelL4)",
    );
  }
  const routerCount = assertIntegerInRange(tier, "routers", props.routers ?? 2, 2, 16);
  const l4Count = assertIntegerInRange(tier, "l4Nodes", props.l4Nodes ?? 2, 2, 64);
  const forwarding = props.forwarding ?? L4Forwarding.TUNNEL;
  const method = METHODS[forwarding];
  if (method === undefined)
    invalid(tier, "forwarding", forwarding, "use L4Forwarding.TUNNEL, .DIRECT or .NAT");
  if (method === "NAT") {
    invalid(
      tier,
      "forwarding",
      forwarding,
      "NAT sends replies back through the L4 node that forwarded the request, so a flow ECMP moves to another L4 node breaks: use L4Forwarding.TUNNEL or .DIRECT",
    );
  }
  const bfd: BfdTimers = assertBfdTimers(tier, {
    intervalMs: props.bfd?.intervalMs ?? 100,
    multiplier: props.bfd?.multiplier ?? 3,
  });
  const serviceAddresses = checkServiceAddresses(
    tier,
    platform,
    segment,
    props.serviceAddresses ?? ["198.51.100.10"],
  );
  const routerAs = platform.reserveId(tier, BGP_ASNS, `${tier.node.path} routers`, props.routerAs);
  const l4As = platform.reserveId(tier, BGP_ASNS, `${tier.node.path} L4 nodes`, props.l4As);
  const ports = proxy.listeners.map((l) => l.port);
  const routerGroup = `${tier.node.path}/Routers`;
  const l4Group = `${tier.node.path}/L4`;
  const l7Group = `${tier.node.path}/L7`;
  const routers: IHost[] = [];
  const l4Nodes: IHost[] = [];
  let l7: readonly IHost[] = [];
  const peer = (prefix: string) => (h: IHost, i: number) => ({
    name: `${prefix}${i}`,
    address: h.address,
    asn: 0,
  });
  const gateway = new VrrpGroup(tier, platform, segment, routerCount, props.gateway ?? {});
  const mode = platform.traits.floatingAddressModes[0] as FloatingAddressMode;
  const gatewayAddress = gateway.addAddress(new Construct(tier, "Routers"), "Gateway", {}, mode);
  const l7Check: IpvsHealthCheck = {
    kind: HealthCheckKind.HTTP,
    intervalMs: 1000,
    timeoutMs: 500,
    unhealthyThreshold: 2,
    path: HEALTH_URI,
    expectedStatus: 200,
    port: proxy.healthPort,
  };
  for (let i = 0; i < routerCount; i++) {
    const domain = spread.domainFor(tier, "router", i, platform.failureDomains);
    routers.push(
      addRouter(
        {
          scope: tier,
          platform,
          segment,
          serviceAddresses,
          asn: routerAs,
          bfd,
          bgp: BGP_TIMERS,
          l4Nodes: () => l4Nodes.map((h, j) => ({ ...peer("n")(h, j), asn: l4As })),
          gateway,
          trafficGroup: routerGroup,
        },
        i,
        domain,
      ),
    );
  }
  for (let i = 0; i < l4Count; i++) {
    const domain = spread.domainFor(tier, "L4 node", i, platform.failureDomains);
    l4Nodes.push(
      addL4Node(
        {
          scope: tier,
          platform,
          segment,
          serviceAddresses,
          ports,
          method,
          asn: l4As,
          bfd,
          bgp: BGP_TIMERS,
          gateIntervalMs: GATE_INTERVAL_MS,
          routers: () => routers.map((h, j) => ({ ...peer("r")(h, j), asn: routerAs })),
          l7Addresses: () => l7.map((h) => h.address),
          l7Check,
          trafficGroup: l4Group,
        },
        i,
        domain,
      ),
    );
  }
  gateway.attach(routers);
  const requirements = ipvsL7Requirements(method);
  const l7Interface = requirements.serviceInterface;
  const l7Extras: HaproxyNodeExtras = {
    bindAddresses: serviceAddresses,
    packages: ["iproute2"],
    imageName: "ha-l7",
    files: l7Interface
      ? [
          {
            path: L7_TUNNEL_SETUP,
            content: renderServiceAddressScript({
              addresses: serviceAddresses,
              interfaceName: l7Interface,
              why:
                l7Interface === "tunl0"
                  ? "IPVS tunnels each request here in IP-in-IP; tunl0 (the host's ipip module) unpacks it to the service address."
                  : "The service addresses on loopback, so that the node accepts what the L4 nodes deliver.",
            }),
            executable: true,
          },
        ]
      : [],
    processes: l7Interface ? [{ name: "l7-addresses", command: [L7_TUNNEL_SETUP] }] : [],
    capabilities: [Capability.NET_ADMIN],
    sysctls: {
      // Only keys that exist before the tunnel interface does; new interfaces take `default`.
      ...Object.fromEntries(Object.entries(requirements.sysctls).filter(([k]) => !k.includes(".tunl0."))),
      ...(method === "TUN" ? { "net.ipv4.conf.default.rp_filter": "0" } : {}),
      "net.ipv4.ip_nonlocal_bind": "1",
    },
  };
  return {
    serviceAddresses,
    routers,
    l4Nodes,
    gateway: gatewayAddress,
    l7Extras,
    attach(l7Hosts) {
      l7 = l7Hosts;
      allowFlows(tier, platform, {
        routerGroup,
        l4Group,
        l7Group,
        method,
        healthPort: proxy.healthPort,
        gateway,
      });
      recordTiers(tier, platform, {
        routers,
        l4Nodes,
        gateway,
        bfd,
        serviceAddresses,
        ports,
        routerGroup,
        l4Group,
        l7Group,
        gateIntervalMs: GATE_INTERVAL_MS,
      });
    },
    l7Predictions: () => [
      {
        fault: "l7-node-loss",
        recoverySeconds: roundSeconds(ipvsDetectionTimeMs(l7Check) / 1000),
        failedRequests: `connections open on the lost L7 node (1 in ${Math.max(1, l7.length)} of those established); new ones sent to it until every L4 node's check sets its weight to 0`,
        basis: `keepalived HTTP_GET ${HEALTH_URI} on every L4 node: up to one delay_loop ${l7Check.intervalMs} ms + ${l7Check.unhealthyThreshold} attempts × connect_timeout ${l7Check.timeoutMs} ms + ${l7Check.unhealthyThreshold - 1} × delay_before_retry ${l7Check.intervalMs} ms`,
      },
    ],
  };
}

function checkServiceAddresses(
  tier: Construct,
  platform: IPlatform,
  segment: ISegment,
  addresses: readonly string[],
): string[] {
  if (!Array.isArray(addresses) || addresses.length === 0 || addresses.length > 16) {
    invalid(tier, "serviceAddresses", addresses, "give 1-16 service addresses");
  }
  const segments = [segment, platform.defaultSegment];
  return addresses.map((a) => {
    const address = assertServiceAddress(tier, "serviceAddresses", a);
    for (const s of segments) {
      if (networkContains(parseIpv4Cidr(tier, "segment", s.cidr), address)) {
        invalid(
          tier,
          "serviceAddresses",
          address,
          `a service address is routed to the L4 nodes, so it must lie outside every segment; ${s.displayName} has ${s.cidr}`,
        );
      }
    }
    return address;
  });
}

interface Flows {
  readonly routerGroup: string;
  readonly l4Group: string;
  readonly l7Group: string;
  readonly method: IpvsMethod;
  readonly healthPort: number;
  readonly gateway: VrrpGroup;
}

function allowFlows(tier: Construct, platform: IPlatform, f: Flows): void {
  const peer = (trafficGroup: string) => ({ trafficGroup });
  for (const [to, from] of [
    [f.routerGroup, f.l4Group],
    [f.l4Group, f.routerGroup],
  ] as const) {
    platform.allowTraffic(tier, {
      toGroup: to,
      traffic: Traffic.tcp(179),
      from: TrafficSource.group(peer(from)),
      description: "BGP",
    });
    platform.allowTraffic(tier, {
      toGroup: to,
      traffic: Traffic.udp(3784, 3785),
      from: TrafficSource.group(peer(from)),
      description: "BFD",
    });
  }
  if (f.method === "TUN") {
    platform.allowTraffic(tier, {
      toGroup: f.l7Group,
      traffic: Traffic.ipProtocol(4, "ipip"),
      from: TrafficSource.group(peer(f.l4Group)),
      description: "requests tunnelled from the L4 nodes",
    });
  }
  platform.allowTraffic(tier, {
    toGroup: f.l7Group,
    traffic: Traffic.tcp(f.healthPort),
    from: TrafficSource.group(peer(f.l4Group)),
    description: "IPVS health checks of the L7 nodes",
  });
  f.gateway.allowAdverts(peer(f.routerGroup));
}
