/**
 * What became of kept-alive connections across a fault, read from a connection client's records:
 * which were established when it struck, which a failure ended afterwards, which carried answers
 * after it and to the end, and how long the survivors stalled (a retransmit shows as a slow
 * answer, not a failure).
 */
import type { ProbeRecord } from "./client";

export interface ConnectionFates {
  /** Connections that had answered, and not failed, before the fault. */
  readonly established: number;
  /** Of those, the ones a failure ended after the fault (idled-out ones excepted). */
  readonly broken: number;
  /**
   * Of those, the ones their own node closed once it had heard nothing on them for its idle limit
   * (a client starved between requests, or a request held up longer than the limit).
   */
  readonly idledOut: number;
  /** The longest a broken connection went from its last answer to its failure, in seconds. */
  readonly longestIdleBeforeBreakSeconds: number;
  /** Of those, the ones answered after the fault and never failed up to the end. */
  readonly survived: number;
  /** Established ones with no request after the fault (neither broken nor shown to survive). */
  readonly unexercised: number;
  /** Survivors answered after the fault by another node than before (should be none). */
  readonly changedNode: number;
  /** The longest wait for an answer on a survivor after the fault, in seconds. */
  readonly longestStallSeconds: number;
  /** New connections opened after the fault, and how many of them failed. */
  readonly opened: number;
  readonly openFailed: number;
  /** How the broken ones ended (`reset`, `closed`, `timeout`, ...). */
  readonly brokenBy: Readonly<Record<string, number>>;
  /** Per node that answered before the fault: established, broken. */
  readonly byNode: Readonly<Record<string, { readonly established: number; readonly broken: number }>>;
  /**
   * The broken ones (at most `MAX_BROKEN_LISTED`, the earliest failures first): when the request
   * that failed began and ended, in seconds from the fault, how it ended and which node had
   * answered the connection. Set beside the path's changes, these tell a request that was on its
   * way when the path changed from one that met the changed path.
   */
  readonly brokenTimes: readonly BrokenConnection[];
}

/** One broken connection's failing request (see `ConnectionFates.brokenTimes`). */
export interface BrokenConnection {
  readonly connection: number;
  readonly node: string;
  readonly outcome: string;
  /** Seconds from the fault (negative before it). */
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/** How many broken connections `brokenTimes` lists. */
export const MAX_BROKEN_LISTED = 12;

interface Track {
  before: ProbeRecord[];
  after: ProbeRecord[];
}

function byConnection(records: readonly ProbeRecord[], faultMs: number, endMs: number) {
  const tracks = new Map<number, Track>();
  for (const r of records) {
    if (r.connection === undefined || r.outcome === "busy" || r.startMs > endMs) continue;
    const t = tracks.get(r.connection) ?? { before: [], after: [] };
    (r.endMs < faultMs ? t.before : t.after).push(r);
    tracks.set(r.connection, t);
  }
  return tracks;
}

/**
 * The fates of the connections in `records` across a fault at `faultMs`, up to `endMs`. A
 * connection closed `idleLimitMs` or more after its last answer was closed by its node's idle
 * timeout: it counts as idled out, not broken.
 */
export function connectionFates(
  records: readonly ProbeRecord[],
  faultMs: number,
  endMs: number,
  idleLimitMs = Number.POSITIVE_INFINITY,
): ConnectionFates {
  let established = 0;
  let broken = 0;
  let idledOut = 0;
  let longestIdleMs = 0;
  let survived = 0;
  let unexercised = 0;
  let changedNode = 0;
  let longestStallMs = 0;
  let opened = 0;
  let openFailed = 0;
  const brokenBy: Record<string, number> = {};
  const byNode: Record<string, { established: number; broken: number }> = {};
  const brokenTimes: BrokenConnection[] = [];
  const secondsFrom = (ms: number) => Math.round(ms - faultMs) / 1000;
  for (const [connection, t] of byConnection(records, faultMs, endMs)) {
    const last = t.before[t.before.length - 1];
    if (last?.outcome !== "ok") {
      const first = t.after[0];
      if (first?.opened) {
        opened++;
        if (t.after.some((r) => r.outcome !== "ok")) openFailed++;
      }
      continue;
    }
    established++;
    const node = last.answeredBy ?? "?";
    const counts = byNode[node] ?? { established: 0, broken: 0 };
    counts.established++;
    byNode[node] = counts;
    const failure = t.after.find((r) => r.outcome !== "ok");
    // The node last heard from the client when it answered; a close `idleLimitMs` after that is
    // its idle timeout (the request that found it closed never reached it, or came too late).
    const silentMs = failure ? failure.endMs - failure.startMs + (failure.idleMs ?? 0) : 0;
    if (failure?.outcome === "closed" && silentMs >= idleLimitMs) {
      idledOut++;
      continue;
    }
    if (failure) {
      longestIdleMs = Math.max(longestIdleMs, silentMs);
      broken++;
      counts.broken++;
      brokenBy[failure.outcome] = (brokenBy[failure.outcome] ?? 0) + 1;
      brokenTimes.push({
        connection,
        node,
        outcome: failure.outcome,
        startSeconds: secondsFrom(failure.startMs),
        endSeconds: secondsFrom(failure.endMs),
      });
      continue;
    }
    if (t.after.length === 0) {
      unexercised++;
      continue;
    }
    survived++;
    if (t.after.some((r) => (r.answeredBy ?? "?") !== node)) changedNode++;
    for (const r of t.after) longestStallMs = Math.max(longestStallMs, r.endMs - r.startMs);
  }
  return {
    established,
    broken,
    idledOut,
    longestIdleBeforeBreakSeconds: Math.round(longestIdleMs) / 1000,
    survived,
    unexercised,
    changedNode,
    longestStallSeconds: Math.round(longestStallMs) / 1000,
    opened,
    openFailed,
    brokenBy,
    byNode,
    brokenTimes: brokenTimes.sort((a, b) => a.endSeconds - b.endSeconds).slice(0, MAX_BROKEN_LISTED),
  };
}
