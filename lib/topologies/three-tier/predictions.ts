/**
 * What the self-run tiers record in the HA report: the clients' gateway, the routers and the L4
 * nodes as redundancy groups, and what each predicts for its faults, with the arithmetic.
 */
import type { Construct } from "constructs";
import { type BfdTimers, bfdDetectionTimeMs } from "../../model/bgp";
import type { IHost } from "../../platforms/host";
import type { IPlatform } from "../../platforms/platform";
import type { FloatingAddress } from "../parts/floating-address";
import type { VrrpGroup } from "../parts/vrrp-group";
import { masterDownBasis, masterDownSeconds, roundSeconds } from "../parts/vrrp-timing";

export interface TierRecords {
  readonly routers: readonly IHost[];
  readonly l4Nodes: readonly IHost[];
  readonly gateway: VrrpGroup;
  readonly bfd: BfdTimers;
  readonly serviceAddresses: readonly string[];
  /** The ports the L7 nodes serve on the service addresses. */
  readonly ports: readonly number[];
  readonly routerGroup: string;
  readonly l4Group: string;
  readonly l7Group: string;
  /** How often the L4 gate checks, for the drain prediction. */
  readonly gateIntervalMs: number;
}

export function recordTiers(tier: Construct, platform: IPlatform, r: TierRecords): void {
  const model = platform.availability;
  const gateway = r.gateway.addresses[0] as FloatingAddress;
  const routers = r.routers;
  model.addFloatingAddress({
    id: gateway.node.path,
    topology: tier.node.path,
    get address() {
      return gateway.address;
    },
    mode: gateway.mode,
    listenerPorts: [],
    get healthyOn() {
      return routers[gateway.preferredNode]?.node.path ?? "";
    },
    virtualRouterId: gateway.virtualRouterId,
  });
  r.serviceAddresses.forEach((address, i) => {
    model.addFloatingAddress({
      id: `${tier.node.path}/Service${i}`,
      topology: tier.node.path,
      address,
      mode: "bgp-ecmp",
      listenerPorts: [...r.ports],
      healthyOn: "",
      announcedBy: r.l4Group,
    });
  });
  const timing = r.gateway.timing;
  const bfdMs = bfdDetectionTimeMs(r.bfd);
  const detection = `BFD ${r.bfd.multiplier} × ${r.bfd.intervalMs} ms = ${bfdMs} ms`;
  model.addGroup({
    id: r.routerGroup,
    role: "router",
    topology: tier.node.path,
    members: r.routers.map((h) => h.node.path),
    minimumHealthy: 1,
    mechanism: "vrrp gateway for the clients; ECMP over the L4 nodes learnt by BGP",
    predictions: [
      {
        fault: "router-loss",
        recoverySeconds: roundSeconds(masterDownSeconds(timing) + (timing.addressProbeMs ?? 0) / 1000),
        failedRequests:
          "none of the established connections: the new gateway router has the same ECMP routes, and whichever L4 node a flow reaches sends it to the same L7 node (one Maglev table); packets in flight during the gateway's move are retransmitted",
        basis: `${masterDownBasis(timing)} + ARP probe ${timing.addressProbeMs ?? 0} ms`,
      },
    ],
    dependsOn: [r.l4Group],
  });
  model.addGroup({
    id: r.l4Group,
    role: "l4-load-balancer",
    topology: tier.node.path,
    members: r.l4Nodes.map((h) => h.node.path),
    minimumHealthy: 1,
    mechanism: `BGP + ECMP to ${r.serviceAddresses.join(", ")}; IPVS Maglev (mh), no shared state`,
    predictions: [
      {
        fault: "l4-node-loss",
        recoverySeconds: roundSeconds(bfdMs / 1000),
        failedRequests:
          "established connections survive (goal: all): ECMP moves the lost node's flows to the others, whose Maglev tables send each to the same L7 node, and sloppy_tcp takes them up mid-flow; packets sent before the route is gone are retransmitted",
        basis: `the routers' ${detection} takes the session and its ECMP next hop away (the kernel route changes within milliseconds)`,
      },
      {
        fault: "l4-node-drain",
        recoverySeconds: 0,
        failedRequests:
          "none: the node withdraws its routes first, and keeps forwarding what still reaches it",
        basis: `touch /run/ha/drain: the gate (every ${r.gateIntervalMs} ms) disables the node's BIRD static routes, and BGP withdraws them`,
      },
    ],
    dependsOn: [r.l7Group],
  });
}
