import type { AvailabilityModel } from "../model/availability";
import type { Finding, ReportRuleResult, SuppressedFinding } from "./report-document";
import { HA_RULE_PACK } from "./rules/pack";
import { Compliance, type HaRule } from "./rules/rule";
import { type Suppression, suppressionFor } from "./suppressions";

/** What the rule pack concluded about a model. */
export interface RuleEvaluation {
  readonly rules: readonly ReportRuleResult[];
  /** Findings in force: Annotations and the report's `findings`. */
  readonly findings: readonly Finding[];
  /** Findings a suppression silenced, with its reason. */
  readonly suppressedFindings: readonly SuppressedFinding[];
}

/** Runs each rule over the model and sorts its findings into those in force and those suppressed. */
export function evaluateRules(
  model: AvailabilityModel,
  suppressions: readonly Suppression[] = [],
  rules: readonly HaRule[] = HA_RULE_PACK,
): RuleEvaluation {
  const results: ReportRuleResult[] = [];
  const findings: Finding[] = [];
  const suppressedFindings: SuppressedFinding[] = [];
  for (const rule of rules) {
    const result = rule.check(model);
    const head = {
      id: rule.id,
      severity: rule.severity,
      summary: rule.summary,
      compliance: result.compliance,
    };
    results.push(result.compliance === Compliance.NOT_APPLICABLE ? { ...head, reason: result.reason } : head);
    if (result.compliance !== Compliance.NON_COMPLIANT) continue;
    for (const f of result.findings) {
      const finding: Finding = { ruleId: rule.id, severity: rule.severity, ...f };
      const s = suppressionFor(suppressions, rule.id, f.constructPath);
      if (s) suppressedFindings.push({ ...finding, suppression: { scope: s.scope, reason: s.reason } });
      else findings.push(finding);
    }
  }
  return { rules: results, findings, suppressedFindings };
}
