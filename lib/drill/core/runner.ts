/**
 * Runs one scenario once: a fresh lab, the topology's set-up, the fault, the measurement, the
 * checks; the lab is always torn down. Topology-neutral: everything specific comes from the
 * target and the scenario.
 */
import type { FailurePrediction } from "../../model/availability";
import { clientFigures } from "./client-figures";
import { DrillError } from "./drill-error";
import type { Lab, LabFactory } from "./lab";
import { roundSeconds } from "./measure";
import { lossSummary } from "./path-meter";
import { nowMs } from "./proc";
import type { DrillRunResult } from "./run-result";
import type { Scenario } from "./scenario";
import type { DrillStack } from "./stack";
import type { StackReport } from "./stack-report";
import { stallSummary } from "./stall-meter";
import type { DrillSession, DrillTarget, DrillTimings, RunEnv } from "./topology-drill";

export interface RunContext {
  readonly stack: DrillStack;
  readonly report: StackReport;
  readonly createLab: LabFactory;
  readonly timings?: DrillTimings;
  readonly progress?: (message: string) => void;
  /** Called with each lab as it is made (and undefined when it is gone), so that an interrupt can tear it down. */
  readonly onLab?: (lab: Lab | undefined) => void;
  /** Keep each run's work directory (daemon logs). */
  readonly keepLogs?: boolean;
}

export function fullTimings(t: DrillTimings = {}): Required<DrillTimings> {
  return {
    intervalMs: t.intervalMs ?? 15,
    requestTimeoutMs: t.requestTimeoutMs ?? 500,
    partitionSeconds: t.partitionSeconds ?? 3,
    settleSeconds: t.settleSeconds ?? 2,
  };
}

async function closeAll(ctx: RunContext, lab: Lab | undefined, session: DrillSession | undefined) {
  const problems: string[] = [];
  try {
    problems.push(...((await session?.close()) ?? []));
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (lab) {
    problems.push(...(await lab.teardown()));
    if (ctx.keepLogs) ctx.progress?.(`logs kept in ${lab.workDir}/logs`);
  }
  ctx.onLab?.(undefined);
  if (problems.length) ctx.progress?.(`cleanup problems: ${problems.join("; ")}`);
}

/** Runs `scenario` of `target` once in a fresh lab. */
export async function runScenario<S extends DrillSession>(
  ctx: RunContext,
  target: DrillTarget<S>,
  scenario: Scenario<S>,
  run = 1,
  runs = 1,
): Promise<DrillRunResult> {
  const started = nowMs();
  const env: RunEnv = {
    timings: fullTimings(ctx.timings),
    report: ctx.report,
    say: (message) => ctx.progress?.(`${scenario.name} ${run}/${runs}: ${message}`),
  };
  let lab: Lab | undefined;
  let session: S | undefined;
  try {
    env.say("creating the lab");
    lab = await ctx.createLab(ctx.stack, { ...target.labOptions, keepWorkDir: ctx.keepLogs ?? false });
    ctx.onLab?.(lab);
    session = await target.setUp(lab, env);
    const prediction: FailurePrediction | undefined = scenario.predicts
      ? ctx.report.forMember(scenario.predictionMember?.(session), scenario.predicts)
      : undefined;
    const injection = await scenario.inject(session);
    const measurement = await scenario.measure(session, injection, prediction);
    const endMs = nowMs();
    const figures = clientFigures(session.client.records, injection.atMs, endMs, injection.answeredBefore);
    const checks = scenario.checks(session, { injection, measurement, figures, endMs });
    const stalls = await lab.cpuStalls?.();
    const late = lab.pathStalls?.();
    const m = measurement.measure;
    const measured =
      m === "failoverSeconds" || m === "restoredSeconds"
        ? figures[m]
        : ((measurement.details[m] as number | null | undefined) ?? null);
    return {
      type: "run",
      stack: ctx.stack.name,
      topology: target.topology,
      target: target.name,
      scenario: scenario.name,
      run,
      runs,
      fault: injection.fault,
      service: session.client.target,
      predictedSeconds: prediction?.recoverySeconds ?? null,
      measuredSeconds: measured,
      measure: m,
      ...(prediction ? { prediction } : {}),
      ...figures,
      details: measurement.details,
      highlights: measurement.highlights ?? [],
      checks,
      passed: checks.every((c) => c.passed),
      durationSeconds: roundSeconds(nowMs() - started),
      ...(lab.emulatedCpuHosts?.length ? { emulatedCpuHosts: lab.emulatedCpuHosts } : {}),
      ...(stalls
        ? {
            emulatedCpuStalls: stallSummary(stalls.stalls, stalls.thresholdMs, injection.atMs, endMs),
            hostCpuStalls: stallSummary(stalls.hostStalls, stalls.thresholdMs, injection.atMs, endMs),
          }
        : {}),
      ...(late
        ? {
            emulatedPathStalls: {
              ...stallSummary(late.stalls, late.thresholdMs, injection.atMs, endMs),
              answers: late.answers,
            },
            emulatedPathLosses: lossSummary(late.losses, injection.atMs, endMs),
          }
        : {}),
    };
  } catch (e) {
    if (e instanceof DrillError) throw new DrillError(`${scenario.name} run ${run}: ${e.message}`);
    throw e;
  } finally {
    await closeAll(ctx, lab, session);
  }
}
