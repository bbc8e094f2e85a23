/**
 * The timeline of which nodes held the VIP (from the VIP watch), replayed: who held it at a
 * moment, and when two live nodes held it at once. Times are monotonic milliseconds.
 */
import { roundSeconds } from "../core/measure";

/** A change seen on one load-balancer node: VIP added/removed, or its link set up/down. */
export interface NodeEvent {
  readonly t: number;
  readonly host: string;
  /** The VIP is (true) or is no longer (false) on the node's interface. */
  readonly holdsVip?: boolean;
  /** The node's link went up (true) or down (false). */
  readonly linkUp?: boolean;
}

/** Time during which two or more live nodes held the VIP at once. */
export interface DuplicateVip {
  readonly detected: boolean;
  /** Total overlap. */
  readonly seconds: number;
  /** The longest single overlap (a VRRP handover overlaps for milliseconds). */
  readonly longestSeconds: number;
  /** Hosts involved in any overlap. */
  readonly hosts: readonly string[];
  /** Overlaps: start offset from `fromMs` and duration, seconds. */
  readonly intervals: ReadonlyArray<{ readonly atSeconds: number; readonly seconds: number }>;
}

/**
 * Replays node events and returns the overlaps in [fromMs, toMs] where two or more nodes with
 * their link up held the VIP. A node's state before its first event is "no VIP, link up".
 */
export function duplicateVip(events: readonly NodeEvent[], fromMs: number, toMs: number): DuplicateVip {
  const state = new Map<string, { holds: boolean; up: boolean }>();
  const sorted = [...events].sort((a, b) => a.t - b.t);
  const intervals: Array<{ atSeconds: number; seconds: number }> = [];
  const hosts = new Set<string>();
  let openSince: number | undefined;
  let openHosts = new Set<string>();
  const holders = () => [...state.entries()].filter(([, s]) => s.holds && s.up).map(([h]) => h);
  const close = (t: number) => {
    if (openSince === undefined) return;
    const from = Math.max(openSince, fromMs);
    const to = Math.min(t, toMs);
    if (to > from) {
      intervals.push({ atSeconds: roundSeconds(from - fromMs), seconds: roundSeconds(to - from) });
      for (const h of openHosts) hosts.add(h);
    }
    openSince = undefined;
    openHosts = new Set();
  };
  for (const e of sorted) {
    if (e.t > toMs) break;
    const s = state.get(e.host) ?? { holds: false, up: true };
    state.set(e.host, {
      holds: e.holdsVip ?? s.holds,
      up: e.linkUp ?? s.up,
    });
    const now = holders();
    if (now.length >= 2) {
      if (openSince === undefined) openSince = e.t;
      for (const h of now) openHosts.add(h);
    } else close(e.t);
  }
  close(toMs);
  const seconds = roundSeconds(intervals.reduce((sum, i) => sum + i.seconds * 1000, 0));
  const longestSeconds = intervals.reduce((m, i) => Math.max(m, i.seconds), 0);
  return { detected: intervals.length > 0, seconds, longestSeconds, hosts: [...hosts].sort(), intervals };
}

/** Which live nodes hold the VIP at time `t`. */
export function holdersAt(events: readonly NodeEvent[], t: number): string[] {
  const state = new Map<string, { holds: boolean; up: boolean }>();
  for (const e of [...events].sort((a, b) => a.t - b.t)) {
    if (e.t > t) break;
    const s = state.get(e.host) ?? { holds: false, up: true };
    state.set(e.host, { holds: e.holdsVip ?? s.holds, up: e.linkUp ?? s.up });
  }
  return [...state.entries()]
    .filter(([, s]) => s.holds && s.up)
    .map(([h]) => h)
    .sort();
}
