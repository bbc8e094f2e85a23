/**
 * The topology drills a drill command knows, asked in turn which of their topologies a stack
 * holds; and the scenarios those offer, by name.
 */
import { DrillError } from "./drill-error";
import type { Scenario } from "./scenario";
import type { DrillStack } from "./stack";
import type { StackReport } from "./stack-report";
import type { DrillTarget, TopologyDrill } from "./topology-drill";

/** One scenario of one target, as the runner takes it. */
export interface SelectedScenario {
  readonly target: DrillTarget;
  readonly scenario: Scenario;
}

export class DrillRegistry {
  constructor(public readonly drills: readonly TopologyDrill[]) {
    const seen = new Set<string>();
    for (const d of drills) {
      if (seen.has(d.topology)) throw new DrillError(`two topology drills for ${d.topology}`);
      seen.add(d.topology);
    }
  }

  /** Every instance of every known topology in `stack`; throws when there is none. */
  public targets(stack: DrillStack, report: StackReport): readonly DrillTarget[] {
    const targets = this.drills.flatMap((d) => d.recognize(stack, report));
    if (targets.length === 0) {
      throw new DrillError(
        `stack ${stack.name} holds no topology this drill knows (${this.drills.map((d) => d.topology).join(", ") || "none registered"})`,
      );
    }
    return targets;
  }

  /** Scenario names the targets offer, in their order, each once. */
  public static scenarioNames(targets: readonly DrillTarget[]): string[] {
    return [...new Set(targets.flatMap((t) => t.scenarios.map((s) => s.name)))];
  }

  /**
   * The scenarios to run: every scenario of every target when `names` is undefined, else each
   * named one on every target that offers it. Throws for a name no target offers.
   */
  public static select(targets: readonly DrillTarget[], names?: readonly string[]): SelectedScenario[] {
    const offered = DrillRegistry.scenarioNames(targets);
    for (const n of names ?? []) {
      if (!offered.includes(n)) {
        throw new DrillError(`unknown scenario ${n}; this stack offers ${offered.join(", ")} (or all)`);
      }
    }
    const wanted = names ?? offered;
    return wanted.flatMap((n) =>
      targets.flatMap((target) =>
        target.scenarios.filter((s) => s.name === n).map((scenario) => ({ target, scenario })),
      ),
    );
  }
}
