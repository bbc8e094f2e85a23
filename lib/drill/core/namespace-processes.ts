/**
 * The process half of a namespace lab: each host's command as PID 1 of new PID, mount and UTS
 * namespaces inside its network namespace, tracked by PID from the start; stopping, killing and
 * looking inside them through /proc.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DrillError } from "./drill-error";
import { childrenOf, killPid, nowMs, outerPid, ProcessRegistry, pidAlive, processTree, sleep } from "./proc";

interface Running {
  /** The launcher (unshare) process. */
  readonly child: ChildProcess;
  /** PID 1 of the host's PID namespace, as seen from here. */
  readonly initPid: number;
}

/** How long a host's start may take, each step (its init forked; its command run). */
const START_BOUND_MS = 60_000;

export class NamespaceProcesses {
  public readonly registry = new ProcessRegistry();
  private readonly running = new Map<string, Running>();

  constructor(private readonly logDir: string) {}

  public logFile(hostname: string): string {
    return path.join(this.logDir, `${hostname}.log`);
  }

  /** Starts `command` through the staged `script` as PID 1 of new namespaces in `netns`. */
  public async startHost(hostname: string, netns: string, script: string, command: readonly string[]) {
    const logFile = this.logFile(hostname);
    fs.appendFileSync(logFile, `\n==== ha-drill: starting ${command.join(" ")}\n`);
    const log = fs.openSync(logFile, "a");
    let child: ChildProcess;
    try {
      child = this.registry.spawn(
        [
          "nsenter",
          `--net=/run/netns/${netns}`,
          "--",
          "unshare",
          "--pid",
          "--fork",
          "--kill-child",
          "--mount-proc",
          "--uts",
          "--propagation",
          "private",
          "--",
          "/bin/sh",
          script,
          ...command,
        ],
        `host ${hostname}`,
        { stdio: ["ignore", log, log] },
      );
    } finally {
      fs.closeSync(log);
    }
    const launcher = child.pid as number;
    // Well under a second here; seconds on an emulated CPU (a VM), where every process start is slow.
    const deadline = nowMs() + START_BOUND_MS;
    let initPid: number | undefined;
    while (nowMs() < deadline) {
      initPid = childrenOf(launcher)[0];
      if (initPid !== undefined || child.exitCode !== null || child.signalCode !== null) break;
      await sleep(10);
    }
    if (initPid === undefined || !(await this.execed(initPid, script))) {
      killPid(launcher);
      const tail = fs.readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n");
      throw new DrillError(`${hostname} did not start:\n${tail}`);
    }
    this.running.set(hostname, { child, initPid });
  }

  /**
   * Waits (bounded) until PID 1 has left the start script for the command, so that its files,
   * /etc/hosts and resolv.conf are mounted before anyone looks. false when it died instead.
   */
  private async execed(initPid: number, script: string): Promise<boolean> {
    const deadline = nowMs() + START_BOUND_MS;
    while (nowMs() < deadline) {
      let cmdline: string;
      try {
        cmdline = fs.readFileSync(`/proc/${initPid}/cmdline`, "utf8");
      } catch {
        return false;
      }
      if (!cmdline.includes(script)) return pidAlive(initPid);
      await sleep(5);
    }
    return false;
  }

  public isRunning(hostname: string): boolean {
    const r = this.running.get(hostname);
    return r !== undefined && pidAlive(r.initPid);
  }

  /** PID 1 of a running host, as seen from here. */
  public initPid(hostname: string): number {
    const r = this.running.get(hostname);
    if (!r) throw new DrillError(`${hostname} is not running`);
    return r.initPid;
  }

  /** A path inside a running host's mount namespace, reachable from here. */
  public hostPath(hostname: string, file: string): string {
    return `/proc/${this.initPid(hostname)}/root${file}`;
  }

  /** SIGKILLs the process a host knows as `innerPid` and its descendants; how many. */
  public killTree(hostname: string, innerPid: number): number {
    const pid = outerPid(this.initPid(hostname), innerPid);
    if (pid === undefined) return 0;
    const tree = processTree(pid);
    for (const p of tree) killPid(p);
    return tree.length;
  }

  /**
   * Ends a host: SIGTERM to its PID 1 and up to `graceMs` to exit, then SIGKILL, which makes the
   * kernel kill every other process of its PID namespace. The launcher (unshare) reaps PID 1 and
   * exits, so no zombie is left to the machine's init; it is killed only if it lingers.
   */
  public async stopHost(hostname: string, graceMs: number): Promise<void> {
    const r = this.running.get(hostname);
    if (!r) return;
    if (graceMs > 0) {
      killPid(r.initPid, "SIGTERM");
      await ProcessRegistry.waitExit(r.child, graceMs);
    }
    await this.end(r);
    this.running.delete(hostname);
    if (r.child.exitCode === null && r.child.signalCode === null) {
      throw new DrillError(`${hostname}: its processes did not exit within 5 s of SIGKILL`);
    }
  }

  private async end(r: Running): Promise<void> {
    killPid(r.initPid);
    if (!(await ProcessRegistry.waitExit(r.child, 3000))) {
      killPid(r.child.pid as number);
      await ProcessRegistry.waitExit(r.child, 2000);
    }
  }

  /** Ends every host and every other tracked process; what did not exit. */
  public async stopAll(): Promise<string[]> {
    await Promise.all([...this.running.values()].map((r) => this.end(r)));
    this.running.clear();
    return (await this.registry.killAll()).map((p) => `process ${p} did not exit`);
  }

  public killAllSync(): void {
    for (const r of this.running.values()) killPid(r.initPid);
    this.registry.killAllSync();
  }
}
