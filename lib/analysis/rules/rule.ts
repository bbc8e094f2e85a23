import type { AvailabilityModel } from "../../model/availability";

/** How serious a finding is: an error fails synthesis, a warning and an info do not. */
export enum Severity {
  ERROR = "error",
  WARNING = "warning",
  INFO = "info",
}

/** What a rule concluded about a model. */
export enum Compliance {
  COMPLIANT = "compliant",
  NON_COMPLIANT = "non-compliant",
  /** The model has nothing the rule checks (e.g. no VRRP instance). */
  NOT_APPLICABLE = "not-applicable",
}

/** One thing a rule found; the pack adds the rule's id and severity. */
export interface RuleFinding {
  /** Construct path the finding is about (where its Annotation goes). */
  readonly constructPath: string;
  /** Id of the thing found: a component, failure domain, group or router id. */
  readonly subject: string;
  readonly message: string;
}

/** The outcome of one rule over one model. */
export type RuleResult =
  | { readonly compliance: Compliance.COMPLIANT }
  | { readonly compliance: Compliance.NOT_APPLICABLE; readonly reason: string }
  | { readonly compliance: Compliance.NON_COMPLIANT; readonly findings: readonly RuleFinding[] };

/** A rule of the HA pack: a pure function over the availability model. */
export interface HaRule {
  /** Stable id, `HA-` and the rule's name, e.g. "HA-SinglePointOfFailure"; suppressions name it. */
  readonly id: string;
  readonly severity: Severity;
  /** What the rule checks, in one sentence. */
  readonly summary: string;
  /** Checks the model; must not change it. */
  check(model: AvailabilityModel): RuleResult;
}

/** Compliant when nothing was found, non-compliant with the findings otherwise. */
export function resultOf(findings: readonly RuleFinding[]): RuleResult {
  return findings.length === 0
    ? { compliance: Compliance.COMPLIANT }
    : { compliance: Compliance.NON_COMPLIANT, findings };
}
