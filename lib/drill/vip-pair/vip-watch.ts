/**
 * Watches which load-balancer hosts carry the VIP on their VRRP interface: `ip monitor address`
 * in each host's network for the moment of every change, and a snapshot of each interface's
 * addresses every 250 ms in case a change was missed.
 */

import { HostMonitors } from "../core/host-monitors";
import type { Lab } from "../core/lab";
import { nowMs } from "../core/proc";
import { holdersAt, type NodeEvent } from "./vip-timeline";

const ADDRESS_LINE = /^(Deleted\s+)?\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\//;

/** A watched host and the interface keepalived adds the VIP to. */
export interface WatchedNode {
  readonly hostname: string;
  readonly iface: string;
}

export class VipWatch {
  public readonly events: NodeEvent[] = [];
  private readonly monitors: HostMonitors;
  private readonly holds = new Map<string, boolean>();
  private readonly lastChange = new Map<string, number>();

  constructor(
    private readonly lab: Lab,
    private readonly vip: string,
    private readonly nodes: readonly WatchedNode[],
  ) {
    this.monitors = new HostMonitors(
      lab,
      ["ip", "-o", "monitor", "address"],
      "ip monitor",
      (host, line, t) => {
        const m = ADDRESS_LINE.exec(line);
        if (m && m[2] === this.node(host).iface && m[3] === this.vip) this.set(host, !m[1], t);
      },
    );
  }

  public async start(): Promise<void> {
    for (const n of this.nodes) this.monitors.watch(n.hostname);
    await this.monitors.sampleEvery(250, () => this.sample());
  }

  private node(hostname: string): WatchedNode {
    return this.nodes.find((n) => n.hostname === hostname) as WatchedNode;
  }

  private set(hostname: string, holds: boolean, t: number): void {
    this.lastChange.set(hostname, t);
    if ((this.holds.get(hostname) ?? false) === holds) return;
    this.holds.set(hostname, holds);
    this.events.push({ t, host: hostname, holdsVip: holds });
  }

  /** Snapshot of every node; applied only where no monitored change arrived meanwhile. */
  private async sample(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (!this.monitors.has(n.hostname)) return;
        const started = nowMs();
        const addresses = await this.lab.addresses(n.hostname, n.iface);
        const changed = this.lastChange.get(n.hostname);
        if (this.monitors.stopped || (changed !== undefined && changed >= started)) return;
        this.set(n.hostname, addresses.includes(this.vip), nowMs());
      }),
    );
  }

  /** Records that a node's link went up or down (the drill did it). */
  public markLink(hostname: string, up: boolean, t = nowMs()): void {
    this.events.push({ t, host: hostname, linkUp: up });
  }

  /** Before a host's network is replaced: stop watching it. */
  public forget(hostname: string): Promise<void> {
    return this.monitors.forget(hostname);
  }

  /** After a host's network was replaced: a fresh network holds no VIP; watch it again. */
  public watchAgain(hostname: string, t = nowMs()): void {
    this.set(hostname, false, t);
    this.markLink(hostname, true, t);
    this.monitors.watch(hostname);
  }

  /** Nodes with their link up that hold the VIP now. */
  public holders(): string[] {
    return holdersAt(this.events, Number.POSITIVE_INFINITY);
  }

  /** When `hostname` last started holding the VIP, at or after `sinceMs`. */
  public gainedAt(hostname: string, sinceMs: number): number | undefined {
    return this.events.find((e) => e.host === hostname && e.holdsVip === true && e.t >= sinceMs)?.t;
  }

  public stop(): Promise<void> {
    return this.monitors.stop();
  }
}
