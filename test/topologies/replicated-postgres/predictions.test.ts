import { describe, expect, test } from "vitest";
import { ReplicationMode } from "../../../lib/model/replication-mode";
import { resolveChecks, resolveTiming } from "../../../lib/topologies/replicated-postgres/patroni-timing";
import {
  postgresPredictions,
  primaryLossDataLoss,
} from "../../../lib/topologies/replicated-postgres/predictions";

function predictions(mode: ReplicationMode) {
  const list = postgresPredictions({
    mode,
    timing: resolveTiming("s/db"),
    checks: resolveChecks("s/db"),
    nodes: 3,
    etcdElectionTimeoutMs: 1000,
  });
  return Object.fromEntries(list.map((p) => [p.fault, p]));
}

describe("postgresPredictions", () => {
  test("a lost primary: ttl + asking the lost node + promotion + the router's rise, under 15 s with the defaults", () => {
    const p = predictions(ReplicationMode.synchronous());
    // 8 + 2 (Patroni's REST time limit) + 1 (estimate) + 1 × 1 s
    expect(p["primary-loss"]?.recoverySeconds).toBe(12);
    expect(p["primary-loss"]?.basis).toContain("leader key ttl 8 s");
    expect(p["primary-loss"]?.basis).toContain("Patroni's 2 s time limit");
    expect(p["primary-loss"]?.basis).toContain("estimated 1 s");
    // and, with etcd's leader lost too: an election (up to 2 × 1 s) and the lease extension (1 s)
    expect(p["dcs-leader-and-primary-loss"]?.recoverySeconds).toBe(15);
    expect(p["dcs-leader-and-primary-loss"]?.basis).toContain(
      "extending every lease by its election timeout",
    );
    expect(p["primary-postgres-crash"]?.recoverySeconds).toBe(4);
  });

  test("synchronous modes lose no acknowledged write; asynchronous may lose the lag", () => {
    expect(primaryLossDataLoss(ReplicationMode.synchronous({ strict: true }))).toMatchObject({ seconds: 0 });
    const sync = primaryLossDataLoss(ReplicationMode.synchronous());
    expect(sync.modes?.map((m) => [m.mode, m.seconds])).toEqual([
      ["synchronous", 0],
      ["degraded to asynchronous", 1],
    ]);
    expect(primaryLossDataLoss(ReplicationMode.asynchronous()).seconds).toBe(1);
  });

  test("a lost replica stalls commits only in synchronous modes", () => {
    expect(predictions(ReplicationMode.asynchronous())["replica-loss"]?.recoverySeconds).toBe(0);
    const sync = predictions(ReplicationMode.synchronous())["replica-loss"];
    expect(sync?.recoverySeconds).toBe(10);
    expect(sync?.failedRequests).toContain("commits wait until Patroni names another synchronous standby");
    const strictNoSpare = postgresPredictions({
      mode: ReplicationMode.synchronous({ strict: true }),
      timing: resolveTiming("s/db"),
      checks: resolveChecks("s/db"),
      nodes: 2,
      etcdElectionTimeoutMs: 1000,
    }).find((x) => x.fault === "replica-loss");
    expect(strictNoSpare?.failedRequests).toContain("strict mode with no spare replica");
  });

  test("a cut-off primary begins to demote before its key expires (failsafe check included), and in asynchronous mode may lose what it took meanwhile", () => {
    const a = predictions(ReplicationMode.asynchronous())["primary-partition"];
    // Measured: the cut-off primary stopped saying it is primary 7.8-9.0 s after the cut.
    expect(a?.failedRequests).toContain(
      "begins to demote after loop_wait 1 s + retry_timeout 3 s + failsafe mode's check of the other members 4 s = 8 s, not after its key expires at 8 s, and has stopped PostgreSQL after about 9 s",
    );
    expect(a?.dataLoss?.seconds).toBe(9);
    expect(predictions(ReplicationMode.quorum({ count: 2 }))["primary-partition"]?.dataLoss?.seconds).toBe(0);
  });
});
