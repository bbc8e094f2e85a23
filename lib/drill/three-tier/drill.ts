/**
 * The three tiers' topology drill: finds each three-tier load balancer of the report whose
 * routers, L4 and L7 nodes are containers of the stack, offers its five scenarios, and sets a
 * run up as a `ThreeTierSession`. Its L4 nodes need IPVS (and its L7 nodes ipip when tunnelled
 * to): run it where the kernel has them, or on a machine whose own kernel has neither with those
 * hosts in a VM (`ha-drill --vm-hosts`) or the whole lab in one (`ha-drill --vm`).
 */
import type { Scenario } from "../core/scenario";
import type { DrillStack } from "../core/stack";
import type { StackReport } from "../core/stack-report";
import type { DrillTarget, TopologyDrill } from "../core/topology-drill";
import { L4_NODE_DRAIN } from "./l4-drain";
import { L4_NODE_BLACKHOLE, L4_NODE_RETURN } from "./l4-loss";
import { L7_NODE_LOSS } from "./l7-loss";
import { planThreeTiers, type ThreeTierPlan } from "./plan";
import { ROUTER_LOSS } from "./router-loss";
import { ThreeTierSession } from "./session";

/** The three tiers' scenarios, in the order `all` runs them. */
export const THREE_TIER_SCENARIOS: readonly Scenario<ThreeTierSession>[] = [
  L4_NODE_BLACKHOLE,
  L4_NODE_DRAIN,
  L4_NODE_RETURN,
  L7_NODE_LOSS,
  ROUTER_LOSS,
] as readonly Scenario<ThreeTierSession>[];

export function threeTierTarget(plan: ThreeTierPlan): DrillTarget<ThreeTierSession> {
  return {
    topology: "three-tier",
    name: plan.serviceAddresses.join(","),
    scenarios: THREE_TIER_SCENARIOS,
    labOptions: {
      reservedAddresses: [plan.gateway],
      // IPVS on the L4 nodes; ipip on the L7 nodes when the L4 nodes tunnel to them.
      fullKernelHosts: [...plan.l4Nodes, ...(plan.tunnelled ? plan.l7Nodes : [])].map((h) => h.hostname),
    },
    describe: () => ({
      serviceAddresses: plan.serviceAddresses,
      servicePort: plan.servicePort,
      gateway: plan.gateway,
      routers: plan.routers.map((h) => ({ hostname: h.hostname, address: h.address })),
      l4Nodes: plan.l4Nodes.map((h) => ({ hostname: h.hostname, address: h.address })),
      l7Nodes: plan.l7Nodes.map((h) => ({ hostname: h.hostname, address: h.address })),
    }),
    setUp: (lab, env) => ThreeTierSession.start(lab, plan, env),
  };
}

export const THREE_TIER_DRILL: TopologyDrill = {
  topology: "three-tier",
  /** Three tiers are an `l4-load-balancer` group of the report with its routers and L7 nodes. */
  recognize(stack: DrillStack, report: StackReport) {
    return planThreeTiers(stack, report).map(threeTierTarget);
  },
};
