/**
 * Statements shared by the BIRD 2 configs of routers and L4 nodes: the service prefix set, the
 * BFD protocol, the timers of a BGP template and the sessions themselves. Every value has passed
 * a guard of `model/bgp` before it gets here: numbers, dotted quads and BIRD symbols only.
 */
import { type ErrorLocation, invalid } from "../errors";
import {
  assertAsn,
  assertBfdTimers,
  assertBgpTimers,
  assertBirdName,
  assertDistinct,
  assertRouterId,
  assertServiceAddress,
  assertUnicastIpv4,
  type BfdTimers,
  type BgpTimers,
} from "../model/bgp";
import { indent } from "./text";

/** One BGP session: the peer at the other end. */
export interface BirdBgpPeer {
  /**
   * Names the session: the protocol is `l4_<name>` on a router and `router_<name>` on an L4 node,
   * as `birdc show protocols` lists it. Letters, digits and '_'.
   */
  readonly name: string;
  /** The peer's address: directly connected (single-hop BGP and BFD), e.g. "198.18.0.11". */
  readonly address: string;
  /** The peer's AS number; must differ from the local one (the sessions are external BGP). */
  readonly asn: number;
  /**
   * The local address the session runs from (`source address`).
   * @default - the address of the interface the route to the peer leaves by
   */
  readonly localAddress?: string;
}

/** What a router's and an L4 node's BIRD configs share. */
export interface BirdSpeakerConfig {
  /** BGP router id: a dotted quad unique among the routers and L4 nodes, e.g. the host's address. */
  readonly routerId: string;
  /** The host's AS number (private recommended: 64512-65534, 4200000000-4294967294). */
  readonly localAsn: number;
  /** The service addresses (anycast /32s). */
  readonly serviceAddresses: readonly string[];
  /** BFD timers of every session (both ends should match). */
  readonly bfd: BfdTimers;
  /** BGP timers of every session. */
  readonly bgp: BgpTimers;
  /**
   * true: the host only accepts its peers' connections, so they must be active.
   * false: both sides connect, and a session comes back as soon as either side retries.
   */
  readonly passive: boolean;
}

/**
 * Checks what both configs share (router id, AS number, service addresses) and that there is at
 * least one peer; returns the service addresses without "/32".
 */
export function checkSpeaker(
  where: ErrorLocation,
  config: BirdSpeakerConfig,
  peers: readonly BirdBgpPeer[],
  peersWhat: string,
  peerWord: string,
): string[] {
  assertRouterId(where, "router id", config.routerId);
  assertAsn(where, "local AS number", config.localAsn);
  const services = checkServiceAddresses(where, config.serviceAddresses);
  if (!Array.isArray(peers) || peers.length === 0) {
    invalid(where, peersWhat, peers, `give at least one ${peerWord} to peer with`);
  }
  return services;
}

/** Name of the prefix set of the service addresses in both configs. */
export const SERVICE_SET = "SERVICE_PREFIXES";

/** The service addresses, checked (unicast IPv4, each once) and without "/32". */
export function checkServiceAddresses(where: ErrorLocation, addresses: readonly string[]): string[] {
  if (!Array.isArray(addresses) || addresses.length === 0) {
    invalid(where, "service addresses", addresses, "give at least one service address");
  }
  const checked = addresses.map((a) => assertServiceAddress(where, "service address", a));
  assertDistinct(where, "service address", checked);
  return checked;
}

/** `define SERVICE_PREFIXES = [ a/32, b/32 ];` of addresses that passed `checkServiceAddresses`. */
export function serviceSetLines(addresses: readonly string[]): string[] {
  return [`define ${SERVICE_SET} = [ ${addresses.map((a) => `${a}/32`).join(", ")} ];`];
}

/** `protocol device`, which BGP needs to resolve next hops on interfaces. */
export function deviceProtocolLines(): string[] {
  return [
    "# Interfaces and their addresses: BGP and BFD follow them to reach the directly connected peers.",
    "protocol device {",
    ...indent(["scan time 10;"]),
    "}",
  ];
}

/**
 * Where BIRD logs, and what: everything to standard error (a container's log, the drill lab's
 * host log), stamped to the millisecond with the UTC offset (the three tiers' drill reads the
 * routers' session changes from it: `drill/three-tier/bird-log.ts`), and every protocol's state
 * changes; BFD also logs each session's changes (`events`), the first sign of a silent peer.
 * Without a `log` statement BIRD logs to syslog, which a container does not have: a BGP session
 * lost to BFD would leave no trace.
 */
export function logLines(): string[] {
  return [
    "# Logs to standard error (the container's log), stamped to the millisecond with the zone: every",
    "# protocol's state changes, and each BFD session's (see protocol bfd).",
    "log stderr all;",
    'timeformat log "%F %T.%3f %z";',
    "debug protocols { states };",
  ];
}

/** `protocol bfd` with the session timers on every interface (sessions are single-hop). */
export function bfdProtocolLines(where: ErrorLocation, timers: BfdTimers): string[] {
  assertBfdTimers(where, timers);
  return [
    `# BFD: a peer that sends nothing for ${timers.intervalMs * timers.multiplier} ms (${timers.multiplier} × ${timers.intervalMs} ms) takes its BGP session down.`,
    "protocol bfd {",
    ...indent([
      "debug { states, events };",
      'interface "*" {',
      ...indent([`interval ${timers.intervalMs} ms;`, `multiplier ${timers.multiplier};`]),
      "};",
    ]),
    "}",
  ];
}

/** The options of a BGP template: local AS, passive, timers, BFD, then the channel lines. */
export function bgpTemplateLines(
  where: ErrorLocation,
  template: string,
  options: {
    readonly localAsn: number;
    readonly passive: boolean;
    readonly timers: BgpTimers;
    readonly channel: readonly string[];
  },
): string[] {
  assertAsn(where, "local AS number", options.localAsn);
  assertBgpTimers(where, options.timers);
  if (typeof options.passive !== "boolean") {
    invalid(where, "passive", options.passive, "use true or false");
  }
  const t = options.timers;
  return [
    `template bgp ${template} {`,
    ...indent([
      `local as ${options.localAsn};`,
      options.passive
        ? "# Passive: waits for the peer to connect (the peer must not be passive too)."
        : "# Active: connects to the peer and accepts its connection (BGP keeps one of the two).",
      `passive ${options.passive ? "yes" : "no"};`,
      `hold time ${t.holdTimeSeconds};`,
      `keepalive time ${t.keepaliveSeconds};`,
      "# A peer that comes back is connected again within seconds, not BIRD's default minutes.",
      `connect delay time ${t.connectRetrySeconds};`,
      `connect retry time ${t.connectRetrySeconds};`,
      `error wait time ${t.errorWaitMinSeconds}, ${t.errorWaitMaxSeconds};`,
      "bfd on;",
      "ipv4 {",
      ...indent(options.channel),
      "};",
    ]),
    "}",
  ];
}

/** One `protocol bgp <prefix><name> from <template>` per peer, each a different peer. */
export function bgpPeerLines(
  where: ErrorLocation,
  what: string,
  options: {
    readonly prefix: string;
    readonly template: string;
    readonly localAsn: number;
    readonly peers: readonly BirdBgpPeer[];
  },
): string[] {
  if (!Array.isArray(options.peers) || options.peers.length === 0) {
    invalid(where, what, options.peers, `give at least one ${what}`);
  }
  for (const peer of options.peers) {
    assertBirdName(where, `${what} name`, peer.name);
    assertUnicastIpv4(where, `${what} address`, peer.address);
    assertAsn(where, `${what} AS number`, peer.asn);
    if (peer.asn === options.localAsn) {
      invalid(
        where,
        `${what} AS number`,
        peer.asn,
        `use an AS number other than the local one (${options.localAsn}): the sessions are external BGP`,
      );
    }
    if (peer.localAddress !== undefined) assertUnicastIpv4(where, `${what} local address`, peer.localAddress);
  }
  assertDistinct(where, `${what} name`, options.peers, (p) => p.name);
  assertDistinct(where, `${what} address`, options.peers, (p) => p.address);
  return options.peers.flatMap((peer) => [
    "",
    `protocol bgp ${options.prefix}${peer.name} from ${options.template} {`,
    ...indent([
      `neighbor ${peer.address} as ${peer.asn};`,
      ...(peer.localAddress !== undefined ? [`source address ${peer.localAddress};`] : []),
    ]),
    "}",
  ]);
}
