/**
 * Small host-side helpers of the engine lab: bounded commands, process liveness by PID, and
 * the mounts a killed daemon can leave behind.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { EngineError } from "./engine-error";

/** What a command printed and how it ended. */
export interface HostCommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without a shell, at most `timeoutMs` (then SIGKILL); never throws for a status. */
export function hostCommand(command: string, args: readonly string[], timeoutMs = 15_000): HostCommandResult {
  const r = spawnSync(command, args, {
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) {
    const why =
      (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT"
        ? `no result within ${timeoutMs} ms`
        : r.error.message;
    throw new EngineError(`${command} ${args.join(" ")}: ${why}`);
  }
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Runs a command that must succeed. */
export function mustHostCommand(command: string, args: readonly string[], timeoutMs = 15_000): string {
  const r = hostCommand(command, args, timeoutMs);
  if (r.status !== 0) {
    throw new EngineError(
      `${command} ${args.join(" ")} failed (${r.status}): ${(r.stderr || r.stdout).trim()}`,
    );
  }
  return r.stdout;
}

/** Whether `pid` names a live process (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The parent PID of `pid`, or undefined when it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** PIDs whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Sends `signal` to `pid`; false when it is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Waits until `pid` is gone, at most `timeoutMs`; returns whether it is. */
export function waitGoneSync(pid: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    sleepSync(50);
  }
  return true;
}

/** Waits asynchronously until `pid` is gone, at most `timeoutMs`; returns whether it is. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Mount points at or under `dir` (deepest first), from this process's mount table. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(prefix)))
    .map((m) => m.replace(/\\040/g, " "))
    .sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything at or under `dir` (what a killed daemon leaves mounted). */
export function unmountUnder(dir: string): void {
  for (const m of mountsUnder(dir)) hostCommand("umount", ["-l", m]);
}
