/**
 * A drill scenario: one fault a topology's drill knows how to inject, what it measures after it,
 * and the checks the measurement must pass. It runs against a session its topology drill set up
 * (the stack up and serving, a client probing it); the runner adds the client's figures.
 */
import type { FailurePrediction } from "../../model/availability";
import type { ClientFigures } from "./client-figures";
import type { Spread } from "./measure";
import type { DrillRunResult } from "./run-result";
import type { DrillSession } from "./topology-drill";

/** A check of a run: what the scenario must show. */
export interface DrillCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

/** The fault as injected. */
export interface Injection {
  /** What was done, in words (the run's `fault`). */
  readonly fault: string;
  /** When, monotonic milliseconds; the client's figures count from here. */
  readonly atMs: number;
  /** The node answering clients before the fault: failover counts answers from any other. */
  readonly answeredBefore?: string;
}

/** What a scenario measured after its fault. */
export interface Measurement {
  /**
   * The figure compared with the prediction: `failoverSeconds` or `restoredSeconds` (the
   * client's), or the key of a number in `details`.
   */
  readonly measure: string;
  /** Scenario-specific figures. */
  readonly details: Readonly<Record<string, unknown>>;
  /** Short facts for the run table ("VIP on edge-lb-1"). */
  readonly highlights?: readonly string[];
}

/** Everything known about a run when its checks are made. */
export interface RunFacts {
  readonly injection: Injection;
  readonly measurement: Measurement;
  readonly figures: ClientFigures;
  /** When measuring ended, monotonic milliseconds. */
  readonly endMs: number;
}

/** Spreads of a scenario's details over its runs, and lines for the summary. */
export interface ScenarioSummary {
  readonly details: Readonly<Record<string, Spread>>;
  readonly notes: readonly string[];
}

/**
 * `S` is the session its topology drill sets up; `I` what its inject step hands its measure
 * step (an `Injection` plus whatever the scenario needs to undo or measure its fault).
 */
export interface Scenario<S extends DrillSession = DrillSession, I extends Injection = Injection> {
  readonly name: string;
  readonly description: string;
  /**
   * The fault name in ha-report.json whose predicted recovery this scenario checks
   * (`node-loss`, `proxy-process-death`, ...); undefined when the analysis predicts none.
   */
  readonly predicts?: string;
  /** Construct path of the member whose redundancy group's prediction applies. */
  predictionMember?(session: S): string | undefined;
  inject(session: S): Promise<I>;
  /** Measures after the fault; `prediction` (from ha-report.json, when there is one) may bound its waits. */
  measure(session: S, injection: I, prediction: FailurePrediction | undefined): Promise<Measurement>;
  checks(session: S, facts: RunFacts): readonly DrillCheck[];
  summarize?(results: readonly DrillRunResult[]): ScenarioSummary;
}
