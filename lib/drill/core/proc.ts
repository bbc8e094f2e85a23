/**
 * Process helpers for drills: bounded command runs, a registry of every process a drill starts
 * (so that teardown can kill each by PID), and /proc look-ups across PID namespaces.
 */
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import * as fs from "node:fs";
import { DrillError } from "./drill-error";

/** Milliseconds on the monotonic clock (CLOCK_MONOTONIC, as Python's time.monotonic()). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Quotes a string for a POSIX shell. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  readonly input?: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** Resolve instead of throwing when the command fails. */
  readonly allowFailure?: boolean;
}

/**
 * Every process a drill starts, by PID, from the moment it is spawned. `killAll` ends the ones
 * still running; nothing is killed by name.
 */
export class ProcessRegistry {
  private readonly live = new Map<number, { child: ChildProcess; label: string }>();

  /**
   * Spawns `argv` with a parent-death signal (setpriv --pdeathsig KILL), so that the process
   * also ends when the drill itself is killed without a chance to clean up.
   */
  public spawn(
    argv: readonly string[],
    label: string,
    options: { stdio?: StdioOptions; detached?: boolean } = {},
  ): ChildProcess {
    const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", ...argv], {
      // Never inside the caller's folder: lab processes may hide it behind private mounts.
      cwd: "/",
      stdio: options.stdio ?? ["ignore", "ignore", "ignore"],
      detached: options.detached ?? true,
    });
    if (child.pid === undefined) {
      // spawn reports ENOENT asynchronously; the pid is missing in that case.
      child.on("error", () => undefined);
      throw new DrillError(`could not start ${label}: ${argv.join(" ")}`);
    }
    const pid = child.pid;
    this.live.set(pid, { child, label });
    child.on("exit", () => this.live.delete(pid));
    child.on("error", () => this.live.delete(pid));
    return child;
  }

  /** Runs a short command to completion within a time limit. */
  public run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = this.spawn(argv, argv.join(" "), {
          stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
          detached: true,
        });
      } catch (e) {
        reject(e);
        return;
      }
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      if (options.input !== undefined) {
        child.stdin?.on("error", () => undefined);
        child.stdin?.end(options.input);
      }
      const timer = setTimeout(() => {
        if (child.pid !== undefined) killPid(child.pid);
      }, timeoutMs);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        const result = { code, signal, stdout, stderr };
        if ((code !== 0 || signal !== null) && !options.allowFailure) {
          const why = signal
            ? `killed by ${signal}${signal === "SIGKILL" ? ` (time limit ${timeoutMs} ms?)` : ""}`
            : `exit ${code}`;
          reject(new DrillError(`${argv.join(" ")} failed (${why}): ${stderr.trim() || stdout.trim()}`));
        } else resolve(result);
      });
    });
  }

  /** PIDs still running, with labels. */
  public running(): Array<{ pid: number; label: string }> {
    return [...this.live.entries()].map(([pid, p]) => ({ pid, label: p.label }));
  }

  /** Waits until `child` has exited, at most `timeoutMs`; true when it has. */
  public static waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** SIGKILLs every process still registered and waits (bounded) for them to exit. */
  public async killAll(timeoutMs = 5000): Promise<string[]> {
    const entries = [...this.live.values()];
    for (const { child } of entries) if (child.pid !== undefined) killPid(child.pid);
    const results = await Promise.all(entries.map((e) => ProcessRegistry.waitExit(e.child, timeoutMs)));
    return entries.filter((_, i) => !results[i]).map((e) => `${e.child.pid} (${e.label})`);
  }

  /** Synchronous last resort (process exit): SIGKILL everything registered. */
  public killAllSync(): void {
    for (const { child } of this.live.values()) if (child.pid !== undefined) killPid(child.pid);
  }
}

/** SIGKILLs one PID; ignores a process that is already gone. */
export function killPid(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** True while a process with this PID exists (and is not a zombie). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Direct children of a process. */
export function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** A process and all its descendants, parent first. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length && out.length < 10_000) {
    const p = queue.shift() as number;
    if (out.includes(p)) continue;
    out.push(p);
    queue.push(...childrenOf(p));
  }
  return out;
}

function nsOf(pid: number, kind: string): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/**
 * The PID, as seen from here, of the process that has PID `innerPid` inside the PID namespace
 * of `nsMember` (for pidfiles written inside a host).
 */
export function outerPid(nsMember: number, innerPid: number): number | undefined {
  const ns = nsOf(nsMember, "pid");
  if (!ns) return undefined;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (nsOf(pid, "pid") !== ns) continue;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const m = /^NSpid:\s+(.*)$/m.exec(status);
      const ids = (m?.[1] ?? "").trim().split(/\s+/).map(Number);
      if (ids[ids.length - 1] === innerPid) return pid;
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

/** PIDs in the same PID namespace as `nsMember` (including it). */
export function pidsInNamespaceOf(nsMember: number): number[] {
  const ns = nsOf(nsMember, "pid");
  if (!ns) return [];
  return fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => nsOf(pid, "pid") === ns);
}
