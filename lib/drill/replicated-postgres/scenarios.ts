/**
 * The replicated PostgreSQL drills: a fault, then the time until the read-write port takes writes
 * again, the writes that failed meanwhile, and, read back from whichever node is primary then,
 * the acknowledged writes that are missing (the RPO measured). Every run also asks each node
 * whether it is primary: two at once would be a split brain.
 */
import { nowMs, sleep } from "../core/proc";
import type { DrillCheck, Scenario } from "../core/scenario";
import { waitUntil } from "../core/wait";
import { blackhole } from "../faults/blackhole";
import { loseNode } from "../faults/node-loss";
import { killProcess, supervisedProcess } from "../faults/process-kill";
import {
  acknowledgedWritesKept,
  dataLossSeconds,
  measureWrites,
  onePrimary,
  type PgInjection,
  writesBack,
} from "./measure-writes";
import type { PostgresHost } from "./plan";
import type { PostgresSession } from "./session";

const nodeMember = (s: PostgresSession) => s.plan.nodes[0]?.container.constructPath;

/**
 * The primary's host lost: links down and every process killed at once. With etcd beside the
 * nodes, etcd's leadership is handed to another member first when that host held it: losing both
 * is `dcs-leader-and-primary-loss`, with a prediction of its own.
 */
export const PRIMARY_LOSS: Scenario<PostgresSession, PgInjection> = {
  name: "primary-loss",
  description:
    "The primary's host lost (links down, every process killed; etcd's leader elsewhere); a replica must take the leader key and the writes",
  predicts: "primary-loss",
  predictionMember: nodeMember,
  async inject(s) {
    await s.etcdLeaderOff(s.currentPrimary());
    const primary = s.currentPrimary();
    s.env.say(`primary-loss: ${primary.hostname}`);
    const f = await loseNode(s.lab, primary.hostname);
    return {
      fault: f.description,
      atMs: f.atMs,
      hostname: primary.hostname,
      answeredBefore: primary.address,
    };
  },
  measure: measureWrites,
  checks(s, facts) {
    return [
      writesBack(facts),
      acknowledgedWritesKept(facts, dataLossSeconds(s, "primary-loss")),
      onePrimary(facts),
    ];
  },
};

/**
 * The primary's PostgreSQL crashes: SIGKILL to the postmaster and every process of it at once
 * (as after a crash of the server), Patroni left running; it must start PostgreSQL again, crash
 * recovery keeping every acknowledged write. (The postmaster killed alone is another fault: its
 * backends run on, orphaned, until they notice.)
 */
export const PRIMARY_POSTGRES_CRASH: Scenario<PostgresSession, PgInjection> = {
  name: "primary-postgres-crash",
  description:
    "SIGKILL to the primary's PostgreSQL, postmaster and backends at once, Patroni left running; it must start PostgreSQL again, crash recovery keeping every acknowledged write",
  predicts: "primary-postgres-crash",
  predictionMember: nodeMember,
  async inject(s) {
    const primary = s.currentPrimary();
    s.env.say(`primary-postgres-crash: ${primary.hostname}`);
    const pidText = await s.lab.readFile(primary.hostname, "/var/lib/postgresql/ha/data/postmaster.pid");
    const pid = Number(pidText?.split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 0) return s.fail(`no postmaster.pid on ${primary.hostname}`);
    const atMs = nowMs();
    const killed = await s.lab.killProcessTree(primary.hostname, pid);
    return {
      fault: `SIGKILL to PostgreSQL's postmaster (PID ${pid} in its host) and its ${killed - 1} processes on ${primary.hostname}`,
      atMs,
      hostname: primary.hostname,
    };
  },
  measure: measureWrites,
  checks(_s, facts) {
    return [writesBack(facts), acknowledgedWritesKept(facts, 0), onePrimary(facts)];
  },
};

/** A replica's host lost (the synchronous standby when there is one; etcd's leader elsewhere). */
export const REPLICA_LOSS: Scenario<PostgresSession, PgInjection> = {
  name: "replica-loss",
  description:
    "A replica's host lost (the synchronous standby when there is one); writes must go on, or wait only until Patroni names another standby",
  predicts: "replica-loss",
  predictionMember: nodeMember,
  async inject(s) {
    const members = await s.members();
    const primary = s.currentPrimary();
    const sync = members.find((m) => m.role === "sync_standby")?.name;
    const victim: PostgresHost | undefined =
      s.plan.nodes.find((n) => n.hostname === sync) ??
      s.plan.nodes.find((n) => n.hostname !== primary.hostname);
    if (!victim) return s.fail("the cluster has no replica");
    await s.etcdLeaderOff(victim);
    s.env.say(
      `replica-loss: ${victim.hostname}${victim.hostname === sync ? " (the synchronous standby)" : ""}`,
    );
    const f = await loseNode(s.lab, victim.hostname);
    return { fault: f.description, atMs: f.atMs, hostname: victim.hostname };
  },
  measure: measureWrites,
  checks(_s, facts) {
    return [writesBack(facts), acknowledgedWritesKept(facts, 0), onePrimary(facts)];
  },
};

/** An etcd member lost alone (its process killed and held down) on a node that is not the primary. */
export const DCS_MEMBER_LOSS: Scenario<PostgresSession, PgInjection> = {
  name: "dcs-member-loss",
  description:
    "etcd killed and held down on a member beside no primary; etcd keeps its quorum and writes must go on",
  predicts: "dcs-member-loss",
  predictionMember: nodeMember,
  async inject(s) {
    const primary = s.currentPrimary();
    const victim = s.plan.dcs.find((h) => h.hostname !== primary.hostname);
    if (!victim) return s.fail("the cluster has no etcd member beside no primary");
    s.env.say(`dcs-member-loss: etcd on ${victim.hostname}`);
    const f = await killProcess(s.lab, victim.hostname, supervisedProcess("etcd"));
    return { fault: `etcd on ${victim.hostname}: ${f.description}`, atMs: f.atMs, hostname: victim.hostname };
  },
  measure: measureWrites,
  checks(_s, facts) {
    return [writesBack(facts), acknowledgedWritesKept(facts, 0), onePrimary(facts)];
  },
};

/** The etcd leader and the primary lost at once (one host when they share it). */
export const DCS_LEADER_AND_PRIMARY_LOSS: Scenario<PostgresSession, PgInjection> = {
  name: "dcs-leader-and-primary-loss",
  description:
    "The etcd leader and the primary lost together: etcd must elect a leader and a replica take the leader key",
  predicts: "dcs-leader-and-primary-loss",
  predictionMember: nodeMember,
  async inject(s) {
    const primary = s.currentPrimary();
    let leader = await s.etcdLeader();
    if (!leader) return s.fail("no etcd member says it leads");
    // With etcd beside the nodes, the leader must be the primary's own member: losing another
    // member with the primary's would leave etcd without a quorum, which no failover survives.
    const colocated = s.plan.dcs.some((h) => h.hostname === primary.hostname);
    if (colocated && leader.hostname !== primary.hostname) {
      if (!(await s.moveEtcdLeader(leader, primary))) {
        return s.fail(`could not hand etcd's leadership from ${leader.hostname} to ${primary.hostname}`);
      }
      leader = primary;
    }
    s.env.say(`dcs-leader-and-primary-loss: primary ${primary.hostname}, etcd leader ${leader.hostname}`);
    const atMs = nowMs();
    const parts: string[] = [];
    if (leader.hostname !== primary.hostname) {
      const f = await killProcess(s.lab, leader.hostname, supervisedProcess("etcd"));
      parts.push(`etcd leader on ${leader.hostname}: ${f.description}`);
    }
    const f = await loseNode(s.lab, primary.hostname);
    parts.push(f.description);
    return { fault: parts.join("; "), atMs, hostname: primary.hostname, answeredBefore: primary.address };
  },
  measure: measureWrites,
  checks(s, facts) {
    return [
      writesBack(facts),
      acknowledgedWritesKept(facts, dataLossSeconds(s, "dcs-leader-and-primary-loss")),
      onePrimary(facts),
    ];
  },
};

interface PartitionInjection extends PgInjection {
  readonly node: PostgresHost;
  readonly demotedAfterSeconds: () => number | null;
  readonly stop: () => void;
}

/**
 * The primary cut off from every other host (blackhole: clients and routers cannot reach it,
 * nor it etcd): it must demote itself before its leader key can expire and a replica promote,
 * so that two primaries never take writes at once. etcd's leader elsewhere, as in `primary-loss`.
 */
export const PRIMARY_PARTITION: Scenario<PostgresSession, PartitionInjection> = {
  name: "primary-partition",
  description:
    "The primary blackholed from every host; it must demote itself before a replica is promoted (no two primaries)",
  predicts: "primary-partition",
  predictionMember: nodeMember,
  async inject(s) {
    await s.etcdLeaderOff(s.currentPrimary());
    const node = s.currentPrimary();
    s.env.say(`primary-partition: ${node.hostname}`);
    const f = await blackhole(s.lab, node.hostname);
    // Watch the cut-off node's own view from inside it, until it stops saying it is primary.
    let demotedAt: number | null = null;
    let stopped = false;
    const watch = (async () => {
      while (!stopped && demotedAt === null) {
        if (!(await s.isPrimary(node))) demotedAt = nowMs();
        else await sleep(100);
      }
    })();
    return {
      fault: f.description,
      atMs: f.atMs,
      hostname: node.hostname,
      answeredBefore: node.address,
      node,
      demotedAfterSeconds: () => (demotedAt === null ? null : Math.round(demotedAt - f.atMs) / 1000),
      stop: () => {
        stopped = true;
        void watch;
      },
    };
  },
  async measure(s, injection, prediction) {
    const m = await measureWrites(s, injection, prediction);
    injection.stop();
    const newPrimaryAt = s.client.records.find(
      (r) => r.startMs > injection.atMs && r.outcome === "ok" && r.answeredBy !== injection.node.address,
    );
    return {
      ...m,
      details: {
        ...m.details,
        demotedAfterSeconds: injection.demotedAfterSeconds(),
        newPrimaryAfterSeconds: newPrimaryAt ? Math.round(newPrimaryAt.endMs - injection.atMs) / 1000 : null,
      },
      highlights: [
        ...(m.highlights ?? []),
        `the cut-off primary demoted after ${injection.demotedAfterSeconds() ?? "never"} s`,
      ],
    };
  },
  checks(s, facts) {
    const d = facts.measurement.details as {
      demotedAfterSeconds: number | null;
      newPrimaryAfterSeconds: number | null;
    };
    const demotedFirst: DrillCheck = {
      name: "cut-off-primary-demoted-first",
      passed:
        d.demotedAfterSeconds !== null &&
        d.newPrimaryAfterSeconds !== null &&
        d.demotedAfterSeconds < d.newPrimaryAfterSeconds,
      detail: `the cut-off primary demoted after ${d.demotedAfterSeconds ?? "never"} s, another node took writes after ${d.newPrimaryAfterSeconds ?? "never"} s`,
    };
    return [
      writesBack(facts),
      demotedFirst,
      acknowledgedWritesKept(facts, dataLossSeconds(s, "primary-partition")),
    ];
  },
};

/** The lost primary's host starts again and must rejoin as a replica (pg_rewind onto the new timeline). */
export const OLD_PRIMARY_RETURN: Scenario<PostgresSession, PgInjection & { readonly lostAtMs: number }> = {
  name: "old-primary-return",
  description:
    "After a primary's loss and the failover, its host starts again; it must rejoin as a running replica, writes undisturbed",
  predicts: "old-primary-return",
  predictionMember: nodeMember,
  async inject(s) {
    const primary = s.currentPrimary();
    s.env.say(`old-primary-return: ${primary.hostname} lost, then back`);
    const lost = await loseNode(s.lab, primary.hostname);
    const moved = await waitUntil(
      () => {
        const last = s.client.records.slice(-10);
        return (
          last.length === 10 && last.every((r) => r.outcome === "ok" && r.answeredBy !== primary.address)
        );
      },
      60_000,
      100,
    );
    if (moved === undefined) return s.fail(`writes did not move off ${primary.hostname} within 60 s`);
    const atMs = nowMs();
    await lost.heal?.();
    return {
      fault: `${lost.description}; after the failover, ${primary.hostname} started again`,
      atMs,
      lostAtMs: lost.atMs,
      hostname: primary.hostname,
    };
  },
  async measure(s, injection, prediction) {
    let rejoinedAt: number | null = null;
    const rejoined = await waitUntil(
      async () => {
        const members = await s.members();
        const me = members.find((m) => m.name === injection.hostname);
        const ok =
          me !== undefined && me.role !== "leader" && (me.state === "running" || me.state === "streaming");
        if (ok && rejoinedAt === null) rejoinedAt = nowMs();
        return ok;
      },
      120_000,
      500,
    );
    const m = await measureWrites(s, injection, prediction);
    return {
      ...m,
      details: {
        ...m.details,
        rejoinedSeconds:
          rejoined === undefined || rejoinedAt === null
            ? null
            : Math.round(rejoinedAt - injection.atMs) / 1000,
        primariesAfter: await s.primaries(),
      },
      highlights: [
        ...(m.highlights ?? []),
        `rejoined as a replica after ${rejoinedAt === null ? "never" : Math.round(rejoinedAt - injection.atMs) / 1000} s`,
      ],
    };
  },
  checks(s, facts) {
    const d = facts.measurement.details as { rejoinedSeconds: number | null; lostNode: string };
    return [
      {
        name: "rejoined-as-replica",
        passed: d.rejoinedSeconds !== null,
        detail: `${d.lostNode} ${d.rejoinedSeconds === null ? "did not rejoin" : `rejoined as a running replica after ${d.rejoinedSeconds} s`}`,
      },
      // The run includes the failover before the return: the primary loss's data-loss bound.
      acknowledgedWritesKept(facts, dataLossSeconds(s, "primary-loss")),
      onePrimary(facts),
    ];
  },
};

export const POSTGRES_SCENARIOS = [
  PRIMARY_LOSS,
  PRIMARY_POSTGRES_CRASH,
  REPLICA_LOSS,
  DCS_MEMBER_LOSS,
  DCS_LEADER_AND_PRIMARY_LOSS,
  PRIMARY_PARTITION,
  OLD_PRIMARY_RETURN,
] as const;
