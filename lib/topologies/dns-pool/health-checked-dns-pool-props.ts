import type { AllUnhealthy } from "../../model/all-unhealthy";
import type { DnsAnswerSelection } from "../../model/dns-answer-selection";
import type { DnsZone } from "../../model/dns-zone";
import type { IEndpoint } from "../../model/endpoint";
import type { HealthCheck } from "../../model/health-check";
import type { Spread } from "../../model/placement";
import type { ISegment } from "../../platforms/segment";
import type { IBackendPool } from "../parts/backend-pool";
import type { HaproxyOptions } from "../parts/haproxy-proxy";

/**
 * Properties of a HealthCheckedDnsPool. The members are either the pool's own HAProxy nodes in
 * front of `backends` (the usual case: give `backends`, and `nodeCount` and the HAProxy options
 * apply), or `endpoints` made elsewhere (VIP pairs' `asEndpoint()`, `fixedEndpoint(...)`).
 */
export interface HealthCheckedDnsPoolProps extends HaproxyOptions {
  /**
   * The zone the name lives in; a string is `DnsZone.create(name)`.
   */
  readonly zone: DnsZone | string;
  /**
   * The name relative to the zone ("www"), or "@" for the zone's apex.
   * @default - the construct id in lower case
   */
  readonly recordName?: string;
  /**
   * How long resolvers and clients may cache an answer, 1-3600 s.
   * @default 5 - a removed member stays in caches for at most 5 s more, while resolvers still
   * absorb repeated lookups
   */
  readonly ttlSeconds?: number;
  /**
   * What the pool's own HAProxy nodes balance over; give this or `endpoints`.
   * @default - none: `endpoints` are the members
   */
  readonly backends?: IBackendPool;
  /**
   * Number of the pool's own HAProxy nodes (with `backends`), each a member with its own address.
   * @default 2 - the fewest that survive the loss of one
   */
  readonly nodeCount?: number;
  /**
   * Port clients connect to on each own node (with `backends`).
   * @default 80
   */
  readonly listenerPort?: number;
  /**
   * Members made elsewhere; give this or `backends`.
   * @default - none: the pool's own nodes are the members
   */
  readonly endpoints?: readonly IEndpoint[];
  /**
   * How the DNS checker probes each member. Its interval must be one the platform's checker offers
   * (whole seconds on Docker's PowerDNS, 10 s or 30 s on Route 53).
   * @default - own nodes: an HTTP GET of the nodes' health endpoint (`/ha-health` on `healthPort`),
   * which fails while HAProxy is down or has no backend up, at the platform's shortest interval
   * from 1 s (1 s on Docker, 10 s on Route 53); endpoints: each endpoint's own check
   */
  readonly healthCheck?: HealthCheck;
  /**
   * How many healthy members an answer holds and how they are picked.
   * @default DnsAnswerSelection.all() - every client sees every healthy member and can try the
   * next address by itself when one fails
   */
  readonly selection?: DnsAnswerSelection;
  /**
   * What the name answers when no member passes its check. Required: failing open keeps a
   * service up when only the checker is cut off, failing closed keeps clients off dead
   * addresses, and only the service's owner knows which matters more.
   */
  readonly allUnhealthy: AllUnhealthy;
  /**
   * Name servers to run where the platform runs its own (PowerDNS on Docker), each its own
   * failure unit; refused where the servers are managed (Route 53).
   * @default 2 - resolvers go on to the second server when one is down
   */
  readonly dnsServers?: number;
  /**
   * How the own nodes are spread over the platform's failure domains.
   * @default Spread.even() - node i in domain i mod n
   */
  readonly spread?: Spread;
  /**
   * The segment the own nodes and the name servers attach to.
   * @default - the platform's default segment
   */
  readonly segment?: ISegment;
}

/** Props for the own nodes only, refused with `endpoints`. */
export const OWN_NODE_PROPS = [
  "nodeCount",
  "listenerPort",
  "spread",
  "mode",
  "balance",
  "stickiness",
  "healthPort",
  "statsPort",
  "maxConnections",
  "retries",
  "passiveErrorLimit",
] as const;
