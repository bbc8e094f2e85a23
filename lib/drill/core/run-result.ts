/** What a run and a scenario's runs report: one JSON line each of `ha-drill --json`. */
import type { FailurePrediction } from "../../model/availability";
import type { RequestCounts, Spread } from "./measure";
import { spread } from "./measure";
import type { DrillCheck, Scenario } from "./scenario";

/** The figures of one run. */
export interface DrillRunResult {
  readonly type: "run";
  readonly stack: string;
  readonly topology: string;
  /** The topology instance (its target name). */
  readonly target: string;
  readonly scenario: string;
  readonly run: number;
  readonly runs: number;
  readonly fault: string;
  /** What the client probed. */
  readonly service: string;
  /** The analysis' predicted recovery for this fault, seconds (null: none predicted). */
  readonly predictedSeconds: number | null;
  /** The measured figure compared with the prediction, seconds (null: not reached). */
  readonly measuredSeconds: number | null;
  /** Which figure `measuredSeconds` is. */
  readonly measure: string;
  readonly prediction?: FailurePrediction;
  /** Fault → first successful answer through another node (null: none). */
  readonly failoverSeconds: number | null;
  /** Fault → first success after the last failure (0: nothing failed). */
  readonly restoredSeconds: number | null;
  readonly longestGapSeconds: number;
  readonly requests: RequestCounts;
  /** Scenario-specific figures (the topology's: VIP holders, duplicate VIP, ...). */
  readonly details: Readonly<Record<string, unknown>>;
  /** Short facts for the run table. */
  readonly highlights: readonly string[];
  readonly checks: readonly DrillCheck[];
  readonly passed: boolean;
  readonly durationSeconds: number;
  /** Hosts that ran on an emulated CPU (a split lab's VM hosts): their timings are slower than real. */
  readonly emulatedCpuHosts?: readonly string[];
  /**
   * When the emulated CPU left a ready thread waiting from 10 s before the fault to the run's
   * end (gaps later than its meter's period by `thresholdMs` or more), each from the fault.
   */
  readonly emulatedCpuStalls?: StallSummary;
  /** The same, measured here beside the hosts that run on this machine's CPU (a split lab). */
  readonly hostCpuStalls?: StallSummary;
  /**
   * When the emulated hosts answered an echo from this machine `thresholdMs` or more late (the
   * way into the VM held packets back), merged over the hosts, each stretch given by its
   * longest-held answer, over the same span; `answers`
   * counts every answer since the lab started (0: not measured after all).
   */
  readonly emulatedPathStalls?: StallSummary & { readonly answers: number };
  /**
   * Runs of echoes to the emulated hosts never answered, over the same span (see `path-meter.ts`):
   * a host a fault silenced shows its fault here; any other host's is the way in dropping packets.
   */
  readonly emulatedPathLosses?: EchoLossSummary;
}

export interface EchoLossSummary {
  /** Runs of lost echoes, and the echoes lost in all. */
  readonly count: number;
  readonly echoes: number;
  /** The longest run, from the last answered echo's request to the next one's. */
  readonly longestMs: number;
  /** The first 30: host, start from the fault, span and echoes lost. */
  readonly losses: ReadonlyArray<{
    readonly host: string;
    readonly startSeconds: number;
    readonly ms: number;
    readonly echoes: number;
  }>;
}

export interface StallSummary {
  readonly thresholdMs: number;
  readonly count: number;
  readonly longestMs: number;
  readonly stalls: ReadonlyArray<{ readonly startSeconds: number; readonly ms: number }>;
}

/** min/median/max of a scenario's runs. */
export interface DrillSummary {
  readonly type: "summary";
  readonly stack: string;
  readonly topology: string;
  readonly target: string;
  readonly scenario: string;
  readonly runs: number;
  readonly passedRuns: number;
  readonly predictedSeconds: number | null;
  readonly measure: string;
  readonly measuredSeconds: Spread;
  readonly failoverSeconds: Spread;
  readonly restoredSeconds: Spread;
  readonly longestGapSeconds: Spread;
  readonly failedRequests: Spread;
  /** Scenario-specific spreads (failback, split-brain onset, duplicate VIP, ...). */
  readonly details: Readonly<Record<string, Spread>>;
  /** Scenario-specific lines for the summary table. */
  readonly notes: readonly string[];
  readonly failedChecks: readonly string[];
}

/** min/median/max over the runs of one scenario on one target. */
export function summarize(
  scenario: Pick<Scenario, "name" | "summarize">,
  results: readonly DrillRunResult[],
): DrillSummary {
  const first = results[0];
  const own = scenario.summarize?.(results) ?? { details: {}, notes: [] };
  return {
    type: "summary",
    stack: first?.stack ?? "",
    topology: first?.topology ?? "",
    target: first?.target ?? "",
    scenario: scenario.name,
    runs: results.length,
    passedRuns: results.filter((r) => r.passed).length,
    predictedSeconds: first?.predictedSeconds ?? null,
    measure: first?.measure ?? "",
    measuredSeconds: spread(results.map((r) => r.measuredSeconds)),
    failoverSeconds: spread(results.map((r) => r.failoverSeconds)),
    restoredSeconds: spread(results.map((r) => r.restoredSeconds)),
    longestGapSeconds: spread(results.map((r) => r.longestGapSeconds)),
    failedRequests: spread(results.map((r) => r.requests.failed)),
    details: own.details,
    notes: own.notes,
    failedChecks: [
      ...new Set(
        results.flatMap((r) =>
          r.checks.filter((c) => !c.passed).map((c) => `run ${r.run}: ${c.name} (${c.detail})`),
        ),
      ),
    ],
  };
}
