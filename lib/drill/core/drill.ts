/**
 * Drills a synthesized Docker stack: reads it and its report, finds the topologies it holds,
 * checks the scenario names against theirs, checks the machine, runs each scenario `runs` times
 * (each in a fresh lab) and summarizes. Used by the `ha-drill` command and tests.
 */

import { checkDrillAddresses } from "./addresses";
import { DrillError } from "./drill-error";
import type { Lab, LabFactory } from "./lab";
import { NamespaceLab } from "./namespace-lab";
import { preflight } from "./preflight";
import { DrillRegistry } from "./registry";
import { type DrillRunResult, type DrillSummary, summarize } from "./run-result";
import { runScenario } from "./runner";
import { loadStack } from "./stack-file";
import { StackReport } from "./stack-report";
import type { DrillTimings, TopologyDrill } from "./topology-drill";

export interface DrillOptions {
  /** Path of the synthesized `cdk.tf.json`. */
  readonly stackFile: string;
  /** The topology drills to recognize the stack's topologies with. */
  readonly drills: readonly TopologyDrill[];
  /** Scenarios to run, by name. @default - every scenario the stack's topologies offer */
  readonly scenarios?: readonly string[];
  /** Runs per scenario. @default 3 */
  readonly runs?: number;
  /** Allow subnets outside 198.18.0.0/15. @default false */
  readonly allowAnyAddresses?: boolean;
  readonly timings?: DrillTimings;
  /** Where each run's lab comes from. @default NamespaceLab.create */
  readonly createLab?: LabFactory;
  /** Progress messages (one line each). */
  readonly progress?: (message: string) => void;
  /** Called with each run's result as soon as it is known. */
  readonly onResult?: (result: DrillRunResult) => void;
  /** Tear down and exit on SIGINT/SIGTERM. @default true */
  readonly handleSignals?: boolean;
  /** Keep each run's work directory (daemon logs). @default false */
  readonly keepLogs?: boolean;
}

export interface DrillOutcome {
  readonly stack: string;
  readonly results: readonly DrillRunResult[];
  readonly summaries: readonly DrillSummary[];
}

/** While a drill runs: SIGINT/SIGTERM tear down the current lab and exit 130/143. */
function trapSignals(options: DrillOptions, current: () => Lab | undefined): () => void {
  if (!(options.handleSignals ?? true)) return () => undefined;
  let exiting = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    options.progress?.(`${signal}: tearing down the lab`);
    void (current()?.teardown() ?? Promise.resolve([])).finally(() =>
      process.exit(signal === "SIGINT" ? 130 : 143),
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  };
}

/**
 * Runs the drill: every selected scenario `runs` times, each run in a fresh lab that is torn
 * down afterwards, also on error and (unless handleSignals is false) on SIGINT/SIGTERM.
 */
export async function runDrill(options: DrillOptions): Promise<DrillOutcome> {
  const runs = options.runs ?? 3;
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    throw new DrillError(`runs must be a whole number from 1 to 100, got ${runs}`);
  }
  const stack = loadStack(options.stackFile);
  checkDrillAddresses(stack, options.allowAnyAddresses ?? false);
  const report = StackReport.besideStack(options.stackFile);
  const targets = new DrillRegistry(options.drills).targets(stack, report);
  const selected = DrillRegistry.select(targets, options.scenarios);
  preflight(stack);
  let current: Lab | undefined;
  const release = trapSignals(options, () => current);
  const results: DrillRunResult[] = [];
  const summaries: DrillSummary[] = [];
  const ctx = {
    stack,
    report,
    createLab: options.createLab ?? NamespaceLab.create,
    ...(options.timings ? { timings: options.timings } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
    onLab: (lab: Lab | undefined) => {
      current = lab;
    },
    keepLogs: options.keepLogs ?? false,
  };
  try {
    for (const { target, scenario } of selected) {
      const mine: DrillRunResult[] = [];
      for (let run = 1; run <= runs; run++) {
        const result = await runScenario(ctx, target, scenario, run, runs);
        mine.push(result);
        results.push(result);
        options.onResult?.(result);
      }
      summaries.push(summarize(scenario, mine));
    }
  } finally {
    release();
  }
  return { stack: stack.name, results, summaries };
}
