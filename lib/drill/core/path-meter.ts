/**
 * How late a VM's hosts answer an echo from this machine: `ping` every `intervalMs` from a place
 * here to each host's address, and every answer `thresholdMs` or more after its request is a
 * stretch in which the way into the VM (tap device, qemu's network, the guest's kernel) held
 * packets back. The guest's kernel answers an echo itself, so this sees what the CPU meter in the
 * guest (one thread, on one vCPU) can miss: a stall of the whole guest holds every packet of
 * every host at once, and a timer-driven daemon beside it (BFD, VRRP) misses its beat then.
 *
 * Echoes never answered are told apart: each run of them between two answers from one host is a
 * loss, spanning from the last answered echo's request to the next one's. A host a fault silenced
 * shows its fault as a loss; any other host's loss is the way in dropping packets, which no late
 * answer shows. Echoes still unanswered at the end are not counted (they may be on their way).
 */
import type { ChildProcess } from "node:child_process";
import { DrillError } from "./drill-error";
import { findOnPath } from "./preflight";
import { nowMs } from "./proc";
import type { EchoLossSummary } from "./run-result";
import { type CpuStall, gapsOfRun } from "./stall-meter";

/** One host to echo: its address, from a place on its network. */
export interface EchoTarget {
  readonly host: string;
  readonly place: string;
  readonly address: string;
}

/** Starts a long-lived command in a place (`Lab.spawn`). */
export type SpawnIn = (place: string, argv: readonly string[], label: string) => ChildProcess;

/** What the meter saw, on the drill's clock (`nowMs`). */
export interface PathReading {
  readonly thresholdMs: number;
  /** Answers received in all (0: the meter saw nothing, whatever `stalls` says). */
  readonly answers: number;
  /** Stretches in which some host's answers came `thresholdMs` or more late, merged over every host, each as its longest hold. */
  readonly stalls: readonly CpuStall[];
  /**
   * Runs of echoes a host never answered between two it did, in time order (see the top of the
   * file), at most `MAX_LOSSES` (the first).
   */
  readonly losses: readonly EchoLoss[];
}

/**
 * A run of unanswered echoes to `host`: no echo requested from `endMs − gapMs` (the last answered
 * one) to `endMs` (the next answered one) was answered but those two; `echoes` were lost.
 */
export interface EchoLoss extends CpuStall {
  readonly host: string;
  readonly echoes: number;
}

/** An answer: when `ping` printed it (wall clock, ms) and how long it took; its sequence number. */
export interface EchoAnswer {
  readonly wallMs: number;
  readonly rttMs: number;
  readonly seq?: number;
}

/** The losses kept at most (the first, in time order). */
export const MAX_LOSSES = 1000;

/** The late answers kept at most (the first, in time order). */
const KEEP = 20_000;
/**
 * Answers kept per host for the losses: 50 minutes at 20 a second (a lab lives minutes), before
 * ping's 16-bit sequence numbers wrap.
 */
const MAX_SEQUENCED = 60_000;

/** One line of `ping -n -D`: `[1796317199.235014] 64 bytes from a: icmp_seq=1 ttl=64 time=0.025 ms`. */
export function parseEchoLine(line: string): EchoAnswer | undefined {
  const m = /^\[(\d+(?:\.\d+)?)\] \d+ bytes from [^:]+: icmp_seq=(\d+) .*\btime=(\d+(?:\.\d+)?) ms/.exec(
    line,
  );
  if (!m) return undefined;
  return { wallMs: Number(m[1]) * 1000, rttMs: Number(m[3]), seq: Number(m[2]) };
}

/**
 * The holds in the answers at least `thresholdMs` late, on the drill's clock (`wallOffsetMs` =
 * wall clock − drill clock): answers whose spans `[answered − rtt, answered]` overlap are one
 * stretch, and each stretch is given by its longest-held answer: how long that one was held
 * (`gapMs`) and when it came (`endMs`). A stall of 400 ms is seen as answers 400, 350, 300 … ms late that
 * all came back together: one hold of 400 ms. Seconds of answers each 160 ms late (a slow, not a
 * stopped, way in) are one hold of 160 ms, not one as long as the seconds: a daemon's timer sees
 * its packets late by that much, and as often as they were sent.
 */
export function lateStretches(
  answers: readonly EchoAnswer[],
  thresholdMs: number,
  wallOffsetMs: number,
): CpuStall[] {
  const spans = answers
    .filter((a) => a.rttMs >= thresholdMs)
    .map((a) => ({ from: a.wallMs - wallOffsetMs - a.rttMs, to: a.wallMs - wallOffsetMs, rtt: a.rttMs }))
    .sort((a, b) => a.from - b.from);
  const stretches: { to: number; longest: (typeof spans)[number] }[] = [];
  for (const s of spans) {
    const last = stretches.at(-1);
    if (last && s.from <= last.to) {
      last.to = Math.max(last.to, s.to);
      if (s.rtt > last.longest.rtt) last.longest = s;
    } else stretches.push({ to: s.to, longest: s });
  }
  return stretches.map((x) => ({ endMs: Math.round(x.longest.to), gapMs: Math.round(x.longest.rtt) }));
}

/**
 * The runs of unanswered echoes among one host's `answers` (any order; duplicates count once), on
 * the drill's clock (`wallOffsetMs` = wall clock − drill clock): between two answered sequence
 * numbers more than one apart, the echoes between were lost. Each request's time is its answer's
 * time less its round trip.
 */
export function echoLosses(host: string, answers: readonly EchoAnswer[], wallOffsetMs: number): EchoLoss[] {
  const sent = new Map<number, number>();
  for (const a of answers) {
    if (a.seq !== undefined && !sent.has(a.seq)) sent.set(a.seq, a.wallMs - a.rttMs - wallOffsetMs);
  }
  const seqs = [...sent.keys()].sort((a, b) => a - b);
  const losses: EchoLoss[] = [];
  for (let i = 1; i < seqs.length && losses.length < MAX_LOSSES; i++) {
    const before = seqs[i - 1] as number;
    const after = seqs[i] as number;
    if (after - before < 2) continue;
    const from = sent.get(before) as number;
    const to = sent.get(after) as number;
    losses.push({ host, endMs: Math.round(to), gapMs: Math.round(to - from), echoes: after - before - 1 });
  }
  return losses;
}

function pingPath(): string {
  const ping = findOnPath("ping");
  if (ping) return ping;
  throw new DrillError(
    "ping is not installed: install iputils-ping (the split lab times the way into its VM with it)",
  );
}

export class PathMeter {
  private readonly late: EchoAnswer[] = [];
  /** Per target, every answer's sequence number and request time (for the losses). */
  private readonly sequenced: EchoAnswer[][];
  private answers = 0;
  /** Wall clock − drill clock, taken once: `ping -D` stamps its lines with the wall clock. */
  private readonly wallOffsetMs = Date.now() - nowMs();

  private constructor(
    public readonly thresholdMs: number,
    private readonly targets: readonly EchoTarget[],
    procs: readonly ChildProcess[],
  ) {
    this.sequenced = targets.map(() => []);
    procs.forEach((p, i) => {
      let rest = "";
      p.stdout?.setEncoding("utf8");
      p.stdout?.on("data", (chunk: string) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) this.take(i, line);
      });
    });
  }

  /**
   * Starts one `ping` per target (as root: an interval under 200 ms needs it), each stopped by
   * whoever tracks what `spawn` starts (the lab, at teardown).
   */
  public static start(
    spawn: SpawnIn,
    targets: readonly EchoTarget[],
    intervalMs = 50,
    thresholdMs = 150,
  ): PathMeter {
    const ping = pingPath();
    const procs = targets.map((t) =>
      spawn(
        t.place,
        [ping, "-n", "-D", "-i", String(intervalMs / 1000), t.address],
        `echo to ${t.host} (${t.address})`,
      ),
    );
    return new PathMeter(thresholdMs, targets, procs);
  }

  private take(target: number, line: string): void {
    const a = parseEchoLine(line);
    if (!a) return;
    this.answers += 1;
    if (a.rttMs >= this.thresholdMs && this.late.length < KEEP) this.late.push(a);
    const mine = this.sequenced[target];
    if (mine && mine.length < MAX_SEQUENCED) mine.push(a);
  }

  /** Every late stretch and every loss since the start, on the drill's clock. */
  public read(): PathReading {
    return {
      thresholdMs: this.thresholdMs,
      answers: this.answers,
      stalls: lateStretches(this.late, this.thresholdMs, this.wallOffsetMs),
      losses: this.targets
        .flatMap((t, i) => echoLosses(t.host, this.sequenced[i] ?? [], this.wallOffsetMs))
        .sort((a, b) => a.endMs - b.endMs)
        .slice(0, MAX_LOSSES),
    };
  }
}

/** The losses as a run reports them, over the same span as the stalls (`gapsOfRun`). */
export function lossSummary(losses: readonly EchoLoss[], faultMs: number, endMs: number): EchoLossSummary {
  const run = gapsOfRun(losses, faultMs, endMs, (l, at) => ({ host: l.host, ...at, echoes: l.echoes }));
  return {
    count: run.count,
    echoes: run.during.reduce((n, l) => n + l.echoes, 0),
    longestMs: run.longestMs,
    losses: run.listed,
  };
}
