import type { Spread } from "../../model/placement";
import type { ISegment } from "../../platforms/segment";
import type { IBackendPool } from "../parts/backend-pool";
import type { HaproxyOptions } from "../parts/haproxy-proxy";
import type { VrrpOptions } from "../parts/vrrp-options";

/** How the L4 nodes hand a flow to an L7 node. */
export enum L4Forwarding {
  /**
   * IP-in-IP tunnel (IPVS `tun`): the L7 node holds the service address on its tunnel interface
   * and answers the client directly; the L4 nodes see only the requests. Works across segments
   * and keeps the L4 tier's load to one direction.
   */
  TUNNEL = "tunnel",
  /**
   * Direct return (IPVS `dr`): the frame is sent to the L7 node's MAC; the L7 node holds the
   * service address on loopback and must not answer ARP for it. L4 and L7 share a segment.
   */
  DIRECT = "direct",
  /**
   * NAT (IPVS `nat`): the L4 node rewrites the destination and the replies must come back
   * through it, so the L7 nodes route via the L4 nodes; a flow ECMP moves to another L4 node
   * loses its return path.
   */
  NAT = "nat",
}

/** BFD timers on every router-L4 session. */
export interface BfdOptions {
  /**
   * Transmit and receive interval.
   * @default 100 - a silent L4 node is detected after 3 × 100 ms = 0.3 s
   */
  readonly intervalMs?: number;
  /**
   * Missed packets before the session goes down.
   * @default 3
   */
  readonly multiplier?: number;
}

/** Properties of a ThreeTierLoadBalancer. */
export interface ThreeTierLoadBalancerProps extends HaproxyOptions {
  /** Where the L7 nodes send requests; on the tier's platform. */
  readonly backends: IBackendPool;
  /**
   * Service addresses clients connect to: /32s outside every segment, announced by every healthy
   * L4 node (anycast). Ignored where a managed load balancer stands in for the L3 and L4 tiers.
   * @default - one address from 198.51.100.0/24 (TEST-NET-2) on Docker
   */
  readonly serviceAddresses?: readonly string[];
  /**
   * Ports the service listens on, on every service address.
   * @default [80]
   */
  readonly ports?: readonly number[];
  /**
   * Routers spreading flows over the L4 nodes by ECMP.
   * @default 2 - the fewest that survive the loss of one
   */
  readonly routers?: number;
  /**
   * L4 nodes (IPVS, Maglev hashing, no shared state).
   * @default 2 - the fewest that survive the loss of one
   */
  readonly l4Nodes?: number;
  /**
   * L7 nodes (HAProxy).
   * @default 2 - the fewest that survive the loss of one
   */
  readonly l7Nodes?: number;
  /**
   * How L4 nodes hand flows to L7 nodes.
   * @default L4Forwarding.TUNNEL - replies skip the L4 tier and L7 nodes need no shared segment
   */
  readonly forwarding?: L4Forwarding;
  /**
   * BFD timers of the router-L4 sessions.
   * @default - 100 ms × 3
   */
  readonly bfd?: BfdOptions;
  /**
   * How the routers share the clients' gateway address (keepalived VRRP, as the VIP pair's
   * nodes share theirs): advert interval, priorities, preemption. The router-loss prediction
   * follows the advert interval. On hosts that are often CPU-bound (or virtualized without
   * acceleration), raise `advertIntervalMs` so that a slow keepalived does not force elections.
   * @default - VRRPv3, adverts every 100 ms, the first router preferred
   */
  readonly gateway?: VrrpOptions;
  /**
   * AS number of the routers, and of the L4 nodes (one AS each side: eBGP).
   * @default - from the platform's private AS pool
   */
  readonly routerAs?: number;
  readonly l4As?: number;
  /**
   * How each tier's nodes are spread over the platform's failure domains.
   * @default Spread.even()
   */
  readonly spread?: Spread;
  /**
   * The segment the tiers attach to.
   * @default - the platform's default segment
   */
  readonly segment?: ISegment;
}

/** Props that configure the self-run L3 and L4 tiers, refused where a managed balancer stands in. */
export const SELF_RUN_L3L4_PROPS = [
  "serviceAddresses",
  "routers",
  "l4Nodes",
  "forwarding",
  "bfd",
  "gateway",
  "routerAs",
  "l4As",
] as const;
