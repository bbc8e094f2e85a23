/**
 * Drills a synthesized Docker stack: checks the machine, reads the stack, runs the scenarios the
 * stack's topology has, and summarizes repeated runs. Used by the `ha-drill` command and tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Lab } from "./lab";
import { type Spread, spread } from "./measure";
import { Predictions } from "./prediction";
import { checkDrillAddresses, DrillError, type DrillStack, parseDockerStack } from "./stack";
import {
  type DrillRunResult,
  type DrillTimings,
  runVipPairScenario,
  VIP_PAIR_SCENARIOS,
  type VipPairScenario,
} from "./vip-pair-drill";
import { planVipPair, type VipPairPlan } from "./vip-pair-plan";

export interface DrillOptions {
  /** Path of the synthesized `cdk.tf.json`. */
  readonly stackFile: string;
  /** Scenarios to run. @default - all scenarios of the stack's topology */
  readonly scenarios?: readonly VipPairScenario[];
  /** Runs per scenario. @default 3 */
  readonly runs?: number;
  /** Allow subnets outside 198.18.0.0/15. @default false */
  readonly allowAnyAddresses?: boolean;
  readonly timings?: DrillTimings;
  /** Progress messages (one line each). */
  readonly progress?: (message: string) => void;
  /** Called with each run's result as soon as it is known. */
  readonly onResult?: (result: DrillRunResult) => void;
  /** Tear down and exit on SIGINT/SIGTERM. @default true */
  readonly handleSignals?: boolean;
  /** Keep each run's work directory (daemon logs). @default false */
  readonly keepLogs?: boolean;
}

/** min/median/max of a scenario's runs (one JSON line of `ha-drill --json` after its runs). */
export interface DrillSummary {
  readonly type: "summary";
  readonly stack: string;
  readonly scenario: VipPairScenario;
  readonly runs: number;
  readonly passedRuns: number;
  readonly predictedSeconds: number | null;
  readonly measure: string;
  readonly measuredSeconds: Spread;
  readonly failoverSeconds: Spread;
  readonly restoredSeconds: Spread;
  readonly longestGapSeconds: Spread;
  readonly failedRequests: Spread;
  readonly duplicateVipSeconds: Spread;
  /** Scenario-specific spreads (failback, split-brain onset, ...). */
  readonly details: Readonly<Record<string, Spread>>;
  readonly failedChecks: readonly string[];
}

export interface DrillOutcome {
  readonly stack: string;
  readonly results: readonly DrillRunResult[];
  readonly summaries: readonly DrillSummary[];
}

/** Binaries a drill runs itself. */
const TOOLS = ["ip", "nsenter", "unshare", "setpriv", "nft", "mount"];

function onPath(binary: string): boolean {
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
  return dirs.some((d) => {
    try {
      fs.accessSync(path.join(d, binary), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Throws a DrillError unless this machine can run drills: Linux, root, the tools and the
 * programs the stack's containers run (from the Debian packages their images install).
 */
export function preflight(stack?: DrillStack): void {
  if (process.platform !== "linux") {
    throw new DrillError(`drills need Linux network namespaces; this is ${process.platform}`);
  }
  if (process.getuid?.() !== 0) {
    throw new DrillError("drills create network namespaces and must run as root (try sudo)");
  }
  const missing = TOOLS.filter((t) => !onPath(t));
  for (const f of ["/bin/sh", "/usr/bin/python3"]) if (!fs.existsSync(f)) missing.push(f);
  for (const c of stack?.containers ?? []) {
    const uploaded = new Set(c.uploads.map((u) => u.file));
    const programs = c.command ? [c.command[0] as string] : [];
    // The generated supervisor names each program it runs: `supervise NAME /path ...`.
    for (const u of c.uploads) {
      for (const m of u.content.matchAll(/^supervise \S+ (\/\S+)/gm)) programs.push(m[1] as string);
    }
    for (const p of programs)
      if (!uploaded.has(p) && !fs.existsSync(p) && !missing.includes(p)) missing.push(p);
  }
  if (missing.length) {
    throw new DrillError(
      `missing on this machine: ${missing.join(", ")} (install the Debian packages the stack's images use, e.g. keepalived haproxy curl iproute2 nftables python3 util-linux)`,
    );
  }
}

/** Reads and parses a synthesized stack; its name is the folder name (`stacks/<name>/`). */
export function loadStack(stackFile: string): DrillStack {
  let text: string;
  try {
    text = fs.readFileSync(stackFile, "utf8");
  } catch (e) {
    throw new DrillError(`cannot read ${stackFile}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DrillError(`${stackFile} is not JSON: ${(e as Error).message}`);
  }
  return parseDockerStack(doc, path.basename(path.dirname(path.resolve(stackFile))));
}

/** The scenarios a stack's topology supports, and its plan. */
export function drillPlan(stack: DrillStack): {
  topology: "vip-pair";
  plan: VipPairPlan;
  scenarios: readonly VipPairScenario[];
} {
  return { topology: "vip-pair", plan: planVipPair(stack), scenarios: VIP_PAIR_SCENARIOS };
}

const DETAIL_SPREADS: Partial<Record<VipPairScenario, string[]>> = {
  "master-restart": [
    "vipBackAfterRestartSeconds",
    "answersBackAfterRestartSeconds",
    "longestGapAfterRestartSeconds",
  ],
  partition: ["splitBrainAfterSeconds", "singleHolderAfterHealSeconds", "clientRestoredAfterHealSeconds"],
};

/** min/median/max over the runs of one scenario. */
export function summarize(
  stack: string,
  scenario: VipPairScenario,
  results: readonly DrillRunResult[],
): DrillSummary {
  const first = results[0];
  const details: Record<string, Spread> = {};
  for (const key of DETAIL_SPREADS[scenario] ?? []) {
    details[key] = spread(results.map((r) => r.details[key] as number | null | undefined));
  }
  if (scenario === "partition") {
    const split = results.filter((r) => r.details.splitBrain === true).length;
    details.splitBrainRuns = { min: split, median: split, max: split, n: results.length };
  }
  return {
    type: "summary",
    stack,
    scenario,
    runs: results.length,
    passedRuns: results.filter((r) => r.passed).length,
    predictedSeconds: first?.predictedSeconds ?? null,
    measure: first?.measure ?? "",
    measuredSeconds: spread(results.map((r) => r.measuredSeconds)),
    failoverSeconds: spread(results.map((r) => r.failoverSeconds)),
    restoredSeconds: spread(results.map((r) => r.restoredSeconds)),
    longestGapSeconds: spread(results.map((r) => r.longestGapSeconds)),
    failedRequests: spread(results.map((r) => r.requests.failed)),
    duplicateVipSeconds: spread(results.map((r) => r.duplicateVip.seconds)),
    details,
    failedChecks: [
      ...new Set(
        results.flatMap((r) =>
          r.checks.filter((c) => !c.passed).map((c) => `run ${r.run}: ${c.name} (${c.detail})`),
        ),
      ),
    ],
  };
}

/**
 * Runs the drill: every requested scenario `runs` times, each run in a fresh lab that is torn
 * down afterwards, also on error and (unless handleSignals is false) on SIGINT/SIGTERM.
 */
export async function runDrill(options: DrillOptions): Promise<DrillOutcome> {
  const runs = options.runs ?? 3;
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    throw new DrillError(`runs must be a whole number from 1 to 100, got ${runs}`);
  }
  const stack = loadStack(options.stackFile);
  checkDrillAddresses(stack, options.allowAnyAddresses ?? false);
  const { plan, scenarios: supported } = drillPlan(stack);
  const scenarios = options.scenarios ?? supported;
  for (const s of scenarios) {
    if (!supported.includes(s))
      throw new DrillError(`unknown scenario ${s}; use one of ${supported.join(", ")} or all`);
  }
  preflight(stack);
  const predictions = Predictions.besideStack(options.stackFile);

  let current: Lab | undefined;
  let exiting = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    options.progress?.(`${signal}: tearing down the lab`);
    void (current?.teardown() ?? Promise.resolve([])).finally(() =>
      process.exit(signal === "SIGINT" ? 130 : 143),
    );
  };
  const handle = options.handleSignals ?? true;
  if (handle) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  const results: DrillRunResult[] = [];
  const summaries: DrillSummary[] = [];
  try {
    for (const scenario of scenarios) {
      const mine: DrillRunResult[] = [];
      for (let run = 1; run <= runs; run++) {
        const result = await runVipPairScenario(
          {
            stack,
            plan,
            predictions,
            ...(options.timings ? { timings: options.timings } : {}),
            ...(options.progress ? { progress: options.progress } : {}),
            onLab: (lab) => {
              current = lab;
            },
            keepLogs: options.keepLogs ?? false,
          },
          scenario,
          run,
          runs,
        );
        mine.push(result);
        results.push(result);
        options.onResult?.(result);
      }
      summaries.push(summarize(stack.name, scenario, mine));
    }
  } finally {
    if (handle) {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    }
  }
  return { stack: stack.name, results, summaries };
}
