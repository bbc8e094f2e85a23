/**
 * The three tiers up and served in a fresh lab: backends, L7, L4 nodes and routers started; it
 * waits until every router has one ECMP route to the service address over every L4 node, routes
 * the client place to the service address through the routers' gateway, and runs two clients:
 * new connections, one per request (the session's client), and kept-alive connections that a
 * fault may break (the connection client). Scenarios act on it and read from it.
 */

import type { FailurePrediction } from "../../model/availability";
import type { DrillClient } from "../clients/client";
import { CONNECTION_CLIENT, type ConnectionOutcome } from "../clients/connections";
import { HTTP_CLIENT } from "../clients/http";
import { DrillError } from "../core/drill-error";
import { failWithLogs } from "../core/host-logs";
import type { Lab } from "../core/lab";
import { ProcessRegistry, sleep } from "../core/proc";
import { startHostsTogether } from "../core/together";
import type { DrillSession, RunEnv } from "../core/topology-drill";
import { waitUntil } from "../core/wait";
import type { ThreeTierPlan, TierHost } from "./plan";
import { RouteWatch } from "./route-watch";

/** Kept-alive connections the drill holds open; each carries a request every 24 × 25 ms. */
export const KEPT_CONNECTIONS = 24;
const KEPT_INTERVAL_MS = 25;
/** Long enough for a few TCP retransmits (from 200 ms, doubling) before a request counts as failed. */
const KEPT_TIMEOUT_MS = 3000;

export class ThreeTierSession implements DrillSession {
  public client!: DrillClient;
  public connections!: DrillClient<ConnectionOutcome>;
  public routes!: RouteWatch;
  private readonly place: string;

  private constructor(
    public readonly lab: Lab,
    public readonly plan: ThreeTierPlan,
    public readonly env: RunEnv,
  ) {
    this.place = lab.clientOn(plan.network).place;
  }

  public static async start(lab: Lab, plan: ThreeTierPlan, env: RunEnv): Promise<ThreeTierSession> {
    const s = new ThreeTierSession(lab, plan, env);
    try {
      await s.startHosts();
      s.routes = new RouteWatch(
        lab,
        s.service,
        plan.routers.map((r) => r.hostname),
      );
      await s.routes.start();
      await s.waitForEcmp();
      await s.routeClients();
      await s.startClients();
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  /** The service address the clients use. */
  public get service(): string {
    return this.plan.serviceAddresses[0] as string;
  }

  public fail(message: string): never {
    return failWithLogs(
      this.lab,
      [...this.plan.routers, ...this.plan.l4Nodes, ...this.plan.l7Nodes],
      message,
    );
  }

  private async startHosts(): Promise<void> {
    const tiers = [this.plan.l7Nodes, this.plan.l4Nodes, this.plan.routers];
    const inTiers = new Set(tiers.flat().map((h) => h.hostname));
    await startHostsTogether(
      this.lab,
      this.lab.hostnames().filter((h) => !inTiers.has(h)),
    );
    for (const tier of tiers)
      await startHostsTogether(
        this.lab,
        tier.map((h) => h.hostname),
      );
  }

  /** Next hops every router should have: every L4 node but those in `without`. */
  public expectedHops(without: readonly TierHost[] = []): string {
    const out = new Set(without.map((h) => h.address));
    return this.plan.l4Nodes
      .map((h) => h.address)
      .filter((a) => !out.has(a))
      .sort()
      .join(",");
  }

  /** Waits, bounded, until every router routes the service over the L4 nodes but `without`. */
  public async waitForRoutes(without: readonly TierHost[], timeoutMs: number): Promise<boolean> {
    const want = this.expectedHops(without);
    const all = () => this.plan.routers.every((r) => this.routes.nextHops(r.hostname).join(",") === want);
    return (await waitUntil(all, timeoutMs, 20)) !== undefined;
  }

  private async waitForEcmp(): Promise<void> {
    this.env.say(
      `waiting until ${this.plan.routers.length} routers route ${this.service} over every L4 node`,
    );
    // BGP sessions come up after BIRD starts and the gate announces; slower on an emulated CPU.
    if (!(await this.waitForRoutes([], 120_000))) {
      const seen = this.plan.routers.map(
        (r) => `${r.hostname}: ${this.routes.nextHops(r.hostname).join(",")}`,
      );
      this.fail(`the routers had no ECMP route over every L4 node within 120 s (${seen.join("; ")})`);
    }
  }

  private async routeClients(): Promise<void> {
    for (const address of this.plan.serviceAddresses) {
      const child = this.lab.spawn(
        this.place,
        ["ip", "route", "replace", `${address}/32`, "via", this.plan.gateway],
        "client route",
      );
      if (!(await ProcessRegistry.waitExit(child, 60_000)) || child.exitCode !== 0) {
        throw new DrillError(
          `could not route ${address} via the gateway ${this.plan.gateway} in the client place`,
        );
      }
    }
  }

  private async startClients(): Promise<void> {
    const t = this.env.timings;
    // Both at once: each is a Python process whose start takes seconds on an emulated CPU. Both
    // are kept even when one fails, so that close() stops the one that started.
    const [client, connections] = await Promise.allSettled([
      HTTP_CLIENT.start(this.lab, this.place, {
        address: this.service,
        port: this.plan.servicePort,
        intervalMs: Math.max(t.intervalMs, 20),
        timeoutMs: Math.max(t.requestTimeoutMs, 1000),
        maxSeconds: 300,
      }),
      CONNECTION_CLIENT.start(this.lab, this.place, {
        address: this.service,
        port: this.plan.servicePort,
        connections: KEPT_CONNECTIONS,
        intervalMs: KEPT_INTERVAL_MS,
        timeoutMs: KEPT_TIMEOUT_MS,
        maxSeconds: 300,
      }),
    ]);
    if (client.status === "fulfilled") this.client = client.value;
    if (connections.status === "fulfilled") this.connections = connections.value;
    if (client.status === "rejected") throw client.reason;
    if (connections.status === "rejected") throw connections.reason;
    const l7 = this.plan.l7Nodes.map((h) => h.hostname);
    const steady = () => {
      const kept = this.connections.records.filter((r) => r.outcome !== "busy").slice(-KEPT_CONNECTIONS * 2);
      return (
        this.servedSteadily(20) &&
        kept.length === KEPT_CONNECTIONS * 2 &&
        kept.every((r) => r.outcome === "ok") &&
        l7.every((h) => kept.some((r) => r.answeredBy === h))
      );
    };
    if ((await waitUntil(steady, 60_000, 50)) === undefined) {
      const last = [...this.client.records.slice(-5), ...this.connections.records.slice(-5)];
      this.fail(
        `the clients were not served steadily by every L7 node within 60 s (last: ${JSON.stringify(last.map((r) => [r.outcome, r.answeredBy]))})`,
      );
    }
    await sleep(500);
  }

  /** Whether the last `count` new connections were all answered. */
  public servedSteadily(count: number): boolean {
    const recent = this.client.records.slice(-count);
    return recent.length === count && recent.every((r) => r.outcome === "ok");
  }

  /** How long to wait for a change predicted to take `predicted` seconds. */
  public bound(predicted: FailurePrediction | undefined): number {
    return Math.max(15_000, (predicted?.recoverySeconds ?? 0) * 5000 + 10_000);
  }

  public async close(): Promise<string[]> {
    const problems: string[] = [];
    for (const stop of [
      () => this.routes?.stop(),
      () => this.connections?.stop(),
      () => this.client?.stop(),
    ]) {
      try {
        await stop();
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    return problems;
  }
}
