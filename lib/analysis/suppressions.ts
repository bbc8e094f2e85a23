import type { IConstruct } from "constructs";
import { invalid } from "../errors";
import { HA_RULE_PACK } from "./rules/pack";

/** A rule the user turned off for a construct and everything under it, and why. */
export interface Suppression {
  /** Construct path the suppression was added on. */
  readonly scope: string;
  readonly ruleId: string;
  readonly reason: string;
}

const byConstruct = new WeakMap<IConstruct, Suppression[]>();

/**
 * Suppresses the findings of `ruleId` on `construct` and every construct under it. The reason
 * is required and lands in the report beside each finding it silences.
 */
export function addSuppression(construct: IConstruct, ruleId: string, reason: string): void {
  const ids = HA_RULE_PACK.map((r) => r.id);
  if (!ids.includes(ruleId))
    invalid(construct, "rule id", ruleId, `name a rule of the pack: ${ids.join(", ")}`);
  if (typeof reason !== "string" || reason.trim() === "") {
    invalid(construct, `reason for suppressing ${ruleId}`, reason, "say why the finding does not apply here");
  }
  const list = byConstruct.get(construct) ?? [];
  list.push({ scope: construct.node.path, ruleId, reason: reason.trim() });
  byConstruct.set(construct, list);
}

/** Every suppression on `root` and the constructs under it. */
export function suppressionsIn(root: IConstruct): Suppression[] {
  return root.node.findAll().flatMap((c) => byConstruct.get(c) ?? []);
}

/** The suppression that silences a finding of `ruleId` at `constructPath`, if any. */
export function suppressionFor(
  suppressions: readonly Suppression[],
  ruleId: string,
  constructPath: string,
): Suppression | undefined {
  return suppressions.find(
    (s) => s.ruleId === ruleId && (constructPath === s.scope || constructPath.startsWith(`${s.scope}/`)),
  );
}
