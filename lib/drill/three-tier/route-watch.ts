/**
 * Watches the routers' kernel routes to one service address: `ip -o monitor route` in each
 * router's network for the moment of every change, and a snapshot of `ip route show` every
 * 250 ms in case a change was missed. Keeps, per router, when its set of next hops changed.
 */

import { HostMonitors } from "../core/host-monitors";
import type { Lab } from "../core/lab";
import { nowMs } from "../core/proc";

/** A router's next hops to the address from `t` (monotonic ms) on; empty: no route. */
export interface RouteEvent {
  readonly t: number;
  readonly router: string;
  readonly nextHops: readonly string[];
}

/**
 * The next hops a line of `ip -o route` / `ip -o monitor route` gives `address`: sorted, empty
 * for a deleted route, undefined for a line about another destination.
 */
export function nextHopsOf(line: string, address: string): string[] | undefined {
  const m = /^(Deleted\s+)?(\S+)\s(.*)$/.exec(line.trim());
  if (!m || (m[2] !== address && m[2] !== `${address}/32`)) return undefined;
  if (m[1]) return [];
  const rest = m[3] as string;
  if (/^(unreachable|blackhole|prohibit)\b/.test(rest)) return [];
  const hops = [...rest.matchAll(/nexthop via (\S+)/g)].map((x) => x[1] as string);
  if (hops.length === 0) {
    const single = /(?:^|\s)via (\S+)/.exec(rest);
    if (single) hops.push(single[1] as string);
  }
  return [...new Set(hops)].sort();
}

export class RouteWatch {
  public readonly events: RouteEvent[] = [];
  private readonly monitors: HostMonitors;
  private readonly current = new Map<string, string>();
  private readonly lastChange = new Map<string, number>();

  constructor(
    private readonly lab: Lab,
    private readonly address: string,
    private readonly routers: readonly string[],
  ) {
    this.monitors = new HostMonitors(
      lab,
      ["ip", "-o", "-4", "monitor", "route"],
      "ip monitor route",
      (router, line, t) => {
        const hops = nextHopsOf(line.replace(/\\\s*/g, " "), this.address);
        if (hops) this.set(router, hops, t);
      },
    );
  }

  public async start(): Promise<void> {
    for (const r of this.routers) this.monitors.watch(r);
    await this.monitors.sampleEvery(250, () => this.sample());
  }

  private set(router: string, hops: readonly string[], t: number): void {
    this.lastChange.set(router, t);
    const key = hops.join(",");
    if (this.current.get(router) === key) return;
    this.current.set(router, key);
    this.events.push({ t, router, nextHops: [...hops] });
  }

  /** Every router's routes now; applied only where no monitored change arrived meanwhile. */
  private async sample(): Promise<void> {
    await Promise.all(
      this.routers.map(async (router) => {
        const started = nowMs();
        const r = await this.lab.exec(router, ["ip", "-o", "-4", "route", "show", `${this.address}/32`], {
          allowFailure: true,
          timeoutMs: 5000,
        });
        const changed = this.lastChange.get(router);
        if (this.monitors.stopped || r.code !== 0 || (changed !== undefined && changed >= started)) return;
        const line = r.stdout.replace(/\\\s*/g, " ").trim();
        this.set(router, line ? (nextHopsOf(line, this.address) ?? []) : [], nowMs());
      }),
    );
  }

  /** A router's next hops now, as last seen. */
  public nextHops(router: string): string[] {
    const key = this.current.get(router);
    return key ? key.split(",") : [];
  }

  /**
   * Milliseconds after `sinceMs` at which `holds` became true for every router and stayed so to
   * the last event; undefined while it does not hold for all of them now.
   */
  public heldSince(sinceMs: number, holds: (hops: readonly string[]) => boolean): number | undefined {
    let at = sinceMs;
    for (const router of this.routers) {
      if (!holds(this.nextHops(router))) return undefined;
      const mine = this.events.filter((e) => e.router === router);
      let i = mine.length - 1;
      while (i > 0 && holds((mine[i - 1] as RouteEvent).nextHops)) i--;
      const from = mine[i]?.t ?? sinceMs;
      at = Math.max(at, from);
    }
    return at - sinceMs;
  }

  public stop(): Promise<void> {
    return this.monitors.stop();
  }
}
