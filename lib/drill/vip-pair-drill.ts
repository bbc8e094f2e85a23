/**
 * Failover drills of a VIP pair: each run brings the whole stack up in a fresh lab, waits until
 * the preferred node holds the VIP and the client is served through it, injects one fault, and
 * measures what the client saw and where the VIP went.
 */
import type { FailurePrediction } from "../model/availability";
import { DrillClient, type RequestRecord } from "./client";
import { Lab } from "./lab";
import {
  countRequests,
  type DuplicateVip,
  duplicateVip,
  failoverSeconds,
  holdersAt,
  longestGapSeconds,
  type RequestCounts,
  restoredSeconds,
  roundSeconds,
} from "./measure";
import type { Predictions } from "./prediction";
import { nowMs, sleep } from "./proc";
import { DrillError, type DrillStack, freeAddress } from "./stack";
import type { VipPairNode, VipPairPlan } from "./vip-pair-plan";
import { VipWatch } from "./vip-watch";

/** The VIP pair's scenarios, in the order `all` runs them. */
export const VIP_PAIR_SCENARIOS = [
  "node-loss",
  "proxy-death",
  "backend-death",
  "master-restart",
  "partition",
] as const;
export type VipPairScenario = (typeof VIP_PAIR_SCENARIOS)[number];

/** The ha-report fault each scenario is compared with. */
const PREDICTED_FAULT: Record<VipPairScenario, { fault: string; group: "lb" | "backend" } | undefined> = {
  "node-loss": { fault: "node-loss", group: "lb" },
  "proxy-death": { fault: "proxy-process-death", group: "lb" },
  "backend-death": { fault: "backend-process-death", group: "backend" },
  "master-restart": { fault: "node-loss", group: "lb" },
  partition: undefined,
};

export interface DrillTimings {
  /** Milliseconds between client requests. @default 15 */
  readonly intervalMs?: number;
  /** Time limit of one client request. @default 500 */
  readonly requestTimeoutMs?: number;
  /** Seconds a partition lasts before it is healed. @default 3 */
  readonly partitionSeconds?: number;
  /** Seconds the drill keeps measuring after service is back. @default 2 */
  readonly settleSeconds?: number;
}

/** A check of a run: what the scenario must show. */
export interface DrillCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

/** The figures of one run (one JSON line of `ha-drill --json`). */
export interface DrillRunResult {
  readonly type: "run";
  readonly stack: string;
  readonly topology: "vip-pair";
  readonly scenario: VipPairScenario;
  readonly run: number;
  readonly runs: number;
  readonly fault: string;
  readonly service: string;
  readonly masterBefore: string;
  /** Node holding the VIP when the run ended (null: none, or several). */
  readonly masterAfter: string | null;
  /** The analysis' predicted recovery for this fault, seconds (null: none predicted). */
  readonly predictedSeconds: number | null;
  /** The measured figure compared with the prediction, seconds (null: service not restored). */
  readonly measuredSeconds: number | null;
  /** Which figure `measuredSeconds` is. */
  readonly measure: string;
  readonly prediction?: FailurePrediction;
  /** Fault → first successful answer through another node (null: none). */
  readonly failoverSeconds: number | null;
  /** Fault → first success after the last failure (0: nothing failed). */
  readonly restoredSeconds: number | null;
  readonly longestGapSeconds: number;
  readonly requests: RequestCounts;
  readonly duplicateVip: DuplicateVip;
  /** Scenario-specific figures. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly checks: readonly DrillCheck[];
  readonly passed: boolean;
  readonly durationSeconds: number;
}

export interface VipPairDrillContext {
  readonly stack: DrillStack;
  readonly plan: VipPairPlan;
  readonly predictions: Predictions;
  readonly timings?: DrillTimings;
  readonly progress?: (message: string) => void;
  /** Called with each lab as it is made, so that an interrupt can tear it down. */
  readonly onLab?: (lab: Lab | undefined) => void;
  /** Keep logs of each run in this directory's subfolders. */
  readonly keepLogs?: boolean;
}

/** Polls `condition` every `stepMs` until it holds or `timeoutMs` passes; elapsed ms, or undefined. */
async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  stepMs = 5,
): Promise<number | undefined> {
  const start = nowMs();
  while (nowMs() - start < timeoutMs) {
    if (condition()) return nowMs() - start;
    await sleep(stepMs);
  }
  return condition() ? nowMs() - start : undefined;
}

/** One run in a fresh lab. */
class VipPairRun {
  private lab!: Lab;
  private watch!: VipWatch;
  private client!: DrillClient;
  private readonly t: Required<DrillTimings>;
  /** The node holding the VIP when the fault is injected. */
  private master: VipPairNode;
  /** The node expected to take over (the highest-priority other node). */
  private other: VipPairNode;

  constructor(
    private readonly ctx: VipPairDrillContext,
    private readonly scenario: VipPairScenario,
    private readonly runNumber: number,
    private readonly runs: number,
  ) {
    this.t = {
      intervalMs: ctx.timings?.intervalMs ?? 15,
      requestTimeoutMs: ctx.timings?.requestTimeoutMs ?? 500,
      partitionSeconds: ctx.timings?.partitionSeconds ?? 3,
      settleSeconds: ctx.timings?.settleSeconds ?? 2,
    };
    this.master = ctx.plan.nodes[0] as VipPairNode;
    this.other = ctx.plan.nodes[1] as VipPairNode;
  }

  private say(message: string): void {
    this.ctx.progress?.(`${this.scenario} ${this.runNumber}/${this.runs}: ${message}`);
  }

  private get plan(): VipPairPlan {
    return this.ctx.plan;
  }

  private nodeLogs(): string {
    return this.plan.nodes
      .map((n) => `--- ${n.hostname} (last lines of its output)\n${this.lab.logTail(n.hostname, 25)}`)
      .join("\n");
  }

  private fail(message: string): never {
    throw new DrillError(`${this.scenario} run ${this.runNumber}: ${message}\n${this.nodeLogs()}`);
  }

  private stateOf(hostname: string): string | undefined {
    if (!this.lab.isRunning(hostname)) return undefined;
    return this.lab.readHostFile(hostname, `/run/ha/vrrp-${this.plan.instanceName}.state`)?.trim();
  }

  /** Fails the run at once when a host that should run has exited (with its output). */
  private assertHostsRunning(): void {
    for (const h of this.lab.hosts.values()) {
      if (this.lab.isRunning(h.hostname)) continue;
      throw new DrillError(
        `${this.scenario} run ${this.runNumber}: host ${h.hostname} exited unexpectedly; its output:\n${this.lab.logTail(h.hostname, 40)}`,
      );
    }
  }

  private okVia(records: readonly RequestRecord[], lb: string, sinceMs: number): boolean {
    return records.some((r) => r.outcome === "ok" && r.loadBalancer === lb && r.endMs >= sinceMs);
  }

  /** Brings the stack up and waits until the preferred node serves. */
  private async setUp(): Promise<void> {
    const stack = this.ctx.stack;
    const clientAddresses = new Map(
      stack.networks.map((n) => [
        n.key,
        freeAddress(n, [...stack.containers.map((c) => c.address), this.plan.vip]),
      ]),
    );
    const standInPorts = new Map(this.plan.backends.map((b) => [b.container.key, b.port]));
    this.say("creating namespaces");
    this.lab = await Lab.create(stack, clientAddresses, { standInPorts, keepWorkDir: this.ctx.keepLogs });
    this.ctx.onLab?.(this.lab);
    const lbNames = new Set(this.plan.nodes.map((n) => n.hostname));
    // Backends first, so that HAProxy's first checks find them.
    for (const h of this.lab.hosts.values())
      if (!lbNames.has(h.hostname)) await this.lab.startHost(h.hostname);
    this.watch = new VipWatch(this.lab, this.plan.vip, [...lbNames]);
    await this.watch.start();
    for (const n of this.plan.nodes) await this.lab.startHost(n.hostname);
    // With preemption the highest priority must win; with nopreempt the first node to time out
    // does, and the drill takes whichever node that is as the master.
    const expected = this.plan.preempt ? this.master.hostname : undefined;
    this.say(`waiting for ${this.plan.vip} on ${expected ?? "one node"}`);
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
    const ready = () => {
      this.assertHostsRunning();
      return backups.every((n) => this.stateOf(n.hostname) === "BACKUP");
    };
    if ((await waitUntil(ready, 15_000, 50)) === undefined) {
      this.fail(
        `the backup node(s) did not report BACKUP within 15 s (${backups.map((n) => `${n.hostname}: ${this.stateOf(n.hostname) ?? "no state file"}`).join(", ")})`,
      );
    }
    // The client sits on the VIP's network.
    const clientNs = this.lab.clients.get(this.master.container.network);
    if (!clientNs) this.fail(`no client namespace on network ${this.master.container.network}`);
    this.client = await DrillClient.start(this.lab, clientNs.netns, {
      address: this.plan.vip,
      port: this.plan.port,
      intervalMs: this.t.intervalMs,
      timeoutMs: this.t.requestTimeoutMs,
      maxSeconds: 180 + this.plan.preemptDelaySeconds,
    });
    this.say("waiting until every backend answers through the VIP");
    const backendNames = this.plan.backends.map((b) => b.hostname);
    const serving = () => {
      const recent = this.client.records.slice(-20);
      if (
        recent.length < 20 ||
        recent.some((r) => r.outcome !== "ok" || r.loadBalancer !== this.master.loadBalancerName)
      )
        return false;
      const served = new Set(this.client.records.slice(-200).map((r) => r.servedBy));
      return backendNames.every((b) => served.has(b));
    };
    if ((await waitUntil(serving, 15_000, 20)) === undefined) {
      const last = this.client.records.slice(-5);
      this.fail(
        `the service on ${this.plan.vip}:${this.plan.port} did not answer steadily through ${this.master.loadBalancerName} from all backends within 15 s (last requests: ${JSON.stringify(last)})`,
      );
    }
    await sleep(500);
  }

  private async tearDown(): Promise<string[]> {
    const problems: string[] = [];
    try {
      await this.client?.stop();
    } catch (e) {
      problems.push((e as Error).message);
    }
    await this.watch?.stop();
    if (this.lab) {
      problems.push(...(await this.lab.teardown()));
      if (this.ctx.keepLogs) this.ctx.progress?.(`logs kept in ${this.lab.workDir}/logs`);
    }
    this.ctx.onLab?.(undefined);
    return problems;
  }

  /** Link down and every process killed, together (as a real node loss). */
  private async loseNode(hostname: string): Promise<number> {
    const t0 = nowMs();
    this.watch.markLink(hostname, false, t0);
    // Link first: no RST or FIN from the dying node may reach the client.
    await this.lab.setLink(hostname, false);
    await this.lab.killHost(hostname);
    return t0;
  }

  private async waitForAnswerFromOther(oldLb: string, sinceMs: number, timeoutMs: number): Promise<boolean> {
    return (
      (await waitUntil(
        () =>
          this.client.records.some(
            (r) =>
              r.outcome === "ok" &&
              r.endMs >= sinceMs &&
              r.loadBalancer !== oldLb &&
              r.loadBalancer !== undefined,
          ),
        timeoutMs,
        10,
      )) !== undefined
    );
  }

  /**
   * Waits (bounded) until the client has been served without a failure for the last `ms`, all
   * of them after `sinceMs`.
   */
  private async waitForSteady(ms: number, timeoutMs: number, sinceMs = nowMs()): Promise<boolean> {
    return (
      (await waitUntil(
        () => {
          const now = nowMs();
          if (now - ms < sinceMs) return false;
          const recent = this.client.records.filter((r) => r.endMs >= now - ms);
          return recent.length > 0 && recent.every((r) => r.outcome === "ok");
        },
        timeoutMs,
        20,
      )) !== undefined
    );
  }

  private prediction(): FailurePrediction | undefined {
    const which = PREDICTED_FAULT[this.scenario];
    if (!which) return undefined;
    const member = which.group === "lb" ? this.master.container : this.plan.backends[0]?.container;
    return this.ctx.predictions.forMember(member?.constructPath, which.fault);
  }

  public async execute(): Promise<DrillRunResult> {
    const started = nowMs();
    try {
      await this.setUp();
      return await this.scenarioBody(started);
    } finally {
      const problems = await this.tearDown();
      if (problems.length) this.ctx.progress?.(`cleanup problems: ${problems.join("; ")}`);
    }
  }

  private async scenarioBody(started: number): Promise<DrillRunResult> {
    const plan = this.plan;
    const oldLb = this.master.loadBalancerName;
    const settleMs = this.t.settleSeconds * 1000;
    const checks: DrillCheck[] = [];
    const details: Record<string, unknown> = {};
    let fault = "";
    let t0 = 0;
    let measure = "failoverSeconds";
    const other = this.other;
    const prediction = this.prediction();
    const bound = Math.max(10_000, (prediction?.recoverySeconds ?? 0) * 3000 + 5000);

    switch (this.scenario) {
      case "node-loss": {
        fault = `node loss of the master ${this.master.hostname}: eth0 down and every process of its PID namespace killed`;
        this.say(fault);
        t0 = await this.loseNode(this.master.hostname);
        await this.waitForAnswerFromOther(oldLb, t0, bound);
        await this.waitForSteady(settleMs, bound);
        break;
      }
      case "proxy-death": {
        const pid = this.lab.supervisedPid(this.master.hostname, "haproxy");
        if (pid === undefined) this.fail(`no /run/ha/haproxy.pid on ${this.master.hostname}`);
        fault = `HAProxy killed on the master ${this.master.hostname} (SIGKILL to its pidfile's process tree, held down by /run/ha/haproxy.hold)`;
        this.say(fault);
        this.lab.writeHostFile(this.master.hostname, "/run/ha/haproxy.hold", "ha-drill\n");
        t0 = nowMs();
        const killed = this.lab.killTree(pid);
        details.killedPids = killed.length;
        await this.waitForAnswerFromOther(oldLb, t0, bound);
        await this.waitForSteady(settleMs, bound);
        details.oldMasterState = this.stateOf(this.master.hostname) ?? null;
        details.haproxyRestarted = this.lab.supervisedPid(this.master.hostname, "haproxy") !== undefined;
        break;
      }
      case "backend-death": {
        measure = "restoredSeconds";
        const victim = plan.backends[0];
        if (!victim) this.fail("no backend");
        const supervised = this.lab.supervisedPid(victim.hostname, "backend");
        t0 = nowMs();
        if (supervised !== undefined && !this.lab.host(victim.hostname).standIn) {
          fault = `backend ${victim.hostname}'s server process killed (SIGKILL by /run/ha/backend.pid, held down by /run/ha/backend.hold)`;
          this.say(fault);
          this.lab.writeHostFile(victim.hostname, "/run/ha/backend.hold", "ha-drill\n");
          t0 = nowMs();
          this.lab.killTree(supervised);
        } else {
          fault = `backend ${victim.hostname} (stand-in server) killed`;
          this.say(fault);
          t0 = nowMs();
          await this.lab.killHost(victim.hostname);
        }
        // Passive checks (error-limit) and active checks (fall × inter) both get time to act.
        await sleep(Math.max(4000, settleMs));
        const after = this.client.records.filter((r) => r.startMs >= t0 + 3000 && r.outcome === "ok");
        details.victim = victim.hostname;
        details.servedByVictimAfter3s = after.filter((r) => r.servedBy === victim.hostname).length;
        break;
      }
      case "master-restart": {
        fault = `node loss of the master ${this.master.hostname}, then the node restarts (fresh namespace, same files)`;
        this.say(`node loss of ${this.master.hostname}`);
        t0 = await this.loseNode(this.master.hostname);
        await this.waitForAnswerFromOther(oldLb, t0, bound);
        await this.waitForSteady(1000, bound);
        this.say(`restarting ${this.master.hostname}`);
        await this.watch.forget(this.master.hostname);
        await this.lab.recreateHostNetwork(this.master.hostname);
        const t1 = nowMs();
        await this.watch.watchAgain(this.master.hostname, t1);
        await this.lab.startHost(this.master.hostname);
        details.restartAtSeconds = roundSeconds(t1 - t0);
        details.preempt = plan.preempt;
        details.preemptDelaySeconds = plan.preemptDelaySeconds;
        if (plan.preempt) {
          this.say(
            `waiting up to ${plan.preemptDelaySeconds + 20} s for preemption (preempt_delay ${plan.preemptDelaySeconds} s)`,
          );
          await waitUntil(
            () => this.okVia(this.client.records, oldLb, t1),
            (plan.preemptDelaySeconds + 20) * 1000,
            20,
          );
          await this.waitForSteady(settleMs, 10_000);
        } else {
          this.say("nopreempt: checking the VIP stays where it is");
          await sleep((plan.preemptDelaySeconds + 5) * 1000);
        }
        const gained = this.watch.gainedAt(this.master.hostname, t1);
        const back = this.client.records.find(
          (r) => r.outcome === "ok" && r.loadBalancer === oldLb && r.endMs >= t1,
        );
        details.vipBackAfterRestartSeconds = gained === undefined ? null : roundSeconds(gained - t1);
        details.answersBackAfterRestartSeconds = back ? roundSeconds(back.endMs - t1) : null;
        const during = this.client.records.filter((r) => r.endMs >= t1);
        details.requestsAfterRestart = countRequests(during);
        details.longestGapAfterRestartSeconds = longestGapSeconds(this.client.records, t1, nowMs());
        details.stateFiles = Object.fromEntries(
          plan.nodes.map((n) => [n.hostname, this.stateOf(n.hostname) ?? null]),
        );
        details.duplicateVipAfterRestart = duplicateVip(this.watch.events, t1, nowMs());
        break;
      }
      case "partition": {
        measure = "splitBrainAfterSeconds";
        const peers = plan.nodes.filter((n) => n !== other).map((n) => n.address);
        fault = `partition between the LB nodes: ${other.hostname} drops VRRP (IP protocol 112) and traffic to/from ${peers.join(", ")} on eth0 (nft)`;
        this.say(fault);
        const rules = [
          "table inet ha_drill {",
          "  chain input {",
          "    type filter hook input priority filter; policy accept;",
          '    iifname "eth0" ip protocol 112 drop',
          ...peers.map((p) => `    iifname "eth0" ip saddr ${p} drop`),
          "  }",
          "  chain output {",
          "    type filter hook output priority filter; policy accept;",
          '    oifname "eth0" ip protocol 112 drop',
          ...peers.map((p) => `    oifname "eth0" ip daddr ${p} drop`),
          "  }",
          "}",
          "",
        ].join("\n");
        const ns = this.lab.host(other.hostname).netns;
        t0 = nowMs();
        await this.lab.run(["nsenter", `--net=/run/netns/${ns}`, "--", "nft", "-f", "-"], { input: rules });
        const both = () => this.watch.holders().length >= 2;
        const split = await waitUntil(both, 10_000, 5);
        const splitAt =
          split === undefined ? undefined : this.watch.events.filter((e) => e.holdsVip && e.t >= t0).at(0)?.t;
        await sleep(this.t.partitionSeconds * 1000);
        details.partitionSeconds = this.t.partitionSeconds;
        details.stateFilesDuringPartition = Object.fromEntries(
          plan.nodes.map((n) => [n.hostname, this.stateOf(n.hostname) ?? null]),
        );
        const tHeal = nowMs();
        details.requestsDuringPartition = countRequests(
          this.client.records.filter((r) => r.startMs >= t0 && r.endMs < tHeal),
        );
        this.say("healing the partition");
        await this.lab.run([
          "nsenter",
          `--net=/run/netns/${ns}`,
          "--",
          "nft",
          "delete",
          "table",
          "inet",
          "ha_drill",
        ]);
        const healed = await waitUntil(() => this.watch.holders().length === 1, 10_000, 5);
        const steady = await this.waitForSteady(settleMs, 15_000, tHeal);
        const afterHeal = this.client.records.filter((r) => r.startMs >= tHeal);
        details.splitBrain = split !== undefined;
        details.splitBrainAfterSeconds = splitAt === undefined ? null : roundSeconds(splitAt - t0);
        details.singleHolderAfterHealSeconds = healed === undefined ? null : roundSeconds(healed);
        details.requestsAfterHeal = countRequests(afterHeal);
        details.clientRestoredAfterHealSeconds = steady ? restoredSeconds(afterHeal, tHeal) : null;
        break;
      }
    }

    const end = nowMs();
    const window = this.client.records.filter((r) => r.endMs >= t0 && r.startMs <= end);
    const holdersNow = holdersAt(this.watch.events, end);
    const masterAfter = holdersNow.length === 1 ? (holdersNow[0] as string) : null;
    const failover = failoverSeconds(window, t0, oldLb);
    const restored = restoredSeconds(window, t0);
    const dup = duplicateVip(this.watch.events, t0, end);
    const requests = countRequests(window);
    const measured =
      measure === "failoverSeconds"
        ? failover
        : measure === "restoredSeconds"
          ? restored
          : ((details.splitBrainAfterSeconds as number | null | undefined) ?? null);

    const check = (name: string, passed: boolean, detail: string) => checks.push({ name, passed, detail });
    // During a handover the new master adds the VIP before the old one has seen its advert.
    const handover = plan.advertIntervalSeconds;
    switch (this.scenario) {
      case "node-loss":
      case "proxy-death":
        check(
          "vip-moved",
          masterAfter !== null && masterAfter !== this.master.hostname,
          `VIP on ${masterAfter ?? holdersNow.join("+") ?? "none"}`,
        );
        check("service-restored", restored !== null, `restored after ${restored ?? "never"} s`);
        check(
          "no-duplicate-vip",
          dup.longestSeconds <= handover,
          dup.detected
            ? `VIP on ${dup.hosts.join(" and ")} at once for ${dup.seconds} s (longest ${dup.longestSeconds} s; a handover may overlap up to one advert interval, ${handover} s)`
            : "never on two live nodes at once",
        );
        break;
      case "backend-death":
        check(
          "no-failed-requests",
          requests.failed === 0,
          `${requests.failed} of ${requests.sent} failed ${JSON.stringify(requests.errors)}`,
        );
        check(
          "victim-out-of-rotation",
          details.servedByVictimAfter3s === 0,
          `${details.servedByVictimAfter3s} answers from ${details.victim} 3 s after the fault`,
        );
        break;
      case "master-restart": {
        const vipBack = details.vipBackAfterRestartSeconds as number | null;
        if (plan.preempt) {
          check(
            "vip-returned",
            masterAfter === this.master.hostname,
            `VIP on ${masterAfter ?? (holdersNow.join("+") || "none")} at the end`,
          );
          check(
            "preempt-delay-honoured",
            vipBack !== null && vipBack >= plan.preemptDelaySeconds,
            `VIP back ${vipBack ?? "never"} s after the restart; preempt_delay ${plan.preemptDelaySeconds} s`,
          );
        } else {
          check("vip-stayed", masterAfter === other.hostname, `VIP on ${masterAfter ?? "none"} (nopreempt)`);
        }
        const afterDup = details.duplicateVipAfterRestart as DuplicateVip;
        check(
          "no-duplicate-vip",
          afterDup.longestSeconds <= handover,
          afterDup.detected
            ? `after the restart the VIP was on ${afterDup.hosts.join(" and ")} at once for ${afterDup.seconds} s (longest ${afterDup.longestSeconds} s; a handover may overlap up to one advert interval, ${handover} s)`
            : "never on two live nodes at once after the restart",
        );
        check(
          "single-holder-at-end",
          holdersNow.length === 1,
          `holders at the end: ${holdersNow.join(", ") || "none"}`,
        );
        break;
      }
      case "partition":
        check(
          "split-brain-reported",
          true,
          details.splitBrain
            ? `both nodes held the VIP for ${dup.seconds} s`
            : "no split-brain: the pair kept one VIP holder",
        );
        check(
          "single-holder-after-heal",
          details.singleHolderAfterHealSeconds !== null,
          `one holder ${details.singleHolderAfterHealSeconds ?? "never"} s after the heal`,
        );
        check(
          "service-restored-after-heal",
          details.clientRestoredAfterHealSeconds !== null,
          `client served again ${details.clientRestoredAfterHealSeconds ?? "never (within 15 s)"} s after the heal`,
        );
        break;
    }

    return {
      type: "run",
      stack: this.ctx.stack.name,
      topology: "vip-pair",
      scenario: this.scenario,
      run: this.runNumber,
      runs: this.runs,
      fault,
      service: `${plan.vip}:${plan.port}`,
      masterBefore: this.master.hostname,
      masterAfter,
      predictedSeconds: prediction?.recoverySeconds ?? null,
      measuredSeconds: measured,
      measure,
      ...(prediction ? { prediction } : {}),
      failoverSeconds: failover,
      restoredSeconds: restored,
      longestGapSeconds: longestGapSeconds(window, t0, end),
      requests,
      duplicateVip: dup,
      details,
      checks,
      passed: checks.every((c) => c.passed),
      durationSeconds: roundSeconds(nowMs() - started),
    };
  }
}

/** Runs one scenario once in a fresh lab; the lab is always torn down. */
export async function runVipPairScenario(
  ctx: VipPairDrillContext,
  scenario: VipPairScenario,
  run = 1,
  runs = 1,
): Promise<DrillRunResult> {
  return new VipPairRun(ctx, scenario, run, runs).execute();
}
