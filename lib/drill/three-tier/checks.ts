/** What the three tiers' scenarios measure alike, and the checks they share. */
import type { ProbeRecord } from "../clients/client";
import { type ConnectionFates, connectionFates } from "../clients/connection-fates";
import { nowMs, sleep } from "../core/proc";
import type { DrillCheck, RunFacts } from "../core/scenario";
import { sessionChangeDetails, sessionChanges } from "./bird-log";
import type { ThreeTierSession } from "./session";

/** How long the connections keep being used after a change before their fates are read. */
export const SETTLE_MS = 3500;

/** The kept-alive connections' fates from `faultMs` to now, after letting them settle. */
export async function settledFates(s: ThreeTierSession, faultMs: number): Promise<ConnectionFates> {
  await sleep(SETTLE_MS);
  return connectionFates(s.connections.records, faultMs, nowMs(), s.plan.idleLimitMs);
}

/**
 * The routers' BGP and BFD session changes from `lookBackMs` before `fromMs` on (from their logs),
 * as details list them: seconds from `fromMs` (negative before it).
 */
export function routerSessionChanges(
  s: ThreeTierSession,
  fromMs: number,
  lookBackMs = 0,
): ReturnType<typeof sessionChangeDetails> {
  const routers = s.plan.routers.map((r) => r.hostname);
  return sessionChangeDetails(sessionChanges(s.lab, routers, fromMs - lookBackMs), fromMs);
}

/** The share of established connections that survived, 0-1 (1 when none were established). */
export function survivedShare(f: ConnectionFates): number {
  return f.established === 0 ? 1 : Math.round((f.survived / f.established) * 1000) / 1000;
}

/** Details every scenario reports of its connections. */
export function connectionDetails(f: ConnectionFates): Record<string, unknown> {
  return {
    connections: f,
    connectionsEstablished: f.established,
    connectionsBroken: f.broken,
    connectionsSurvivedShare: survivedShare(f),
  };
}

/** The fates a scenario stored in its details. */
export function fatesOf(facts: RunFacts): ConnectionFates {
  return facts.measurement.details.connections as ConnectionFates;
}

/** Every established connection lived through the fault, and enough of them were watched. */
export function everyConnectionSurvived(facts: RunFacts, minimum = 8): DrillCheck {
  const f = fatesOf(facts);
  return {
    name: "established-connections-survive",
    passed: f.broken === 0 && f.changedNode === 0 && f.survived >= minimum,
    detail:
      `${f.survived} of ${f.established} established connections survived, ${f.broken} broken` +
      (f.broken > 0
        ? ` (${JSON.stringify(f.brokenBy)}, longest idle before ${f.longestIdleBeforeBreakSeconds} s)`
        : "") +
      (f.idledOut > 0 ? `, ${f.idledOut} closed by their node after idling past its limit` : "") +
      (f.changedNode > 0 ? `, ${f.changedNode} answered by another node afterwards` : "") +
      `; longest stall ${f.longestStallSeconds} s`,
  };
}

/** New connections were served again for good (the session's client). */
export function newConnectionsServed(facts: RunFacts): DrillCheck {
  const restored = facts.figures.restoredSeconds;
  const failed = facts.figures.requests.failed;
  return {
    name: "new-connections-served",
    passed: restored !== null,
    detail: `${failed} new connections failed; served again for good after ${restored ?? "never"} s`,
  };
}

/** The failed new connections of a node's return, told apart by whether the return could have failed them. */
export interface ReturnFailures {
  /** Started at or after the return began, or still open when a route first took the node again. */
  readonly fromReturn: number;
  /**
   * Started before the return and failed before any route took the node again: in flight on the
   * other nodes when the return began, which it cannot have reached (the node was in no route).
   */
  readonly beforeRoutesMoved: number;
}

/**
 * The failures among `records` that ended from `returnMs` on, split at the first moment a router
 * routed to the returning node again (`routedMs`; undefined: never within the run).
 */
export function returnFailures(
  records: readonly ProbeRecord[],
  returnMs: number,
  routedMs: number | undefined,
): ReturnFailures {
  let fromReturn = 0;
  let beforeRoutesMoved = 0;
  for (const r of records) {
    if (r.outcome === "ok" || r.endMs < returnMs) continue;
    if (r.startMs < returnMs && (routedMs === undefined || r.endMs < routedMs)) beforeRoutesMoved += 1;
    else fromReturn += 1;
  }
  return { fromReturn, beforeRoutesMoved };
}
