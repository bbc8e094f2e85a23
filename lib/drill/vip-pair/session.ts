/**
 * A VIP pair up and served in a fresh lab: backends first, the VIP watch, the load-balancer
 * nodes; then it waits until the preferred node holds the VIP, the others report BACKUP, and the
 * client is answered through the VIP by every backend. Scenarios act on it and read from it.
 */

import type { FailurePrediction } from "../../model/availability";
import type { DrillClient, ProbeRecord } from "../clients/client";
import { HTTP_CLIENT } from "../clients/http";
import { DrillError } from "../core/drill-error";
import { failWithLogs } from "../core/host-logs";
import type { Lab } from "../core/lab";
import { nowMs, sleep } from "../core/proc";
import { startHostsTogether } from "../core/together";
import type { DrillSession, RunEnv } from "../core/topology-drill";
import { waitUntil } from "../core/wait";
import type { VipPairNode, VipPairPlan } from "./plan";
import { VipWatch } from "./vip-watch";

export class VipPairSession implements DrillSession {
  /** The node holding the VIP when the fault is injected. */
  public master: VipPairNode;
  /** The node expected to take over (the highest-priority other node). */
  public other: VipPairNode;
  public client!: DrillClient;
  public watch!: VipWatch;

  private constructor(
    public readonly lab: Lab,
    public readonly plan: VipPairPlan,
    public readonly env: RunEnv,
  ) {
    this.master = plan.nodes[0] as VipPairNode;
    this.other = plan.nodes[1] as VipPairNode;
  }

  /** Brings the pair up in `lab` and waits until the preferred node serves. */
  public static async start(lab: Lab, plan: VipPairPlan, env: RunEnv): Promise<VipPairSession> {
    const s = new VipPairSession(lab, plan, env);
    try {
      await s.startHosts();
      await s.waitForMaster();
      await s.startClient();
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  public fail(message: string): never {
    return failWithLogs(this.lab, this.plan.nodes, message, 25);
  }

  /** keepalived's state as the notify script wrote it; undefined when the host is down. */
  public async stateOf(hostname: string): Promise<string | undefined> {
    if (!this.lab.isRunning(hostname)) return undefined;
    return (await this.lab.readFile(hostname, `/run/ha/vrrp-${this.plan.instanceName}.state`))?.trim();
  }

  public async stateFiles(): Promise<Record<string, string | null>> {
    const states = await Promise.all(
      this.plan.nodes.map(async (n) => [n.hostname, (await this.stateOf(n.hostname)) ?? null]),
    );
    return Object.fromEntries(states);
  }

  public get records(): readonly ProbeRecord[] {
    return this.client.records;
  }

  /** Fails the run at once when a host that should run has exited (with its output). */
  private assertHostsRunning(): void {
    for (const h of this.lab.hostnames()) {
      if (this.lab.isRunning(h)) continue;
      throw new DrillError(`host ${h} exited unexpectedly; its output:\n${this.lab.logTail(h, 40)}`);
    }
  }

  private async startHosts(): Promise<void> {
    const lbNames = new Set(this.plan.nodes.map((n) => n.hostname));
    // Backends first, so that HAProxy's first checks find them.
    await startHostsTogether(
      this.lab,
      this.lab.hostnames().filter((h) => !lbNames.has(h)),
    );
    this.watch = new VipWatch(
      this.lab,
      this.plan.vip,
      this.plan.nodes.map((n) => ({ hostname: n.hostname, iface: n.instance.interface })),
    );
    await this.watch.start();
    for (const n of this.plan.nodes) await this.lab.startHost(n.hostname);
  }

  private async waitForMaster(): Promise<void> {
    // With preemption the highest priority must win; with nopreempt the first node to time out
    // does, and the drill takes whichever node that is as the master.
    const expected = this.plan.preempt ? this.master.hostname : undefined;
    this.env.say(`waiting for ${this.plan.vip} on ${expected ?? "one node"}`);
    const single = () => {
      this.assertHostsRunning();
      const h = this.watch.holders();
      return h.length === 1 && (expected === undefined || h[0] === expected);
    };
    if ((await waitUntil(single, 20_000, 20)) === undefined) {
      this.fail(
        `the VIP ${this.plan.vip} did not settle on ${expected ?? "one node"} within 20 s (holders: ${this.watch.holders().join(", ") || "none"})`,
      );
    }
    const holder = this.watch.holders()[0];
    this.master = this.plan.nodes.find((n) => n.hostname === holder) as VipPairNode;
    this.other = this.plan.nodes.find((n) => n !== this.master) as VipPairNode;
    const backups = this.plan.nodes.filter((n) => n !== this.master);
    const ready = async () => {
      this.assertHostsRunning();
      const states = await Promise.all(backups.map((n) => this.stateOf(n.hostname)));
      return states.every((s) => s === "BACKUP");
    };
    if ((await waitUntil(ready, 15_000, 50)) === undefined) {
      const states = await this.stateFiles();
      this.fail(`the backup node(s) did not report BACKUP within 15 s (${JSON.stringify(states)})`);
    }
  }

  private async startClient(): Promise<void> {
    const t = this.env.timings;
    // The client sits on the VIP's network.
    const place = this.lab.clientOn(this.plan.network);
    this.client = await HTTP_CLIENT.start(this.lab, place.place, {
      address: this.plan.vip,
      port: this.plan.port,
      intervalMs: t.intervalMs,
      timeoutMs: t.requestTimeoutMs,
      maxSeconds: 180 + this.plan.preemptDelaySeconds,
    });
    this.env.say("waiting until every backend answers through the VIP");
    const backendNames = this.plan.backends.map((b) => b.hostname);
    const serving = () => {
      const recent = this.records.slice(-20);
      if (
        recent.length < 20 ||
        recent.some((r) => r.outcome !== "ok" || r.answeredBy !== this.master.loadBalancerName)
      )
        return false;
      const served = new Set(this.records.slice(-200).map((r) => r.servedBy));
      return backendNames.every((b) => served.has(b));
    };
    if ((await waitUntil(serving, 15_000, 20)) === undefined) {
      this.fail(
        `the service on ${this.plan.vip}:${this.plan.port} did not answer steadily through ${this.master.loadBalancerName} from all backends within 15 s (last requests: ${JSON.stringify(this.records.slice(-5))})`,
      );
    }
    await sleep(500);
  }

  /** How long to wait for a recovery predicted to take `predicted` seconds. */
  public bound(predicted: FailurePrediction | undefined): number {
    return Math.max(10_000, (predicted?.recoverySeconds ?? 0) * 3000 + 5000);
  }

  /** Waits until a node other than `oldLb` answers, after `sinceMs`. */
  public async waitForAnswerFromOther(oldLb: string, sinceMs: number, timeoutMs: number): Promise<boolean> {
    const other = () =>
      this.records.some(
        (r) =>
          r.outcome === "ok" && r.endMs >= sinceMs && r.answeredBy !== oldLb && r.answeredBy !== undefined,
      );
    return (await waitUntil(other, timeoutMs, 10)) !== undefined;
  }

  /** Waits until `lb` answers, after `sinceMs`. */
  public async waitForAnswerFrom(lb: string, sinceMs: number, timeoutMs: number): Promise<boolean> {
    const via = () =>
      this.records.some((r) => r.outcome === "ok" && r.answeredBy === lb && r.endMs >= sinceMs);
    return (await waitUntil(via, timeoutMs, 20)) !== undefined;
  }

  /**
   * Waits (bounded) until the client has been served without a failure for the last `ms`, all
   * of them after `sinceMs`.
   */
  public async waitForSteady(ms: number, timeoutMs: number, sinceMs = nowMs()): Promise<boolean> {
    const steady = () => {
      const now = nowMs();
      if (now - ms < sinceMs) return false;
      const recent = this.records.filter((r) => r.endMs >= now - ms);
      return recent.length > 0 && recent.every((r) => r.outcome === "ok");
    };
    return (await waitUntil(steady, timeoutMs, 20)) !== undefined;
  }

  public async close(): Promise<string[]> {
    const problems: string[] = [];
    try {
      await this.client?.stop();
    } catch (e) {
      problems.push((e as Error).message);
    }
    await this.watch?.stop();
    return problems;
  }
}
