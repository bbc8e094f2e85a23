/**
 * The DNS pool's topology drill: finds each health-checked name of the report whose servers and
 * members are containers of the stack, offers its five scenarios, and sets a run up as a
 * `DnsPoolSession`.
 */
import type { Scenario } from "../core/scenario";
import type { DrillStack } from "../core/stack";
import type { StackReport } from "../core/stack-report";
import type { DrillTarget, TopologyDrill } from "../core/topology-drill";
import { ALL_MEMBERS_DOWN } from "./all-members-down";
import { MEMBER_BLACKHOLE, MEMBER_PROXY_DEATH } from "./member-death";
import { MEMBER_RETURN } from "./member-return";
import { type DnsPoolPlan, planDnsPool } from "./plan";
import { DNS_SERVER_LOSS } from "./server-loss";
import { DnsPoolSession } from "./session";

/** The DNS pool's scenarios, in the order `all` runs them. */
export const DNS_POOL_SCENARIOS: readonly Scenario<DnsPoolSession>[] = [
  MEMBER_PROXY_DEATH,
  MEMBER_RETURN,
  DNS_SERVER_LOSS,
  ALL_MEMBERS_DOWN,
  MEMBER_BLACKHOLE,
] as readonly Scenario<DnsPoolSession>[];

export function dnsPoolTarget(plan: DnsPoolPlan): DrillTarget<DnsPoolSession> {
  return {
    topology: "dns-pool",
    name: plan.fqdn,
    scenarios: DNS_POOL_SCENARIOS,
    labOptions: {},
    describe: () => ({
      fqdn: plan.fqdn,
      ttlSeconds: plan.ttlSeconds,
      servers: plan.servers.map((s) => ({ hostname: s.hostname, address: s.address })),
      members: plan.members.map((m) => ({ hostname: m.hostname, address: m.address })),
      servicePort: plan.servicePort,
      allUnhealthy: plan.allUnhealthy,
    }),
    setUp: (lab, env) => DnsPoolSession.start(lab, plan, env),
  };
}

export const DNS_POOL_DRILL: TopologyDrill = {
  topology: "dns-pool",
  /** A DNS pool is a health-checked name of the report served by containers of the stack. */
  recognize(stack: DrillStack, report: StackReport) {
    const names = report.healthCheckedNames.filter((n) => (n.serverHosts ?? []).length > 0);
    return names.map((n) => dnsPoolTarget(planDnsPool(stack, n)));
  },
};
