/**
 * What a Patroni cluster behind its routers predicts for each fault: how long until the
 * read-write port takes writes again (RTO) and what acknowledged writes can be lost (RPO, per
 * replication mode), with the arithmetic from the configured timing. Figures that rest on an
 * estimate (a promotion, crash recovery, an etcd election) say so in their basis.
 */
import type { DataLoss, FailurePrediction } from "../../model/availability";
import type { ReplicationMode } from "../../model/replication-mode";
import { PATRONI_FAILSAFE_CHECK_SECONDS, type ResolvedChecks, type ResolvedTiming } from "./patroni-timing";

/**
 * Patroni's own time limit of the REST request a replica makes of every member it knew (the
 * lost primary included) for its WAL position before it races for the leader key
 * (`fetch_node_status`, `timeout=2`, no retry, in Patroni 3.0): a lost host answers none, so the
 * race waits this long.
 */
export const PATRONI_MEMBER_STATUS_TIMEOUT_SECONDS = 2;

/** Estimates the predictions rest on, each named in the basis where it is used. */
export const ESTIMATES = {
  /** `pg_ctl promote` of a streaming replica to a primary on one LAN. */
  promoteSeconds: 1,
  /** Crash recovery and start of PostgreSQL after its process died (small WAL since the last checkpoint). */
  crashRestartSeconds: 2,
  /** A primary's demotion: Patroni stops PostgreSQL (writes end with it) to start it read-only. */
  demoteSeconds: 1,
  /** Streaming replication lag on one LAN under a steady write load. */
  asyncLagSeconds: 1,
} as const;

export interface PostgresPredictionInput {
  readonly mode: ReplicationMode;
  readonly timing: ResolvedTiming;
  readonly checks: ResolvedChecks;
  readonly nodes: number;
  /** etcd's election timeout, for the loss of its leader. */
  readonly etcdElectionTimeoutMs: number;
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}

/** What a lost primary costs in data, per mode. */
export function primaryLossDataLoss(mode: ReplicationMode): DataLoss {
  const lag = ESTIMATES.asyncLagSeconds;
  const asyncLoss = {
    mode: "asynchronous",
    seconds: lag,
    description: `the replication lag at the fault (estimated ${lag} s on one LAN; no replica lagging more than ${mode.maximumLagOnFailoverBytes || 1024 * 1024} bytes is promoted)`,
  };
  if (mode.kind === "asynchronous") {
    return { seconds: lag, description: asyncLoss.description, modes: [asyncLoss] };
  }
  const sync = {
    mode: mode.kind,
    seconds: 0,
    description: `none: a commit returns once ${mode.synchronousCount} synchronous standby(s) flushed it, and Patroni promotes one of them`,
  };
  if (mode.strict) return { seconds: 0, description: sync.description, modes: [sync] };
  return {
    seconds: lag,
    description: `none while a synchronous standby is up; the asynchronous lag after every standby was lost (Patroni then runs without one)`,
    modes: [sync, { ...asyncLoss, mode: "degraded to asynchronous" }],
  };
}

/** The predictions of every fault the drills inject, in one order. */
export function postgresPredictions(p: PostgresPredictionInput): FailurePrediction[] {
  const { ttlSeconds: ttl, loopWaitSeconds: loop, retryTimeoutSeconds: retry } = p.timing;
  const riseSeconds = (p.checks.rise * p.checks.intervalMs) / 1000;
  const fallSeconds = (p.checks.fall * p.checks.intervalMs) / 1000;
  const promote = ESTIMATES.promoteSeconds;
  const ask = PATRONI_MEMBER_STATUS_TIMEOUT_SECONDS;
  const failover = ttl + ask + promote + riseSeconds;
  const failoverBasis = `leader key ttl ${ttl} s (renewed every loop_wait ${loop} s; the replicas watch it and wake when it expires) + asking the lost primary's REST API for its WAL position (Patroni's ${ask} s time limit) + promotion (estimated ${promote} s) + the router's check: rise ${p.checks.rise} × ${p.checks.intervalMs} ms`;
  const election = p.etcdElectionTimeoutMs / 1000;
  // A cut-off primary: its loop finds the DCS gone, then failsafe mode asks the other members.
  const check = PATRONI_FAILSAFE_CHECK_SECONDS;
  const demoting = loop + retry + check;
  const demoted = demoting + ESTIMATES.demoteSeconds;
  const syncWait = p.mode.kind !== "asynchronous";
  const none: DataLoss = {
    seconds: 0,
    description: "none: commits are flushed to the WAL before they are acknowledged",
  };
  return [
    {
      fault: "primary-loss",
      recoverySeconds: round(failover),
      failedRequests:
        "writes from the fault until the new primary passes the router's check; reads on the read-only port go on from the other replicas",
      basis: `${failoverBasis}; etcd's leader on another host (when the lost host led etcd too: dcs-leader-and-primary-loss)`,
      dataLoss: primaryLossDataLoss(p.mode),
    },
    {
      fault: "primary-postgres-crash",
      recoverySeconds: round(loop + ESTIMATES.crashRestartSeconds + riseSeconds),
      failedRequests:
        "writes until Patroni has started PostgreSQL again on the same node (no failover: its leader key stays)",
      basis: `Patroni's next loop ${loop} s + crash recovery and start (estimated ${ESTIMATES.crashRestartSeconds} s) + rise ${p.checks.rise} × ${p.checks.intervalMs} ms`,
      dataLoss: none,
    },
    {
      fault: "replica-loss",
      recoverySeconds: syncWait ? round(ttl + 2 * loop) : 0,
      failedRequests: syncWait
        ? p.mode.strict && p.nodes - 1 <= p.mode.synchronousCount
          ? "commits wait until the lost standby is back: strict mode with no spare replica"
          : `commits wait until Patroni names another synchronous standby (the lost one's member key expires after ttl ${ttl} s, then a loop)`
        : `none for writes; read-only connections on the lost replica fail until the router takes it out (fall ${p.checks.fall} × ${p.checks.intervalMs} ms = ${round(fallSeconds)} s)`,
      basis: syncWait
        ? `member key ttl ${ttl} s + the primary's next loop ${loop} s to notice + one more ${loop} s to write the /sync key and reload synchronous_standby_names (measured 8.3 s with the defaults)`
        : "asynchronous replication: the primary waits for no replica",
      dataLoss: none,
    },
    {
      fault: "dcs-member-loss",
      recoverySeconds: 0,
      failedRequests: `none: etcd keeps its quorum; a lost etcd leader is replaced within about ${round(2 * election)} s, inside Patroni's retry_timeout ${retry} s`,
      basis: `etcd election timeout ${p.etcdElectionTimeoutMs} ms (up to two rounds) against retry_timeout ${retry} s`,
      dataLoss: none,
    },
    {
      fault: "dcs-leader-and-primary-loss",
      recoverySeconds: round(failover + 3 * election),
      failedRequests: "writes until etcd has a new leader and a replica took the expired leader key",
      basis: `etcd election (up to 2 × ${p.etcdElectionTimeoutMs} ms) + the new etcd leader extending every lease by its election timeout ${p.etcdElectionTimeoutMs} ms (etcd's lessor on promotion), so the leader key outlives its ttl + ${failoverBasis}`,
      dataLoss: primaryLossDataLoss(p.mode),
    },
    {
      fault: "primary-partition",
      recoverySeconds: round(failover),
      failedRequests: `the cut-off primary stops taking writes when it cannot renew its key: it begins to demote after loop_wait ${loop} s + retry_timeout ${retry} s + failsafe mode's check of the other members ${check} s = ${demoting} s, not after its key expires at ${ttl} s, and has stopped PostgreSQL after about ${demoted} s; another node takes writes only after the key expired, its race and its promotion (no two primaries)`,
      basis: `${failoverBasis}; the failsafe check: Patroni asks every other member over its REST API, 2 tries × 2 s, none answering across the cut; stopping PostgreSQL (estimated ${ESTIMATES.demoteSeconds} s); Patroni's rule loop_wait + 2 × retry_timeout = ${loop + 2 * retry} s ≤ ttl ${ttl} s`,
      dataLoss: syncWait
        ? { ...none, description: "none: the cut-off primary's commits wait for a standby it cannot reach" }
        : {
            seconds: demoted,
            description: `writes the cut-off primary acknowledged before it demoted (loop_wait + retry_timeout + the failsafe check + stopping PostgreSQL: about ${demoted} s), where clients still reached it`,
          },
    },
    {
      fault: "old-primary-return",
      recoverySeconds: 0,
      failedRequests:
        "none: it rejoins as a replica (pg_rewind onto the new timeline) and the read-only port takes it once its check passes",
      basis: "Patroni with use_pg_rewind and wal_log_hints",
      dataLoss: none,
    },
  ];
}
