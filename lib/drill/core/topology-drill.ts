/**
 * A topology drill: recognizes its topology in a synthesized stack and, for each instance it
 * finds, offers scenarios and brings the instance to a steady, served state in a fresh lab.
 * The runner knows nothing else of a topology.
 */
import type { DrillClient } from "../clients/client";
import type { Lab, LabOptions } from "./lab";
import type { Scenario } from "./scenario";
import type { DrillStack } from "./stack";
import type { StackReport } from "./stack-report";

export interface DrillTimings {
  /** Milliseconds between client requests. @default 15 */
  readonly intervalMs?: number;
  /** Time limit of one client request. @default 500 */
  readonly requestTimeoutMs?: number;
  /** Seconds a partition lasts before it is healed. @default 3 */
  readonly partitionSeconds?: number;
  /** Seconds the drill keeps measuring after service is back. @default 2 */
  readonly settleSeconds?: number;
}

/** What a run's set-up gets besides the lab. */
export interface RunEnv {
  readonly timings: Required<DrillTimings>;
  readonly report: StackReport;
  /** A progress line. */
  say(message: string): void;
}

/** A topology instance up and served in a lab, with the client that measures it. */
export interface DrillSession {
  readonly lab: Lab;
  readonly client: DrillClient;
  /** Ends what the session started (watchers, the client); what went wrong doing so. */
  close(): Promise<string[]>;
}

/** One instance of a topology in a stack. */
export interface DrillTarget<S extends DrillSession = DrillSession> {
  readonly topology: string;
  /** Names the instance in lists and results (e.g. the service address). */
  readonly name: string;
  readonly scenarios: readonly Scenario<S>[];
  /** What the lab must know for it (stand-in ports, floating addresses). */
  readonly labOptions: LabOptions;
  /** What `ha-drill --list` shows of it besides its scenarios. */
  describe(): Readonly<Record<string, unknown>>;
  /** Starts the instance in a fresh lab and waits, bounded, until it serves steadily. */
  setUp(lab: Lab, env: RunEnv): Promise<S>;
}

export interface TopologyDrill {
  readonly topology: string;
  /**
   * The instances of this topology in `stack` (e.g. found by its daemons' files, container
   * metadata, or the report's groups); empty when there are none. Throws a DrillError when an
   * instance is there but cannot be drilled.
   */
  recognize(stack: DrillStack, report: StackReport): readonly DrillTarget[];
}
