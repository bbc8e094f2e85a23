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

/** Every change of the routers' next hops from `fromMs` on, as details list them: what a fault did to the routes. */
export function routeChangesFrom(
  s: ThreeTierSession,
  fromMs: number,
): { afterSeconds: number; router: string; nextHops: readonly string[] }[] {
  return s.routes.events
    .filter((e) => e.t >= fromMs)
    .map((e) => ({ afterSeconds: Math.round(e.t - fromMs) / 1000, router: e.router, nextHops: e.nextHops }));
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

/**
 * The failed new connections of a change that acts through the routes (a node's return, a drain),
 * told apart by whether the change could have failed them.
 */
export interface FaultFailures {
  /** Started at or after the change began, or still open when a route first changed after it. */
  readonly fromFault: number;
  /**
   * Started before the change and failed before any route changed after it: in flight on paths
   * the change had not touched yet (a drained node forwards as before until the routers drop
   * it; a returning node is in no route until they take it), so failed by something else.
   */
  readonly beforeRoutesMoved: number;
}

/**
 * The failures among `records` that ended from `faultMs` on, split at the first moment a router's
 * route changed because of the fault (`routesMovedMs`; undefined: never within the run).
 */
export function faultFailures(
  records: readonly ProbeRecord[],
  faultMs: number,
  routesMovedMs: number | undefined,
): FaultFailures {
  let fromFault = 0;
  let beforeRoutesMoved = 0;
  for (const r of records) {
    if (r.outcome === "ok" || r.endMs < faultMs) continue;
    if (r.startMs < faultMs && (routesMovedMs === undefined || r.endMs < routesMovedMs))
      beforeRoutesMoved += 1;
    else fromFault += 1;
  }
  return { fromFault, beforeRoutesMoved };
}

/**
 * The `no-request-failed` check of a change that acts through the routes: no request the change
 * could have failed did (`faultFailures`); those it cannot have failed are named in the detail.
 */
export function noRequestFailed(
  facts: RunFacts,
  failures: FaultFailures,
  since: string,
  apart: string,
): DrillCheck {
  const served = newConnectionsServed(facts);
  return {
    ...served,
    name: "no-request-failed",
    passed: failures.fromFault === 0,
    detail:
      `${failures.fromFault} new connections failed ${since}` +
      (failures.beforeRoutesMoved > 0
        ? ` (and ${failures.beforeRoutesMoved} begun before it ${apart})`
        : "") +
      `; ${served.detail}`,
  };
}
