/**
 * What every replicated PostgreSQL scenario measures alike: when writes are back through the
 * read-write port, the acknowledged writes missing on read-back, and how many nodes said they
 * were primary at once; and the checks made of them.
 */
import type { FailurePrediction } from "../../model/availability";
import type { WriteLedger } from "../clients/sql";
import { withinPrediction } from "../core/prediction-check";
import { sleep } from "../core/proc";
import type { DrillCheck, Injection, Measurement, RunFacts } from "../core/scenario";
import { waitUntil } from "../core/wait";
import type { PostgresSession } from "./session";

/** How long the writer keeps going after writes are back, before the table is read. */
const SETTLE_MS = 2000;

export type PgInjection = Injection & { readonly hostname: string };

export interface PgDetails {
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
  /** The first lost writes: who acknowledged each, and when it ended against the fault. */
  readonly lostWrites: ReadonlyArray<{
    seq: number;
    acknowledgedBy: string | null;
    endedAfterFaultSeconds: number;
  }>;
}

/** Waits until writes succeed again and stay so, then reads the table back and counts. */
export async function measureWrites(
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
  // A scenario with an earlier fault (a loss before a return) measures loss from that one.
  const faultMs = (injection as { lostAtMs?: number }).lostAtMs ?? injection.atMs;
  const lossWindowMs = lostRecords.reduce((m, r) => Math.max(m, faultMs - r.endMs), 0);
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
    lostWrites: lostRecords.slice(0, 10).map((r) => ({
      seq: r.seq,
      acknowledgedBy: r.answeredBy ?? null,
      endedAfterFaultSeconds: Math.round(r.endMs - faultMs) / 1000,
    })),
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

export function detailsOf(facts: RunFacts): PgDetails {
  return facts.measurement.details as unknown as PgDetails;
}

/** No acknowledged write lost when commits wait for a standby; within the lag when they do not. */
export function acknowledgedWritesKept(facts: RunFacts, lossAllowedSeconds: number): DrillCheck {
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

export function onePrimary(facts: RunFacts): DrillCheck {
  const d = detailsOf(facts);
  return {
    name: "one-primary",
    passed: d.maxPrimariesSeen <= 1 && d.primariesAfter.length === 1,
    detail: `at most ${d.maxPrimariesSeen} node(s) answered /primary at once; primary now ${d.primariesAfter.join(", ") || "none"}`,
  };
}

export function writesBack(facts: RunFacts): DrillCheck {
  const d = detailsOf(facts);
  return withinPrediction("writes-back", d.writesBackSeconds, d.predictedSeconds ?? undefined);
}

export function dataLossSeconds(s: PostgresSession, fault: string): number {
  const p = s.env.report.groups.find((g) => g.topology === s.plan.id && g.role === "database");
  const predictions = (p as { predictions?: FailurePrediction[] } | undefined)?.predictions ?? [];
  const prediction = predictions.find((x) => x.fault === fault) as
    | (FailurePrediction & { dataLossSeconds?: number })
    | undefined;
  return prediction?.dataLossSeconds ?? prediction?.dataLoss?.seconds ?? 0;
}
