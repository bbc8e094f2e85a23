/**
 * The replicated PostgreSQL drills: a fault, then the time until the read-write port takes writes
 * again, the writes that failed meanwhile, and, read back from whichever node is primary then,
 * the acknowledged writes that are missing (the RPO measured). Every run also asks each node
 * whether it is primary: two at once would be a split brain.
 */
import type { FailurePrediction } from "../../model/availability";
import type { WriteLedger } from "../clients/sql";
import { withinPrediction } from "../core/prediction-check";
import { nowMs, sleep } from "../core/proc";
import type { DrillCheck, Injection, Measurement, RunFacts, Scenario } from "../core/scenario";
import { waitUntil } from "../core/wait";
import { loseNode } from "../faults/node-loss";
import type { PostgresHost } from "./plan";
import type { PostgresSession } from "./session";

/** How long the writer keeps going after writes are back, before the table is read. */
const SETTLE_MS = 2000;

type PgInjection = Injection & { readonly hostname: string };

interface PgDetails {
  readonly predictedSeconds: number | null;
  readonly lostNode: string;
  readonly writesBackSeconds: number | null;
  readonly acknowledged: number;
  readonly lostAcknowledged: number;
  readonly lostSeqs: readonly number[];
  readonly inFlightKept: number;
  readonly acknowledgedBy: Readonly<Record<string, number>>;
  readonly primariesAfter: readonly string[];
  readonly maxPrimariesSeen: number;
  readonly synchronous: boolean;
  /** Asynchronous: the longest an acknowledged and lost write preceded the fault, in seconds. */
  readonly lossWindowSeconds: number;
}

/** Waits until writes succeed again and stay so, then reads the table back and counts. */
async function measureWrites(
  s: PostgresSession,
  injection: PgInjection,
  prediction: FailurePrediction | undefined,
): Promise<Measurement> {
  const wait = s.bound(prediction);
  let maxPrimaries = 0;
  const back = await waitUntil(
    async () => {
      maxPrimaries = Math.max(maxPrimaries, (await s.primaries()).length);
      const after = s.client.records.filter((r) => r.startMs > injection.atMs);
      const last = after.slice(-10);
      return last.length === 10 && last.every((r) => r.outcome === "ok");
    },
    wait,
    200,
  );
  await sleep(SETTLE_MS);
  const after = s.client.records.filter((r) => r.startMs > injection.atMs);
  let firstOfGoodRun: number | null = null;
  if (back !== undefined) {
    let i = after.length - 1;
    while (i > 0 && after[i - 1]?.outcome === "ok") i--;
    firstOfGoodRun = after[i] ? Math.round((after[i]?.endMs as number) - injection.atMs) / 1000 : null;
  }
  const ledger: WriteLedger = await s.ledger();
  const primaries = await s.primaries();
  maxPrimaries = Math.max(maxPrimaries, primaries.length);
  const lostRecords = s.client.records.filter((r) => ledger.lost.includes(r.seq));
  const lossWindowMs = lostRecords.reduce((m, r) => Math.max(m, injection.atMs - r.endMs), 0);
  const details: PgDetails = {
    predictedSeconds: prediction?.recoverySeconds ?? null,
    lostNode: injection.hostname,
    writesBackSeconds: firstOfGoodRun,
    acknowledged: ledger.acknowledged,
    lostAcknowledged: ledger.lost.length,
    lostSeqs: ledger.lost.slice(0, 20),
    inFlightKept: ledger.unacknowledgedPresent.length,
    acknowledgedBy: ledger.acknowledgedBy,
    primariesAfter: primaries,
    maxPrimariesSeen: maxPrimaries,
    synchronous: s.plan.synchronous,
    lossWindowSeconds: Math.round(lossWindowMs) / 1000,
  };
  return {
    measure: "writesBackSeconds",
    details: details as unknown as Record<string, unknown>,
    highlights: [
      `writes back after ${firstOfGoodRun ?? "never"} s`,
      `${ledger.lost.length} of ${ledger.acknowledged} acknowledged writes lost`,
      `primary now ${primaries.join(", ") || "none"}`,
    ],
  };
}

function detailsOf(facts: RunFacts): PgDetails {
  return facts.measurement.details as unknown as PgDetails;
}

/** No acknowledged write lost when commits wait for a standby; within the lag when they do not. */
function acknowledgedWritesKept(facts: RunFacts, lossAllowedSeconds: number): DrillCheck {
  const d = detailsOf(facts);
  if (d.synchronous || lossAllowedSeconds === 0) {
    return {
      name: "no-acknowledged-write-lost",
      passed: d.lostAcknowledged === 0 && d.acknowledged > 0,
      detail: `${d.lostAcknowledged} of ${d.acknowledged} acknowledged writes missing after the fault${d.lostAcknowledged ? ` (seq ${d.lostSeqs.join(", ")})` : ""}`,
    };
  }
  return {
    name: "lost-writes-within-the-lag",
    passed: d.lossWindowSeconds <= lossAllowedSeconds,
    detail: `${d.lostAcknowledged} of ${d.acknowledged} acknowledged writes missing, the oldest acknowledged ${d.lossWindowSeconds} s before the fault (predicted at most ${lossAllowedSeconds} s)`,
  };
}

function onePrimary(facts: RunFacts): DrillCheck {
  const d = detailsOf(facts);
  return {
    name: "one-primary",
    passed: d.maxPrimariesSeen <= 1 && d.primariesAfter.length === 1,
    detail: `at most ${d.maxPrimariesSeen} node(s) answered /primary at once; primary now ${d.primariesAfter.join(", ") || "none"}`,
  };
}

function writesBack(facts: RunFacts): DrillCheck {
  const d = detailsOf(facts);
  return withinPrediction("writes-back", d.writesBackSeconds, d.predictedSeconds ?? undefined);
}

function dataLossSeconds(s: PostgresSession, fault: string): number {
  const p = s.env.report.groups.find((g) => g.topology === s.plan.id && g.role === "database");
  const predictions = (p as { predictions?: FailurePrediction[] } | undefined)?.predictions ?? [];
  const prediction = predictions.find((x) => x.fault === fault) as
    | (FailurePrediction & { dataLossSeconds?: number })
    | undefined;
  return prediction?.dataLossSeconds ?? prediction?.dataLoss?.seconds ?? 0;
}

const nodeMember = (s: PostgresSession) => s.plan.nodes[0]?.container.constructPath;

/** The primary's host lost: links down and every process killed at once. */
export const PRIMARY_LOSS: Scenario<PostgresSession, PgInjection> = {
  name: "primary-loss",
  description:
    "The primary's host lost (links down, every process killed); a replica must take the leader key and the writes",
  predicts: "primary-loss",
  predictionMember: nodeMember,
  async inject(s) {
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
 * recovery keeping every acknowledged write. (The postmaster killed alone leaves its backends
 * running, orphaned; a run with that fault lost one acknowledged write of 93.)
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

/** A replica's host lost (the synchronous standby when there is one). */
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

export const POSTGRES_SCENARIOS = [PRIMARY_LOSS, PRIMARY_POSTGRES_CRASH, REPLICA_LOSS] as const;
