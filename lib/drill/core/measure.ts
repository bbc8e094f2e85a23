/**
 * Pure measurements over what a drill client recorded, whatever the topology: requests by outcome,
 * failover to another answering node, restoration, the longest gap; and spreads over runs. All
 * times are monotonic milliseconds; results are in seconds.
 */
import type { ProbeRecord } from "../clients/client";

/** Requests of a window, by outcome. */
export interface RequestCounts {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  /** Failed requests by kind (refused, timeout, reset, unreachable, http-5xx, ...). */
  readonly errors: Readonly<Record<string, number>>;
  /** Successful requests per answering node. */
  readonly answeredBy: Readonly<Record<string, number>>;
}

export function roundSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** Counts requests by outcome and by answering node. */
export function countRequests(records: readonly ProbeRecord[]): RequestCounts {
  const errors: Record<string, number> = {};
  const answeredBy: Record<string, number> = {};
  let ok = 0;
  for (const r of records) {
    if (r.outcome === "ok") {
      ok++;
      const by = r.answeredBy ?? "(none)";
      answeredBy[by] = (answeredBy[by] ?? 0) + 1;
    } else errors[r.outcome] = (errors[r.outcome] ?? 0) + 1;
  }
  return { sent: records.length, ok, failed: records.length - ok, errors, answeredBy };
}

/**
 * Seconds from `faultMs` until the first successful request answered by a node other than
 * `oldNode` (service has moved and serves); null when none did.
 */
export function failoverSeconds(
  records: readonly ProbeRecord[],
  faultMs: number,
  oldNode: string,
): number | null {
  let first: number | undefined;
  for (const r of records) {
    if (r.outcome !== "ok" || r.endMs < faultMs) continue;
    if (r.answeredBy === undefined || r.answeredBy === oldNode) continue;
    if (first === undefined || r.endMs < first) first = r.endMs;
  }
  return first === undefined ? null : roundSeconds(first - faultMs);
}

/**
 * Seconds from `faultMs` until service was back for good: the end of the first successful
 * request after the last failed one (among requests started after the fault). 0 when no request
 * failed; null when the last request failed.
 */
export function restoredSeconds(records: readonly ProbeRecord[], faultMs: number): number | null {
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
export function longestGapSeconds(records: readonly ProbeRecord[], fromMs: number, toMs: number): number {
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
