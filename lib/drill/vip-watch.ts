/**
 * Watches which load-balancer namespaces carry the VIP: `ip monitor address` in each for the
 * moment of every change, and a snapshot of each namespace's addresses every 250 ms in case a
 * change was missed.
 */
import type { ChildProcess } from "node:child_process";
import type { Lab } from "./lab";
import { holdersAt, type NodeEvent } from "./measure";
import { killPid, nowMs, ProcessRegistry } from "./proc";

const ADDRESS_LINE = /^(Deleted\s+)?\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\//;

export class VipWatch {
  public readonly events: NodeEvent[] = [];
  private readonly monitors = new Map<string, ChildProcess>();
  private readonly holds = new Map<string, boolean>();
  private readonly lastChange = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;
  private stopped = false;

  constructor(
    private readonly lab: Lab,
    private readonly vip: string,
    private readonly hostnames: readonly string[],
  ) {}

  public async start(): Promise<void> {
    for (const h of this.hostnames) this.startMonitor(h);
    await this.sample();
    this.timer = setInterval(() => {
      void this.sample();
    }, 250);
  }

  private startMonitor(hostname: string): void {
    const child = this.lab.spawnIn(
      this.lab.host(hostname).netns,
      ["ip", "-o", "monitor", "address"],
      `ip monitor ${hostname}`,
    );
    let buffer = "";
    child.stdout?.on("data", (d: Buffer) => {
      const t = nowMs();
      buffer += d.toString();
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
        const m = ADDRESS_LINE.exec(line);
        if (m && m[2] === "eth0" && m[3] === this.vip) this.set(hostname, !m[1], t);
      }
    });
    this.monitors.set(hostname, child);
  }

  private set(hostname: string, holds: boolean, t: number): void {
    this.lastChange.set(hostname, t);
    if ((this.holds.get(hostname) ?? false) === holds) return;
    this.holds.set(hostname, holds);
    this.events.push({ t, host: hostname, holdsVip: holds });
  }

  /** Snapshot of every namespace; applied only where no monitored change arrived meanwhile. */
  private async sample(): Promise<void> {
    if (this.sampling || this.stopped) return;
    this.sampling = true;
    try {
      await Promise.all(
        this.hostnames.map(async (h) => {
          const started = nowMs();
          const addresses = await this.lab.addresses(this.lab.host(h).netns);
          const changed = this.lastChange.get(h);
          if (this.stopped || (changed !== undefined && changed >= started)) return;
          this.set(h, addresses.includes(this.vip), nowMs());
        }),
      );
    } catch {
      // a namespace being replaced; the next sample sees it
    } finally {
      this.sampling = false;
    }
  }

  /** Records that a node's link went up or down (the drill did it). */
  public markLink(hostname: string, up: boolean, t = nowMs()): void {
    this.events.push({ t, host: hostname, linkUp: up });
  }

  /** Before a host's namespace is replaced: stop watching it. */
  public async forget(hostname: string): Promise<void> {
    const child = this.monitors.get(hostname);
    this.monitors.delete(hostname);
    if (child?.pid !== undefined) {
      killPid(child.pid);
      await ProcessRegistry.waitExit(child, 2000);
    }
  }

  /** After a host's namespace was replaced: a fresh namespace holds no VIP; watch it again. */
  public async watchAgain(hostname: string, t = nowMs()): Promise<void> {
    this.set(hostname, false, t);
    this.markLink(hostname, true, t);
    this.startMonitor(hostname);
  }

  /** Nodes with their link up that hold the VIP now. */
  public holders(): string[] {
    return holdersAt(this.events, Number.POSITIVE_INFINITY);
  }

  /** When `hostname` last started holding the VIP, at or after `sinceMs`. */
  public gainedAt(hostname: string, sinceMs: number): number | undefined {
    return this.events.find((e) => e.host === hostname && e.holdsVip === true && e.t >= sinceMs)?.t;
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const h of [...this.monitors.keys()]) await this.forget(h);
  }
}
