/**
 * `bird.conf` (BIRD 2) of an L3 router of the three-tier load balancer: an external BGP session
 * to every L4 node, each watched by BFD; from them it takes the service /32s and nothing else,
 * and installs each as one equal-cost multipath route into the kernel, a next hop per L4 node
 * that announces it. The kernel then spreads flows over the L4 nodes by hash (with
 * `net.ipv4.fib_multipath_hash_policy=1` on ports too: `routerSysctls`).
 *
 * What the config assumes:
 * - Every L4 node is directly connected (same segment): BGP and BFD are single-hop and the BGP
 *   next hop is the node's own address, so no `protocol direct` or IGP is needed.
 * - The sessions are external BGP: the L4 nodes have AS numbers other than the router's (one
 *   shared AS or one each: BIRD merges paths of equal AS-path length, and an L4 node's route has
 *   a path of one AS).
 * - Clients reach the router by means outside this file: an upstream router with ECMP routes to
 *   every router, or a VRRP gateway address the routers share; either way packets for a service
 *   address arrive here and are forwarded (`net.ipv4.ip_forward=1`). The router announces
 *   nothing to the L4 nodes (`export none`).
 */
import type { ErrorLocation } from "../errors";
import { assertIntegerInRange } from "../model/config-text";
import {
  type BirdBgpPeer,
  type BirdSpeakerConfig,
  bfdProtocolLines,
  bgpPeerLines,
  bgpTemplateLines,
  checkSpeaker,
  deviceProtocolLines,
  logLines,
  SERVICE_SET,
  serviceSetLines,
} from "./bird-text";
import { generatedHeader, indent, lines } from "./text";

/** A router's BIRD config; `serviceAddresses` are the only routes taken from the L4 nodes. */
export interface BirdRouterConfig extends BirdSpeakerConfig {
  /** One session per L4 node; protocols are named `l4_<name>`. */
  readonly l4Nodes: readonly BirdBgpPeer[];
  /**
   * Most next hops of one ECMP route (`merge paths yes limit N`); L4 nodes beyond it take no
   * traffic from this router.
   * @default 16 - BIRD's default
   */
  readonly maxPaths?: number;
}

const WHERE = "BIRD router config";

/** The protocol name of the session to an L4 node, as `birdc show protocols` prints it. */
export function l4SessionName(peer: Pick<BirdBgpPeer, "name">): string {
  return `l4_${peer.name}`;
}

/**
 * Renders the router's bird.conf. Pure: the same input always gives the same text.
 * @param where - where errors point (the construct that deploys the router)
 */
export function renderBirdRouterConf(config: BirdRouterConfig, where: ErrorLocation = WHERE): string {
  const services = checkSpeaker(where, config, config.l4Nodes, "L4 nodes", "L4 node");
  const maxPaths = assertIntegerInRange(where, "maxPaths", config.maxPaths ?? 16, 1, 256);
  return lines(
    generatedHeader("#"),
    "# BIRD 2 on an L3 router: service /32s learned from the L4 nodes over BGP, installed as ECMP routes.",
    ...logLines(),
    `router id ${config.routerId};`,
    "",
    "# The service addresses: the only routes taken from the L4 nodes.",
    serviceSetLines(services),
    "",
    "# A service address announced by the L4 node itself: an AS path of one AS, so that the",
    "# routes of all L4 nodes are equal and merge into one multipath route.",
    "filter l4_import {",
    ...indent([`if net ~ ${SERVICE_SET} && bgp_path.len = 1 then accept;`, "reject;"]),
    "}",
    "",
    "filter kernel_export {",
    ...indent([`if source = RTS_BGP && net ~ ${SERVICE_SET} then accept;`, "reject;"]),
    "}",
    "",
    deviceProtocolLines(),
    "",
    bfdProtocolLines(where, config.bfd),
    "",
    "# One route per service address into the kernel, with a next hop per L4 node announcing it",
    "# (merge paths: equal BGP routes become one ECMP route). Nothing is learned from the kernel.",
    "protocol kernel {",
    ...indent([
      "ipv4 {",
      ...indent(["import none;", "export filter kernel_export;"]),
      "};",
      `merge paths yes limit ${maxPaths};`,
    ]),
    "}",
    "",
    bgpTemplateLines(where, "to_l4", {
      localAsn: config.localAsn,
      passive: config.passive,
      timers: config.bgp,
      channel: ["import filter l4_import;", "export none;"],
    }),
    bgpPeerLines(where, "L4 node", {
      prefix: "l4_",
      template: "to_l4",
      localAsn: config.localAsn,
      peers: config.l4Nodes,
    }),
  );
}

/**
 * Sysctls of a router: it forwards, hashes flows over the next hops of an ECMP route by
 * addresses and ports (policy 1, layer 4: the flows of one client spread over the L4 nodes), and
 * skips a next hop whose neighbor entry failed before BFD has taken its route away.
 */
export function routerSysctls(): Record<string, string> {
  return {
    "net.ipv4.ip_forward": "1",
    "net.ipv4.fib_multipath_hash_policy": "1",
    "net.ipv4.fib_multipath_use_neigh": "1",
  };
}
