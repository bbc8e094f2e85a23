/**
 * An HTTP prober that runs inside a client namespace (`ip netns exec`), so that its requests
 * travel the stack's network as another host's would. It sends one GET at a time, each bounded
 * by a timeout, and prints one JSON line per attempt: when it ended, the status (0 for no
 * answer) and the value of one response header (which node answered).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { EngineError } from "./engine-error";
import { signal, waitGone } from "./host-commands";

/** One attempt of the prober. */
export interface ProbeAttempt {
  /** When the attempt ended (ms since the epoch, this machine's clock). */
  readonly t: number;
  /** HTTP status, 0 when no answer came. */
  readonly status: number;
  /** The watched header's value, when the answer had it. */
  readonly node?: string;
}

// Every attempt ends exactly once: by the answer's end, by an error of the request or of the
// answer (a node killed mid-answer resets the connection), by the connection closing, or by a
// watchdog, so that the loop never stalls and the process never ends before \`maxMs\`.
const SCRIPT = `
const http = require("node:http");
const [url, header, gapMs, timeoutMs, maxMs] = process.argv.slice(1);
const end = Date.now() + Number(maxMs);
function once() {
  if (Date.now() > end) process.exit(0);
  let done = false;
  let req;
  const finish = (status, node) => {
    if (done) return;
    done = true;
    clearTimeout(watchdog);
    if (req) req.destroy();
    process.stdout.write(JSON.stringify({ t: Date.now(), status, node }) + "\\n");
    setTimeout(once, Number(gapMs));
  };
  const watchdog = setTimeout(() => finish(0), 2 * Number(timeoutMs));
  req = http.get(url, { agent: false, timeout: Number(timeoutMs) }, (res) => {
    res.on("error", () => finish(0));
    res.on("end", () => finish(res.statusCode, res.headers[header]));
    res.on("close", () => finish(0));
    res.resume();
  });
  req.on("timeout", () => req.destroy(new Error("timeout")));
  req.on("error", () => finish(0));
}
once();
`;

/** A running prober. */
export class HttpProbe {
  /** Starts probing `url` from namespace `namespace`, for at most `maxMs`. */
  public static start(
    namespace: string,
    url: string,
    options: {
      readonly header: string;
      readonly gapMs?: number;
      readonly timeoutMs?: number;
      readonly maxMs?: number;
    },
  ): HttpProbe {
    const args = [
      "netns",
      "exec",
      namespace,
      process.execPath,
      "-e",
      SCRIPT,
      url,
      options.header.toLowerCase(),
      String(options.gapMs ?? 20),
      String(options.timeoutMs ?? 250),
      String(options.maxMs ?? 60_000),
    ];
    return new HttpProbe(spawn("ip", args, { stdio: ["ignore", "pipe", "pipe"] }));
  }

  public readonly attempts: ProbeAttempt[] = [];
  private buffer = "";
  private stderr = "";
  private exited: string | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on("data", (chunk: Buffer) => {
      this.buffer += chunk.toString();
      const lines = this.buffer.split("\n");
      this.buffer = lines.pop() ?? "";
      for (const l of lines) if (l.trim()) this.attempts.push(JSON.parse(l) as ProbeAttempt);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2_000);
    });
    child.on("exit", (code, sig) => {
      this.exited = `status ${code ?? sig}`;
    });
  }

  /** Waits for the first attempt after `since` that `accept` takes, at most `timeoutMs`. */
  public async waitFor(
    accept: (a: ProbeAttempt) => boolean,
    since: number,
    timeoutMs: number,
  ): Promise<ProbeAttempt> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.attempts.find((a) => a.t >= since && accept(a));
      if (hit) return hit;
      if (this.exited) {
        throw new EngineError(
          `the HTTP prober ended (${this.exited}) after ${this.attempts.length} attempts, before the awaited answer: ${this.stderr.trim()}`,
        );
      }
      if (Date.now() >= deadline) {
        throw new EngineError(`no awaited answer within ${timeoutMs} ms (${this.summary(since)})`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** What the attempts since `since` got: how many, by status, and by node for the 200s. */
  public summary(since = 0): string {
    const seen = this.attempts.filter((a) => a.t >= since);
    const count = (key: (a: ProbeAttempt) => string, of: readonly ProbeAttempt[]) => {
      const c: Record<string, number> = {};
      for (const a of of) c[key(a)] = (c[key(a)] ?? 0) + 1;
      return JSON.stringify(c);
    };
    const ok = seen.filter((a) => a.status === 200);
    return `${seen.length} attempts, by status ${count((a) => String(a.status), seen)}, 200s by node ${count((a) => a.node ?? "-", ok)}`;
  }

  /** Stops the prober by its PID. */
  public async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return;
    signal(pid, "SIGKILL");
    await waitGone(pid, 5_000);
  }
}
