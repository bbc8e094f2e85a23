/**
 * How long a machine's CPU left a ready thread waiting: a worker thread asks to run every
 * `periodMs` and records every gap between two of its runs that is later than that by
 * `thresholdMs` or more. Run in a VM's half of a split lab it tells, after a drill, whether the
 * guest stalled (an emulated CPU taken by something else, or saturated) when a timer-driven
 * daemon there (BFD, VRRP) missed its beat. A worker thread of its own, so that the process's own work (spawning a host's command,
 * parsing a reply) does not count as the machine's.
 */
import { Worker } from "node:worker_threads";
import type { StallSummary } from "./run-result";

/**
 * One gap: the meter's thread did not run for `gapMs` until `endMs`, on the meter's own monotonic
 * clock (a guest's wall clock may be stepped after a stall; the monotonic one is not).
 */
export interface CpuStall {
  readonly endMs: number;
  readonly gapMs: number;
}

/** What a meter saw, with its clock at the answer (to map the stalls onto another clock). */
export interface StallReading {
  readonly nowMs: number;
  readonly thresholdMs: number;
  readonly stalls: readonly CpuStall[];
}

/** The stalls kept at most (the longest are not preferred: the first are, in time order). */
const KEEP = 2000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { periodMs, thresholdMs, keep } = workerData;
const stalls = [];
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const gap = now - last;
  last = now;
  if (gap - periodMs >= thresholdMs && stalls.length < keep) {
    stalls.push({ endMs: Math.round(now), gapMs: Math.round(gap) });
  }
}, periodMs);
parentPort.on("message", () =>
  parentPort.postMessage({ nowMs: Math.round(performance.now()), stalls: stalls.slice() }),
);
`;

export class StallMeter {
  private constructor(
    private readonly worker: Worker,
    public readonly thresholdMs: number,
  ) {}

  /** Starts measuring; the worker does not keep the process alive. */
  public static start(periodMs = 20, thresholdMs = 150): StallMeter {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { periodMs, thresholdMs, keep: KEEP },
    });
    worker.unref();
    return new StallMeter(worker, thresholdMs);
  }

  /** Every stall since the start (the first `KEEP`), with the meter's clock now. */
  public read(timeoutMs = 5000): Promise<StallReading> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.worker.off("message", onMessage);
        reject(new Error(`the stall meter gave no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onMessage = (m: { nowMs: number; stalls: CpuStall[] }) => {
        clearTimeout(timer);
        resolve({ nowMs: m.nowMs, thresholdMs: this.thresholdMs, stalls: m.stalls });
      };
      this.worker.once("message", onMessage);
      this.worker.postMessage("read");
    });
  }

  public stop(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * A reading taken on another machine, moved onto a clock here (any: the drill's `nowMs`):
 * `askedMs` and `answeredMs` bracket the request on it, and the other machine's `nowMs` is taken
 * as their middle.
 */
export function onThisClock(reading: StallReading, askedMs: number, answeredMs: number): CpuStall[] {
  const shift = (askedMs + answeredMs) / 2 - reading.nowMs;
  return reading.stalls.map((s) => ({ endMs: Math.round(s.endMs + shift), gapMs: s.gapMs }));
}

/**
 * The gaps a run reports (stalls, lost echoes): from 10 s before the fault to the run's end, the
 * first 30 listed against the fault, with the count and the longest.
 */
export function gapsOfRun<G extends CpuStall, L>(
  gaps: readonly G[],
  faultMs: number,
  endMs: number,
  listed: (gap: G, at: { readonly startSeconds: number; readonly ms: number }) => L,
): {
  readonly count: number;
  readonly longestMs: number;
  readonly during: readonly G[];
  readonly listed: L[];
} {
  const during = gaps.filter((g) => g.endMs >= faultMs - 10_000 && g.endMs - g.gapMs <= endMs);
  return {
    count: during.length,
    longestMs: during.reduce((m, g) => Math.max(m, g.gapMs), 0),
    during,
    listed: during
      .slice(0, 30)
      .map((g) => listed(g, { startSeconds: Math.round(g.endMs - g.gapMs - faultMs) / 1000, ms: g.gapMs })),
  };
}

/** The stalls as a run reports them: counted, the longest, and each against the fault. */
export function stallSummary(
  stalls: readonly CpuStall[],
  thresholdMs: number,
  faultMs: number,
  endMs: number,
): StallSummary {
  const run = gapsOfRun(stalls, faultMs, endMs, (_s, at) => at);
  return { thresholdMs, count: run.count, longestMs: run.longestMs, stalls: run.listed };
}
