/**
 * Pure measurements over what a drill recorded: the client's requests and the timeline of which
 * node held the VIP. All times are monotonic milliseconds; results are in seconds.
 */
import type { RequestOutcome, RequestRecord } from "./client";

/** Requests of a window, by outcome. */
export interface RequestCounts {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  /** Failed requests by kind (refused, timeout, reset, unreachable, http-5xx, ...). */
  readonly errors: Readonly<Partial<Record<RequestOutcome, number>>>;
  /** Successful requests per `X-Load-Balancer`. */
  readonly answeredBy: Readonly<Record<string, number>>;
}

export function roundSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** Counts requests by outcome and by answering load balancer. */
export function countRequests(records: readonly RequestRecord[]): RequestCounts {
  const errors: Partial<Record<RequestOutcome, number>> = {};
  const answeredBy: Record<string, number> = {};
  let ok = 0;
  for (const r of records) {
    if (r.outcome === "ok") {
      ok++;
      const lb = r.loadBalancer ?? "(none)";
      answeredBy[lb] = (answeredBy[lb] ?? 0) + 1;
    } else errors[r.outcome] = (errors[r.outcome] ?? 0) + 1;
  }
  return { sent: records.length, ok, failed: records.length - ok, errors, answeredBy };
}

/**
 * Seconds from `faultMs` until the first successful request answered by a load balancer other
 * than `oldLoadBalancer` (the VIP has moved and serves); null when none did.
 */
export function failoverSeconds(
  records: readonly RequestRecord[],
  faultMs: number,
  oldLoadBalancer: string,
): number | null {
  let first: number | undefined;
  for (const r of records) {
    if (r.outcome !== "ok" || r.endMs < faultMs) continue;
    if (r.loadBalancer === undefined || r.loadBalancer === oldLoadBalancer) continue;
    if (first === undefined || r.endMs < first) first = r.endMs;
  }
  return first === undefined ? null : roundSeconds(first - faultMs);
}

/**
 * Seconds from `faultMs` until service was back for good: the end of the first successful
 * request after the last failed one (among requests started after the fault). 0 when no request
 * failed; null when the last request failed.
 */
export function restoredSeconds(records: readonly RequestRecord[], faultMs: number): number | null {
  const after = records.filter((r) => r.startMs >= faultMs || r.endMs >= faultMs);
  const failed = after.filter((r) => r.outcome !== "ok");
  if (failed.length === 0) return 0;
  const lastFailStart = Math.max(...failed.map((r) => r.startMs));
  const okAfter = after.filter((r) => r.outcome === "ok" && r.startMs > lastFailStart);
  if (okAfter.length === 0) return null;
  return roundSeconds(Math.min(...okAfter.map((r) => r.endMs)) - faultMs);
}

/**
 * The longest time, in seconds, between two consecutive successful answers within
 * [fromMs, toMs] (the window's edges count as answers, so an outage at either edge shows).
 */
export function longestGapSeconds(records: readonly RequestRecord[], fromMs: number, toMs: number): number {
  const ends = records
    .filter((r) => r.outcome === "ok" && r.endMs >= fromMs && r.endMs <= toMs)
    .map((r) => r.endMs)
    .sort((a, b) => a - b);
  let previous = fromMs;
  let longest = 0;
  for (const t of [...ends, toMs]) {
    longest = Math.max(longest, t - previous);
    previous = t;
  }
  return roundSeconds(longest);
}

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

/** Min, median and max of the values that are numbers; null fields when there are none. */
export interface Spread {
  readonly min: number | null;
  readonly median: number | null;
  readonly max: number | null;
  readonly n: number;
}

export function spread(values: ReadonlyArray<number | null | undefined>): Spread {
  const xs = values
    .filter((v): v is number => typeof v === "number" && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (xs.length === 0) return { min: null, median: null, max: null, n: 0 };
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
  return {
    min: xs[0] as number,
    median: Math.round(median * 1000) / 1000,
    max: xs[xs.length - 1] as number,
    n: xs.length,
  };
}
