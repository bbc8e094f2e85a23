/**
 * Patroni's timing (the DCS settings `ttl`, `loop_wait`, `retry_timeout`) and the routers'
 * checks of its REST API, with the defaults chosen for a fast failover on one LAN and the rule
 * that keeps a cut-off primary from writing after another node may have been promoted.
 *
 * Defaults: ttl 8 s, loop_wait 1 s, retry_timeout 3 s (Patroni's own are 30, 10 and 10), as the
 * renderer has them. A lost primary's leader key expires at most `ttl` after it was last renewed;
 * the replicas watch it, and before racing for it ask every member they knew (the lost one too,
 * 2 s of Patroni's time limit): at most about 12 s to a new primary behind the routers, where
 * Patroni's defaults take 30-40 s (the drills measure 10.9-11.8 s; each loop is a DCS read and
 * write per node, cheap on a few nodes). Shorter still makes a DCS hiccup of a few seconds demote a healthy primary
 * (`failsafe_mode` keeps it while it still reaches every member); 3 s of retries ride out an etcd
 * leader election (about 1 s with etcd's 100 ms heartbeat and 1 s election timeout). Patroni requires
 * `loop_wait + 2 × retry_timeout <= ttl`. A primary that cannot reach the DCS finds out within
 * `loop_wait + retry_timeout`; with `failsafe_mode` (the renderer's default) it then asks every other
 * member over its REST API before it demotes, and across a cut that takes Patroni's
 * `PATRONI_FAILSAFE_CHECK_SECONDS` (2 tries × 2 s): so `ttl` must also be at least
 * `loop_wait + retry_timeout + 4`, or the key could expire before the cut-off primary has even
 * begun to demote (the drills measure it done 7.8–9.0 s after the cut with the defaults, the stop
 * of PostgreSQL included; a replica takes writes only after the key expired, its race and its
 * promotion: 10.4–14.2 s).
 */
import type { ErrorLocation } from "../../errors";
import { invalid } from "../../errors";

export interface PatroniTiming {
  /** Seconds the leader key lives without renewal. @default 8 */
  readonly ttlSeconds?: number;
  /** Seconds between two runs of Patroni's loop. @default 1 */
  readonly loopWaitSeconds?: number;
  /** Seconds a DCS or PostgreSQL operation is retried before it counts as failed. @default 3 */
  readonly retryTimeoutSeconds?: number;
}

/** How the routers check each node's Patroni REST API. */
export interface RouterCheckTiming {
  /** Milliseconds between two checks. @default 1000 */
  readonly intervalMs?: number;
  /** Failed checks before a node is taken out. @default 2 */
  readonly fall?: number;
  /** Passed checks before a node is put in. @default 1 */
  readonly rise?: number;
}

/**
 * How long a primary that lost the DCS spends, in failsafe mode, asking the other members over
 * their REST API before it demotes, when none answers (a cut): Patroni 3.0's
 * `call_failsafe_member` makes each request with `timeout=2, retries=1`, two tries of 2 s, all
 * members at once.
 */
export const PATRONI_FAILSAFE_CHECK_SECONDS = 4;

export type ResolvedTiming = Required<PatroniTiming>;
export type ResolvedChecks = Required<RouterCheckTiming>;

function whole(where: ErrorLocation, what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    invalid(where, what, value, `give a whole number from ${min} to ${max}`);
  }
  return value;
}

/** The timing with its defaults, checked against Patroni's own rule. */
export function resolveTiming(where: ErrorLocation, t: PatroniTiming = {}): ResolvedTiming {
  const ttl = whole(where, "patroni ttlSeconds", t.ttlSeconds ?? 8, 5, 3600);
  const loop = whole(where, "patroni loopWaitSeconds", t.loopWaitSeconds ?? 1, 1, 600);
  const retry = whole(where, "patroni retryTimeoutSeconds", t.retryTimeoutSeconds ?? 3, 1, 600);
  if (loop + 2 * retry > ttl) {
    invalid(
      where,
      "patroni ttlSeconds",
      ttl,
      `give at least loopWaitSeconds + 2 × retryTimeoutSeconds = ${loop + 2 * retry} (Patroni's rule: a primary that cannot renew its key must demote before the key expires)`,
    );
  }
  const demoted = loop + retry + PATRONI_FAILSAFE_CHECK_SECONDS;
  if (demoted > ttl) {
    invalid(
      where,
      "patroni ttlSeconds",
      ttl,
      `give at least loopWaitSeconds + retryTimeoutSeconds + ${PATRONI_FAILSAFE_CHECK_SECONDS} = ${demoted} (a cut-off primary demotes only after its DCS retries and failsafe mode's ${PATRONI_FAILSAFE_CHECK_SECONDS} s check of the other members; its key must not expire before)`,
    );
  }
  return { ttlSeconds: ttl, loopWaitSeconds: loop, retryTimeoutSeconds: retry };
}

export function resolveChecks(where: ErrorLocation, c: RouterCheckTiming = {}): ResolvedChecks {
  return {
    intervalMs: whole(where, "router check intervalMs", c.intervalMs ?? 1000, 100, 60_000),
    fall: whole(where, "router check fall", c.fall ?? 2, 1, 10),
    rise: whole(where, "router check rise", c.rise ?? 1, 1, 10),
  };
}
