import { Aspects, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";

/** Runs once, when synthesis reaches its construct (see `beforeSynthesis`). */
class RunOnce implements IAspect {
  private done = false;

  constructor(
    private readonly target: IConstruct,
    private readonly run: () => void,
  ) {}

  public visit(node: IConstruct): void {
    if (node !== this.target || this.done) return;
    this.done = true;
    this.run();
  }
}

/**
 * Runs `run` once at synthesis, before any value is resolved: cdktf invokes aspects first, so
 * what `run` makes (resources, and the hosts' deferred settings it changes) is in the JSON.
 * For parts that must read what a topology gives out only at synthesis (members' addresses).
 * Errors it throws surface from `app.synth()` / `Testing.synth()`.
 */
export function beforeSynthesis(target: IConstruct, run: () => void): void {
  Aspects.of(target).add(new RunOnce(target, run));
}
