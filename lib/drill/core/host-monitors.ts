/**
 * What the drills' watches share: one long-running monitor command in each watched host's
 * network (`ip -o monitor address`, `ip -o monitor route`), its output cut into lines stamped
 * with when they arrived, and a snapshot at an interval, one at a time, for a change the monitor
 * missed. Monitors are killed by PID when a host is forgotten or the watch stops.
 */
import type { ChildProcess } from "node:child_process";
import { LineBuffer } from "../vm/line-requests";
import type { Lab } from "./lab";
import { killPid, nowMs, ProcessRegistry } from "./proc";

export type MonitorLine = (host: string, line: string, t: number) => void;

export class HostMonitors {
  private readonly monitors = new Map<string, ChildProcess>();
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;
  private done = false;

  constructor(
    private readonly lab: Lab,
    private readonly argv: readonly string[],
    private readonly label: string,
    private readonly onLine: MonitorLine,
  ) {}

  /** Starts the monitor in `host`'s network. */
  public watch(host: string): void {
    const child = this.lab.spawn(host, this.argv, `${this.label} ${host}`);
    const lines = new LineBuffer();
    child.stdout?.on("data", (d: Buffer) => {
      const t = nowMs();
      for (const line of lines.push(d.toString())) this.onLine(host, line, t);
    });
    this.monitors.set(host, child);
  }

  public has(host: string): boolean {
    return this.monitors.has(host);
  }

  /** Whether the watch has stopped (a snapshot in flight must not apply any more). */
  public get stopped(): boolean {
    return this.done;
  }

  /** Runs `sample` now and then every `everyMs`, never two at once, until stopped. */
  public async sampleEvery(everyMs: number, sample: () => Promise<void>): Promise<void> {
    const once = async () => {
      if (this.sampling || this.done) return;
      this.sampling = true;
      try {
        await sample();
      } catch {
        // a host being stopped or its network replaced; the next snapshot sees it
      } finally {
        this.sampling = false;
      }
    };
    await once();
    this.timer = setInterval(() => {
      void once();
    }, everyMs);
  }

  /** Stops watching `host` (before its network is replaced, say). */
  public async forget(host: string): Promise<void> {
    const child = this.monitors.get(host);
    this.monitors.delete(host);
    if (child?.pid !== undefined) {
      killPid(child.pid);
      await ProcessRegistry.waitExit(child, 2000);
    }
  }

  public async stop(): Promise<void> {
    this.done = true;
    if (this.timer) clearInterval(this.timer);
    for (const host of [...this.monitors.keys()]) await this.forget(host);
  }
}
