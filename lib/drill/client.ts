/**
 * The drill's client: a small Python program (standard library only) in a namespace of its own
 * that opens a new connection to the service every few milliseconds and reports each request
 * as one JSON line: when it started and ended (monotonic clock), how it ended, and which load
 * balancer and backend answered.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Lab } from "./lab";
import { nowMs, ProcessRegistry } from "./proc";
import { DrillError } from "./stack";

/** How a request ended. */
export type RequestOutcome =
  | "ok"
  | "refused"
  | "timeout"
  | "reset"
  | "unreachable"
  | "http-5xx"
  | "http-other"
  | "bad-response"
  | "error";

/** One request the client made. */
export interface RequestRecord {
  /** Sequence number. */
  readonly seq: number;
  /** Start and end, monotonic milliseconds. */
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: RequestOutcome;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** `X-Load-Balancer` of the response. */
  readonly loadBalancer?: string;
  /** `X-Served-By` of the response. */
  readonly servedBy?: string;
}

export interface ClientOptions {
  readonly address: string;
  readonly port: number;
  /** Milliseconds between request starts. @default 15 */
  readonly intervalMs?: number;
  /** Limit for one request, connect to last byte. @default 500 */
  readonly timeoutMs?: number;
  /** The client stops by itself after this many seconds. @default 300 */
  readonly maxSeconds?: number;
}

const CLIENT_PY = String.raw`
import asyncio, errno, json, sys, threading, time

host, port = sys.argv[1], int(sys.argv[2])
interval = float(sys.argv[3]) / 1000.0
timeout = float(sys.argv[4]) / 1000.0
deadline = time.monotonic() + float(sys.argv[5])
max_in_flight = int(timeout / interval) + 8
request = ("GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: ha-drill\r\nConnection: close\r\n\r\n" % host).encode()

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

async def fetch():
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        data = await reader.read(65536)
        while data and b"\r\n\r\n" not in data and len(data) < 65536:
            more = await reader.read(65536)
            if not more:
                break
            data += more
        return data
    finally:
        writer.close()

async def one(seq, active):
    start = time.monotonic()
    rec = {"i": seq, "s": round(start * 1000, 3)}
    try:
        data = await asyncio.wait_for(fetch(), timeout)
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            rec["k"] = "bad-response" if data else "reset"
        else:
            status = int(parts[1])
            rec["st"] = status
            rec["k"] = "ok" if 200 <= status < 400 else ("http-5xx" if status >= 500 else "http-other")
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "x-load-balancer":
                    rec["lb"] = value.strip()
                elif name == "x-served-by":
                    rec["be"] = value.strip()
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

/** A running client; `records` grows as requests complete. */
export class DrillClient {
  public readonly records: RequestRecord[] = [];
  private readonly child: ChildProcess;
  private buffer = "";
  private ready = false;
  private done = false;
  private stderr = "";
  private saturated = 0;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout?.on("data", (d: Buffer) => this.onData(d.toString()));
    child.stderr?.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.stdin?.on("error", () => undefined);
  }

  /** Starts the client in `netns` and waits (bounded) until it runs. */
  public static async start(lab: Lab, netns: string, options: ClientOptions): Promise<DrillClient> {
    const script = path.join(lab.workDir, "client.py");
    if (!fs.existsSync(script)) fs.writeFileSync(script, CLIENT_PY);
    const child = lab.spawnIn(
      netns,
      [
        "/usr/bin/python3",
        "-u",
        script,
        options.address,
        String(options.port),
        String(options.intervalMs ?? 15),
        String(options.timeoutMs ?? 500),
        String(options.maxSeconds ?? 300),
      ],
      "client",
    );
    const client = new DrillClient(child);
    const deadline = nowMs() + 5000;
    while (!client.ready && nowMs() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 10));
    }
    if (!client.ready) {
      await client.stop();
      throw new DrillError(`the drill client did not start: ${client.stderr.trim()}`);
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
      else this.records.push(parseRecord(obj));
    }
  }

  /** Times the client found every request slot busy and skipped a request. */
  public get skipped(): number {
    return this.saturated;
  }

  /** Requests that completed since `sinceMs`. */
  public since(sinceMs: number): RequestRecord[] {
    return this.records.filter((r) => r.startMs >= sinceMs);
  }

  /** Stops sending, lets requests in flight finish (bounded), and ends the process. */
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

/** Turns one JSON line of the client into a record. */
export function parseRecord(obj: Record<string, unknown>): RequestRecord {
  const outcome = String(obj.k ?? "error") as RequestOutcome;
  return {
    seq: Number(obj.i),
    startMs: Number(obj.s),
    endMs: Number(obj.e),
    outcome,
    ...(typeof obj.st === "number" ? { status: obj.st } : {}),
    ...(typeof obj.lb === "string" ? { loadBalancer: obj.lb } : {}),
    ...(typeof obj.be === "string" ? { servedBy: obj.be } : {}),
  };
}
