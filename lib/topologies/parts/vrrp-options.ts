/** VRRP protocol version. */
export enum VrrpVersion {
  /** RFC 3768: whole-second advert intervals. */
  V2 = 2,
  /** RFC 5798: advert intervals in centiseconds, so sub-second failover. */
  V3 = 3,
}

/** Commands keepalived runs on state changes, each an argument vector. */
export interface VrrpNotifyCommands {
  /** @default - none */
  readonly master?: string[];
  /** @default - none */
  readonly backup?: string[];
  /** @default - none */
  readonly fault?: string[];
  /** @default - none */
  readonly stop?: string[];
}

/** How a group of nodes elects the holder of its floating addresses (keepalived VRRP). */
export interface VrrpOptions {
  /**
   * VRRP version.
   * @default VrrpVersion.V3 - allows sub-second advert intervals
   */
  readonly vrrpVersion?: VrrpVersion;
  /**
   * Interval between VRRP adverts of the master. A backup takes over after 3 missed adverts
   * plus a skew of (256 − priority)/256 adverts.
   * @default 100 - node loss fails over in at most 0.361 s (3 × 100 ms + 61 ms skew at priority
   * 100). Measured with the drill on a 2-core host (5 runs each, median / max): 100 ms gave
   * 0.364 / 0.382 s idle and 0.347 / 0.392 s with both cores busy; 150 ms gave 0.472 / 0.476 s idle
   * and 0.534 / 0.752 s busy, over half a second. The price: keepalived must run within 0.36 s of
   * each advert. No false failover in 300 s idle, nor in 120 s with both cores saturated by busy
   * loops; one spurious takeover in 120 s when drills ran on top of the busy loops. Raise it on
   * hosts that are often CPU-bound. VRRPv2 needs whole seconds.
   */
  readonly advertIntervalMs?: number;
  /**
   * VRRP priority of each node (1-254, all different); the highest holds the VIP.
   * @default - 150 for the first node, then 100, 90, 80, ...: the gap to 150 leaves room for
   * weighted track scripts, and distinct values make the election deterministic
   */
  readonly priorities?: number[];
  /**
   * Whether a higher-priority node takes the VIP back when it returns. false renders
   * `nopreempt` (every node then starts as BACKUP): the VIP stays where it is until that node fails.
   * @default true - the preferred node carries traffic whenever it is healthy
   */
  readonly preempt?: boolean;
  /**
   * Seconds a returning higher-priority node waits before it takes the VIP back.
   * @default 10 - a restarted node first passes its own backend checks (2 × 1 s) and settles;
   * a flapping node does not drag the VIP back and forth
   */
  readonly preemptDelaySeconds?: number;
  /**
   * Send VRRP adverts by unicast to the peers instead of multicast.
   * @default - false where the network carries multicast (Docker), true where it does not (clouds)
   */
  readonly unicast?: boolean;
  /**
   * Milliseconds a node that became MASTER waits for another node to answer an ARP probe for
   * the address (duplicate address detection, `arping -D`) before it adds the address. While one
   * answers, the node adds nothing and probes again every advert interval: in a partition that
   * loses the adverts but not ARP, the clients stay with the holder instead of following the new
   * master's gratuitous ARP (split brain). Only for addresses moved by gratuitous ARP; 0 lets
   * keepalived add the address at once (no guard). Not a guard against a partition that also
   * cuts ARP: then both sides hold the address, as without it.
   * @default 50 where addresses move by gratuitous ARP (else 0) - measured with the drill: no client
   * left the master during a 6 s cut (3 of 3 runs; without the probe both nodes held the VIP),
   * for 50 ms more per takeover (node loss 0.394 / 0.437 / 0.453 s instead of 0.297 / 0.364 /
   * 0.382 s); a reply on a LAN takes under 20 ms including starting arping
   */
  readonly addressProbeMs?: number;
  /**
   * Commands keepalived runs on state changes, in addition to the built-in state log.
   * @default - none
   */
  readonly notify?: VrrpNotifyCommands;
}

/** keepalived's name of the VRRP instance of a router id. */
export function instanceName(virtualRouterId: number): string {
  return `VI_${virtualRouterId}`;
}

/** 150, then 100, 90, 80, ... */
export function defaultPriorities(count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 150 : 100 - (i - 1) * 10));
}
