import { describe, expect, test } from "vitest";
import { DrillRegistry } from "../../../lib/drill/core/registry";
import type { Scenario } from "../../../lib/drill/core/scenario";
import type { DrillStack } from "../../../lib/drill/core/stack";
import { StackReport } from "../../../lib/drill/core/stack-report";
import type { DrillTarget, TopologyDrill } from "../../../lib/drill/core/topology-drill";
import { caught } from "../../support/errors";

function scenario(name: string): Scenario {
  return {
    name,
    description: name,
    inject: () => Promise.reject(new Error("not run")),
    measure: () => Promise.reject(new Error("not run")),
    checks: () => [],
  };
}

function target(topology: string, name: string, scenarios: string[]): DrillTarget {
  return {
    topology,
    name,
    scenarios: scenarios.map(scenario),
    labOptions: {},
    describe: () => ({}),
    setUp: () => Promise.reject(new Error("not run")),
  };
}

/** A drill that finds its topology when a container of the stack has the given host name. */
function drill(topology: string, hostname: string, scenarios: string[]): TopologyDrill {
  return {
    topology,
    recognize: (stack) =>
      stack.containers.some((c) => c.hostname === hostname) ? [target(topology, hostname, scenarios)] : [],
  };
}

const stack = (hostnames: string[]) =>
  ({
    name: "s",
    networks: [],
    containers: hostnames.map((hostname) => ({ hostname })),
    document: {},
  }) as unknown as DrillStack;

describe("DrillRegistry", () => {
  const registry = new DrillRegistry([
    drill("pair", "lb", ["node-loss", "partition"]),
    drill("pool", "dns", ["node-loss", "server-death"]),
  ]);

  test("asks every drill for its topology and keeps the instances found", () => {
    // GIVEN a stack with both topologies' hosts, and one with only the pool's
    // WHEN the registry looks for targets
    // THEN it finds both, then only the pool
    expect(registry.targets(stack(["lb", "dns"]), StackReport.none()).map((t) => t.topology)).toEqual([
      "pair",
      "pool",
    ]);
    expect(registry.targets(stack(["dns"]), StackReport.none()).map((t) => t.topology)).toEqual(["pool"]);
  });

  test("throws for a stack with no known topology, naming the known ones", () => {
    // GIVEN a stack without any known host
    // WHEN targets are looked for
    const error = caught(() => registry.targets(stack(["x"]), StackReport.none()));

    // THEN the error says which topologies the drill knows
    expect(error.message).toBe("stack s holds no topology this drill knows (pair, pool)");
  });

  test("selects a named scenario on every target that offers it, or all of them", () => {
    // GIVEN both targets
    const targets = registry.targets(stack(["lb", "dns"]), StackReport.none());

    // WHEN scenarios are selected
    const named = DrillRegistry.select(targets, ["node-loss"]);
    const all = DrillRegistry.select(targets);

    // THEN node-loss runs on both; all runs each scenario name in order on each target offering it
    expect(named.map((s) => `${s.target.topology}:${s.scenario.name}`)).toEqual([
      "pair:node-loss",
      "pool:node-loss",
    ]);
    expect(all.map((s) => `${s.target.topology}:${s.scenario.name}`)).toEqual([
      "pair:node-loss",
      "pool:node-loss",
      "pair:partition",
      "pool:server-death",
    ]);
  });

  test("throws for a scenario no target offers, listing those that are", () => {
    // GIVEN only the pair in the stack
    const targets = registry.targets(stack(["lb"]), StackReport.none());

    // WHEN a pool scenario is asked for
    // THEN it is refused with the pair's scenarios
    expect(caught(() => DrillRegistry.select(targets, ["server-death"])).message).toBe(
      "unknown scenario server-death; this stack offers node-loss, partition (or all)",
    );
  });

  test("throws for two drills of one topology", () => {
    // GIVEN two drills claiming the same topology
    // WHEN a registry is made of them
    // THEN it is refused
    expect(caught(() => new DrillRegistry([drill("pair", "a", []), drill("pair", "b", [])])).message).toBe(
      "two topology drills for pair",
    );
  });
});
