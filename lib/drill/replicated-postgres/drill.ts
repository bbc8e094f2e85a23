/**
 * The replicated PostgreSQL drill: finds each self-managed cluster of the report whose nodes and
 * routers are containers of the stack, offers its scenarios, and sets a run up as a
 * `PostgresSession` (the cluster up, the writer committing through the read-write port).
 */
import type { Scenario } from "../core/scenario";
import type { DrillStack } from "../core/stack";
import type { StackReport } from "../core/stack-report";
import type { DrillTarget, TopologyDrill } from "../core/topology-drill";
import { type PostgresPlan, planReplicatedPostgres } from "./plan";
import { POSTGRES_SCENARIOS } from "./scenarios";
import { PostgresSession } from "./session";

export function postgresTarget(plan: PostgresPlan): DrillTarget<PostgresSession> {
  const floating = plan.routers.every((r) => r.address !== plan.address);
  return {
    topology: "replicated-postgres",
    name: `${plan.address}:${plan.readWritePort}`,
    scenarios: POSTGRES_SCENARIOS as unknown as readonly Scenario<PostgresSession>[],
    labOptions: floating ? { reservedAddresses: [plan.address] } : {},
    describe: () => ({
      address: plan.address,
      readWritePort: plan.readWritePort,
      readOnlyPort: plan.readOnlyPort,
      database: plan.database,
      user: plan.user,
      synchronous: plan.synchronous,
      nodes: plan.nodes.map((h) => ({ hostname: h.hostname, address: h.address })),
      dcs: plan.dcs.map((h) => ({ hostname: h.hostname, address: h.address })),
      routers: plan.routers.map((h) => ({ hostname: h.hostname, address: h.address })),
    }),
    setUp: (lab, env) => PostgresSession.start(lab, plan, env),
  };
}

export const REPLICATED_POSTGRES_DRILL: TopologyDrill = {
  topology: "replicated-postgres",
  /** A cluster is a `database-router` group of the report with its `database` and `dcs` groups. */
  recognize(stack: DrillStack, report: StackReport) {
    return planReplicatedPostgres(stack, report).map(postgresTarget);
  },
};
