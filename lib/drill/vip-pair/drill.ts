/**
 * The VIP pair's topology drill: finds the pair in a stack by its keepalived and HAProxy files
 * (`planVipPair`), offers its five scenarios, and sets a run up as a `VipPairSession`.
 */
import type { Spread } from "../core/measure";
import { spread } from "../core/measure";
import type { DrillRunResult } from "../core/run-result";
import type { Scenario, ScenarioSummary } from "../core/scenario";
import type { DrillStack } from "../core/stack";
import type { ReportGroupLike, StackReport } from "../core/stack-report";
import type { DrillTarget, TopologyDrill } from "../core/topology-drill";
import { BACKEND_DEATH } from "./backend-death";
import { MASTER_RESTART } from "./master-restart";
import { NODE_LOSS } from "./node-loss";
import { outcomeOf } from "./outcome";
import { PARTITION } from "./partition";
import { KEEPALIVED_CONF, planVipPair, type VipPairPlan } from "./plan";
import { PROXY_DEATH } from "./proxy-death";
import { VipPairSession } from "./session";

/** Scenario-specific figures spread over runs, per scenario. */
const DETAIL_SPREADS: Readonly<Record<string, readonly string[]>> = {
  "master-restart": [
    "vipBackAfterRestartSeconds",
    "answersBackAfterRestartSeconds",
    "longestGapAfterRestartSeconds",
  ],
  partition: ["splitBrainAfterSeconds", "singleHolderAfterHealSeconds", "clientRestoredAfterHealSeconds"],
};

/** Every VIP pair scenario summarizes its duplicate-VIP time, and its own figures. */
function summarizeVip(name: string, results: readonly DrillRunResult[]): ScenarioSummary {
  const details: Record<string, Spread> = {
    duplicateVipSeconds: spread(results.map((r) => outcomeOf(r.details).duplicateVip?.seconds)),
  };
  for (const key of DETAIL_SPREADS[name] ?? []) {
    details[key] = spread(results.map((r) => r.details[key] as number | null | undefined));
  }
  const notes: string[] = [];
  if (name === "partition") {
    const split = results.filter((r) => r.details.splitBrain === true).length;
    notes.push(`split-brain (both nodes held the VIP) in ${split} of ${results.length} runs`);
  }
  return { details, notes };
}

function withSummary(s: Scenario<VipPairSession>): Scenario<VipPairSession> {
  return { ...s, summarize: (results) => summarizeVip(s.name, results) };
}

/** The VIP pair's scenarios, in the order `all` runs them. */
export const VIP_PAIR_SCENARIOS: readonly Scenario<VipPairSession>[] = [
  NODE_LOSS,
  PROXY_DEATH,
  BACKEND_DEATH,
  MASTER_RESTART,
  PARTITION,
].map(withSummary);

export function vipPairTarget(plan: VipPairPlan): DrillTarget<VipPairSession> {
  return {
    topology: "vip-pair",
    name: `${plan.vip}:${plan.port}`,
    scenarios: VIP_PAIR_SCENARIOS,
    labOptions: {
      standInPorts: new Map(plan.backends.map((b) => [b.container.key, b.port])),
      reservedAddresses: [plan.vip],
    },
    describe: () => ({
      vip: plan.vip,
      port: plan.port,
      nodes: plan.nodes.map((n) => ({
        hostname: n.hostname,
        address: n.address,
        priority: n.instance.priority,
      })),
      backends: plan.backends.map((b) => b.hostname),
      preempt: plan.preempt,
      preemptDelaySeconds: plan.preemptDelaySeconds,
      advertIntervalSeconds: plan.advertIntervalSeconds,
    }),
    setUp: (lab, env) => VipPairSession.start(lab, plan, env),
  };
}

/** A report group the VIP pair makes: load balancers failing over by VRRP. */
function isVrrpPair(g: ReportGroupLike): boolean {
  return g.role === "load-balancer" && (g.mechanism ?? "").startsWith("vrrp");
}

export const VIP_PAIR_DRILL: TopologyDrill = {
  topology: "vip-pair",
  /**
   * A VIP pair is where containers carry a keepalived.conf. When the stack has an analysis
   * report, one of them must also belong to a VRRP load-balancer group there (another topology
   * may run keepalived for something else). Found, it must plan, or the error says why not.
   */
  recognize(stack: DrillStack, report: StackReport) {
    const hosts = stack.containers.filter((c) => c.uploads.some((u) => u.file === KEEPALIVED_CONF));
    if (hosts.length === 0) return [];
    if (report.groups.length > 0 && !hosts.some((c) => report.groupsOf(c.constructPath).some(isVrrpPair))) {
      return [];
    }
    return [vipPairTarget(planVipPair(stack))];
  },
};
