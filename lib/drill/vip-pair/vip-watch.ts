/**
 * Watches which load-balancer hosts carry the VIP on their VRRP interface: `ip monitor address`
 * in each host's network for the moment of every change, and a snapshot of each interface's
 * addresses every 250 ms in case a change was missed.
 */
import type { ChildProcess } from "node:child_process";
import type { Lab } from "../core/lab";
import { killPid, nowMs, ProcessRegistry } from "../core/proc";
import { holdersAt, type NodeEvent } from "./vip-timeline";

const ADDRESS_LINE = /^(Deleted\s+)?\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\//;

/** A watched host and the interface keepalived adds the VIP to. */
export interface WatchedNode {
  readonly hostname: string;
  readonly iface: string;
}

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
    private readonly nodes: readonly WatchedNode[],
  ) {}

  public async start(): Promise<void> {
    for (const n of this.nodes) this.startMonitor(n);
    await this.sample();
    this.timer = setInterval(() => {
      void this.sample();
    }, 250);
  }

  private node(hostname: string): WatchedNode {
    return this.nodes.find((n) => n.hostname === hostname) as WatchedNode;
  }

  private startMonitor(node: WatchedNode): void {
    const child = this.lab.spawn(
      node.hostname,
      ["ip", "-o", "monitor", "address"],
      `ip monitor ${node.hostname}`,
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
        if (m && m[2] === node.iface && m[3] === this.vip) this.set(node.hostname, !m[1], t);
      }
    });
    this.monitors.set(node.hostname, child);
  }

  private set(hostname: string, holds: boolean, t: number): void {
    this.lastChange.set(hostname, t);
    if ((this.holds.get(hostname) ?? false) === holds) return;
    this.holds.set(hostname, holds);
    this.events.push({ t, host: hostname, holdsVip: holds });
  }

  /** Snapshot of every node; applied only where no monitored change arrived meanwhile. */
  private async sample(): Promise<void> {
    if (this.sampling || this.stopped) return;
    this.sampling = true;
    try {
      await Promise.all(
        this.nodes.map(async (n) => {
          if (!this.monitors.has(n.hostname)) return;
          const started = nowMs();
          const addresses = await this.lab.addresses(n.hostname, n.iface);
          const changed = this.lastChange.get(n.hostname);
          if (this.stopped || (changed !== undefined && changed >= started)) return;
          this.set(n.hostname, addresses.includes(this.vip), nowMs());
        }),
      );
    } catch {
      // a network being replaced; the next sample sees it
    } finally {
      this.sampling = false;
    }
  }

  /** Records that a node's link went up or down (the drill did it). */
  public markLink(hostname: string, up: boolean, t = nowMs()): void {
    this.events.push({ t, host: hostname, linkUp: up });
  }

  /** Before a host's network is replaced: stop watching it. */
  public async forget(hostname: string): Promise<void> {
    const child = this.monitors.get(hostname);
    this.monitors.delete(hostname);
    if (child?.pid !== undefined) {
      killPid(child.pid);
      await ProcessRegistry.waitExit(child, 2000);
    }
  }

  /** After a host's network was replaced: a fresh network holds no VIP; watch it again. */
  public watchAgain(hostname: string, t = nowMs()): void {
    this.set(hostname, false, t);
    this.markLink(hostname, true, t);
    this.startMonitor(this.node(hostname));
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
