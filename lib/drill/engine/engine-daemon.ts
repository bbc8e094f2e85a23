/**
 * Runs a Docker daemon (Debian's `dockerd`) of the lab's own: its own data root, exec root,
 * PID file, socket and empty config file, so it never touches a system daemon. Isolated, it
 * runs in a network namespace of its own with loopback only (started with `nsenter --net`,
 * because `ip netns exec` remounts /sys and hides the cgroup mounts dockerd needs); otherwise
 * in the host's namespace, for image builds that need Debian's archive. Either way it has no
 * default bridge, no iptables rules, no masquerading and leaves `ip_forward` alone.
 * Stopped by PID: SIGTERM, then SIGKILL of it and of what it started, then its mounts.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { registerCleanup } from "../core/cleanup-registry";
import { EngineClient } from "./engine-client";
import { EngineError } from "./engine-error";
import { childrenOf, isAlive, signal, unmountUnder, waitGone, waitGoneSync } from "./host-commands";
import { LabNamespace } from "./namespaces";

/** Options of one daemon. */
export interface EngineDaemonOptions {
  /** Images, layers and containers. Kept between runs when it is a cache. */
  readonly dataRoot: string;
  /** Socket, PID file, exec root and log: a short path (unix socket paths are short). */
  readonly runDir: string;
  /** In a namespace of its own with loopback only (for running containers). */
  readonly isolated: boolean;
  /** Leave it running when this process ends (the `ha-lab up` command). @default false */
  readonly detached?: boolean;
  /** @default 30_000 */
  readonly startTimeoutMs?: number;
}

/** What identifies a running daemon, enough to stop it from another process. */
export interface EngineDaemonRecord {
  readonly pid: number;
  /** PIDs it started (containerd), killed after it if still alive. */
  readonly children: readonly number[];
  readonly socketPath: string;
  readonly runDir: string;
  readonly dataRoot: string;
  /** Whether `dataRoot` is removed when the daemon stops. */
  readonly removeDataRoot: boolean;
  readonly namespace?: string;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Stops a daemon by its record, synchronously (for exit handlers and `ha-lab down`). */
export function stopDaemonSync(record: EngineDaemonRecord): void {
  signal(record.pid, "SIGTERM");
  if (!waitGoneSync(record.pid, 15_000)) {
    signal(record.pid, "SIGKILL");
    waitGoneSync(record.pid, 5_000);
  }
  for (const pid of record.children) if (isAlive(pid)) signal(pid, "SIGKILL");
  for (const pid of record.children) waitGoneSync(pid, 5_000);
  if (record.namespace) {
    const ns = record.namespace;
    // Whatever still runs in the namespace (container shims) was started by this daemon.
    LabNamespace.adopt(ns).delete();
  }
  unmountUnder(record.runDir);
  unmountUnder(record.dataRoot);
  rmSync(record.runDir, { recursive: true, force: true });
  if (record.removeDataRoot) rmSync(record.dataRoot, { recursive: true, force: true });
}

/** A running daemon started by this process. */
export class EngineDaemon {
  /** Starts a daemon and waits until it answers. */
  public static async start(options: EngineDaemonOptions, removeDataRoot = false): Promise<EngineDaemon> {
    mkdirSync(options.dataRoot, { recursive: true });
    mkdirSync(options.runDir, { recursive: true });
    const socketPath = join(options.runDir, "docker.sock");
    const configFile = join(options.runDir, "daemon.json");
    const logFile = join(options.runDir, "dockerd.log");
    writeFileSync(configFile, "{}\n");
    const ns = options.isolated ? LabNamespace.create() : undefined;
    const dockerd = [
      "dockerd",
      `--config-file=${configFile}`,
      `--data-root=${options.dataRoot}`,
      `--exec-root=${join(options.runDir, "exec")}`,
      `--pidfile=${join(options.runDir, "dockerd.pid")}`,
      `--host=unix://${socketPath}`,
      "--bridge=none",
      "--iptables=false",
      "--ip-masq=false",
      "--ip-forward=false",
      "--storage-driver=overlay2",
      `--containerd-namespace=hae-${process.pid}`,
      `--containerd-plugins-namespace=hae-${process.pid}-plugins`,
      "--log-level=warn",
    ];
    const argv = ns ? ["nsenter", `--net=${ns.path}`, ...dockerd] : dockerd;
    const log = openSync(logFile, "a");
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ["ignore", log, log],
      detached: options.detached ?? false,
    });
    closeSync(log);
    if (options.detached) child.unref();
    const pid = child.pid;
    if (pid === undefined) {
      ns?.delete();
      throw new EngineError(`cannot start dockerd: ${tail(logFile)}`);
    }
    const daemon = new EngineDaemon(
      {
        pid,
        children: [],
        socketPath,
        runDir: options.runDir,
        dataRoot: options.dataRoot,
        removeDataRoot,
        ...(ns ? { namespace: ns.name } : {}),
      },
      options.detached ?? false,
      ns,
    );
    try {
      await daemon.waitReady(options.startTimeoutMs ?? 30_000, logFile);
    } catch (e) {
      daemon.stopSync();
      throw e;
    }
    return daemon;
  }

  public readonly client: EngineClient;
  private unregister: () => void;
  private recordValue: EngineDaemonRecord;

  private constructor(
    record: EngineDaemonRecord,
    detached: boolean,
    private readonly ownNamespace?: LabNamespace,
  ) {
    this.recordValue = record;
    this.client = new EngineClient(record.socketPath);
    this.unregister = registerCleanup(`dockerd ${record.pid}`, () => {
      if (!detached) stopDaemonSync(this.recordValue);
    });
  }

  /** The daemon's identity, to stop it later by PID (also from another process). */
  public get record(): EngineDaemonRecord {
    return this.recordValue;
  }

  /** The daemon's network namespace, when isolated. */
  public get namespace(): string | undefined {
    return this.recordValue.namespace;
  }

  private async waitReady(timeoutMs: number, logFile: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!isAlive(this.recordValue.pid))
        throw new EngineError(`dockerd exited while starting:\n${tail(logFile)}`);
      if (existsSync(this.recordValue.socketPath) && (await this.client.ping())) break;
      if (Date.now() >= deadline)
        throw new EngineError(`dockerd did not answer within ${timeoutMs} ms:\n${tail(logFile)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    this.recordValue = { ...this.recordValue, children: childrenOf(this.recordValue.pid) };
  }

  /** Stops the daemon (SIGTERM, bounded, then SIGKILL) and removes its run folder. */
  public async stop(): Promise<void> {
    signal(this.recordValue.pid, "SIGTERM");
    await waitGone(this.recordValue.pid, 15_000);
    this.stopSync();
  }

  /** Stops the daemon synchronously. */
  public stopSync(): void {
    stopDaemonSync(this.recordValue);
    this.ownNamespace?.release();
    this.unregister();
  }

  /** Forgets the daemon without stopping it (it was started detached and outlives us). */
  public release(): void {
    this.ownNamespace?.release();
    this.unregister();
  }
}
