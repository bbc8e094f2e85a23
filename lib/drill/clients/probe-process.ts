/**
 * The process every client runs: a small Python program (standard library only) in a lab place
 * whose loop starts a probe every interval, at most a bounded number in flight, each under its
 * time limit, and prints each result as one JSON line (monotonic clock). A client kind supplies
 * only `async def probe(rec)` and the classification of its errors; this module owns the loop, the
 * JSON lines and stopping. A config with `maxProbes` ends the loop after that many probes (a
 * one-shot query is a process with `maxProbes: 1`).
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DrillError } from "../core/drill-error";
import type { Lab } from "../core/lab";
import { nowMs, ProcessRegistry } from "../core/proc";
import type { DrillClient, ProbePacing, ProbeRecord } from "./client";

/** The loop around a client kind's `probe(rec)`; `CONFIG` is the client's JSON argument. */
const LOOP_PY = String.raw`
import asyncio, errno, json, sys, threading, time

CONFIG = json.loads(sys.argv[1])
interval = CONFIG["intervalMs"] / 1000.0
timeout = CONFIG["timeoutMs"] / 1000.0
deadline = time.monotonic() + CONFIG["maxSeconds"]
max_in_flight = int(timeout / interval) + 8
max_probes = CONFIG.get("maxProbes")

def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()

def classify(exc):
    if isinstance(exc, asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return "reset"
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "unreachable"
    if isinstance(exc, OSError) and exc.errno == errno.ETIMEDOUT:
        return "timeout"
    return "error"

#PROBE#

async def one(seq, active):
    start = time.monotonic()
    rec = {"i": seq, "s": round(start * 1000, 3)}
    try:
        await asyncio.wait_for(probe(rec), timeout)
    except Exception as exc:
        rec["k"] = classify(exc)
        rec["x"] = type(exc).__name__
    rec["e"] = round(time.monotonic() * 1000, 3)
    emit(rec)
    active.discard(asyncio.current_task())

async def main():
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def watch_stdin():
        for line in sys.stdin:
            if line.strip() == "stop":
                break
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    emit({"ready": True, "t": round(time.monotonic() * 1000, 3)})
    active = set()
    seq = 0
    next_at = time.monotonic()
    while not stop.is_set() and time.monotonic() < deadline:
        if len(active) < max_in_flight:
            seq += 1
            active.add(asyncio.ensure_future(one(seq, active)))
        else:
            emit({"saturated": True, "t": round(time.monotonic() * 1000, 3)})
        if seq == max_probes:
            break
        next_at += interval
        delay = next_at - time.monotonic()
        if delay < 0:
            next_at = time.monotonic()
            delay = 0
        try:
            await asyncio.wait_for(stop.wait(), delay)
        except asyncio.TimeoutError:
            pass
    if active:
        await asyncio.wait(list(active), timeout=timeout + 1)
    emit({"done": True, "sent": seq})

asyncio.run(main())
`;

/** The whole program for a client kind's probe function. */
export function probeProgram(probePy: string): string {
  return LOOP_PY.replace("#PROBE#", probePy.trim());
}

/** Turns one JSON line of a probe process into a record. */
export function parseProbeLine(obj: Record<string, unknown>): ProbeRecord {
  return {
    seq: Number(obj.i),
    startMs: Number(obj.s),
    endMs: Number(obj.e),
    outcome: String(obj.k ?? "error"),
    ...(typeof obj.st === "number" ? { status: obj.st } : {}),
    ...(typeof obj.by === "string" ? { answeredBy: obj.by } : {}),
    ...(typeof obj.be === "string" ? { servedBy: obj.be } : {}),
    ...(Array.isArray(obj.an) ? { answers: obj.an.map(String) } : {}),
    ...(typeof obj.tl === "number" ? { ttlSeconds: obj.tl } : {}),
    ...(typeof obj.c === "number" ? { connection: obj.c } : {}),
    ...(obj.n === 1 ? { opened: true } : {}),
    ...(typeof obj.id === "number" ? { idleMs: obj.id } : {}),
  };
}

/**
 * How long a probe process may take to say it runs. Python and asyncio start in well under a
 * second here, in seconds on an emulated CPU (a VM), and in tens of seconds there when the machine
 * is busy with other work.
 */
const START_TIMEOUT_MS = 60_000;

/** A running probe process; `records` grows as probes complete. */
export class ProbeProcess<O extends string = string> implements DrillClient<O> {
  public readonly records: ProbeRecord<O>[] = [];
  private buffer = "";
  private ready = false;
  private done = false;
  private stderr = "";
  private saturated = 0;

  private constructor(
    public readonly target: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on("data", (d: Buffer) => this.onData(d.toString()));
    child.stderr?.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.stdin?.on("error", () => undefined);
  }

  /**
   * Starts `program` (from `probeProgram`) in `place` with `config` (merged with the pacing
   * defaults) and waits, bounded, until it runs.
   */
  public static async start<O extends string>(
    lab: Lab,
    place: string,
    spec: { target: string; name: string; program: string; pacing: ProbePacing; config: object },
  ): Promise<ProbeProcess<O>> {
    const script = path.join(lab.workDir, `${spec.name}.py`);
    if (!fs.existsSync(script)) fs.writeFileSync(script, spec.program);
    const config = {
      intervalMs: spec.pacing.intervalMs ?? 15,
      timeoutMs: spec.pacing.timeoutMs ?? 500,
      maxSeconds: spec.pacing.maxSeconds ?? 300,
      ...spec.config,
    };
    const child = lab.spawn(place, ["/usr/bin/python3", "-u", script, JSON.stringify(config)], spec.name);
    const client = new ProbeProcess<O>(spec.target, child);
    const started = nowMs();
    const deadline = started + START_TIMEOUT_MS;
    while (!client.ready && nowMs() < deadline && child.exitCode === null && child.signalCode === null) {
      await new Promise((r) => setTimeout(r, 10));
    }
    if (!client.ready) {
      const waited = ((nowMs() - started) / 1000).toFixed(1);
      const how =
        child.exitCode !== null || child.signalCode !== null
          ? `it ended (${child.signalCode ? `signal ${child.signalCode}` : `exit ${child.exitCode}`}) after ${waited} s`
          : `not ready within ${START_TIMEOUT_MS / 1000} s`;
      await client.stop();
      const said = client.stderr.trim();
      throw new DrillError(
        `the drill client ${spec.name} in ${place} did not start: ${how}${said ? `: ${said}` : ""}`,
      );
    }
    return client;
  }

  private onData(text: string): void {
    this.buffer += text;
    let nl = this.buffer.indexOf("\n");
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      nl = this.buffer.indexOf("\n");
      if (!line.trim()) continue;
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (obj.ready) this.ready = true;
      else if (obj.done) this.done = true;
      else if (obj.saturated) this.saturated++;
      else this.records.push(parseProbeLine(obj) as ProbeRecord<O>);
    }
  }

  public get skipped(): number {
    return this.saturated;
  }

  public async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin?.end("stop\n");
      if (!(await ProcessRegistry.waitExit(this.child, 3000))) {
        this.child.kill("SIGKILL");
        await ProcessRegistry.waitExit(this.child, 2000);
      }
    }
    if (!this.done && this.child.exitCode !== 0 && this.stderr.trim()) {
      throw new DrillError(`the drill client failed: ${this.stderr.trim()}`);
    }
  }
}
