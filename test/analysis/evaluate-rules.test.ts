import { describe, expect, test } from "vitest";
import { evaluateRules } from "../../lib/analysis/evaluate-rules";
import { Compliance, type HaRule, Severity } from "../../lib/analysis/rules/rule";
import { AvailabilityModel } from "../../lib/model/availability";

const finds: HaRule = {
  id: "HA-Test",
  severity: Severity.INFO,
  summary: "finds two things",
  check: () => ({
    compliance: Compliance.NON_COMPLIANT,
    findings: [
      { constructPath: "s/a/x", subject: "x", message: "one" },
      { constructPath: "s/ab", subject: "y", message: "two" },
    ],
  }),
};
const skips: HaRule = {
  id: "HA-Skip",
  severity: Severity.ERROR,
  summary: "never applies",
  check: () => ({ compliance: Compliance.NOT_APPLICABLE, reason: "nothing to check" }),
};

describe("evaluateRules", () => {
  test("adds each rule's id and severity to its findings, and lists every rule's result", () => {
    // GIVEN
    const m = new AvailabilityModel();

    // WHEN
    const result = evaluateRules(m, [], [finds, skips]);

    // THEN
    expect(result.rules).toEqual([
      { id: "HA-Test", severity: "info", summary: "finds two things", compliance: "non-compliant" },
      {
        id: "HA-Skip",
        severity: "error",
        summary: "never applies",
        compliance: "not-applicable",
        reason: "nothing to check",
      },
    ]);
    expect(result.findings).toEqual([
      { ruleId: "HA-Test", severity: "info", constructPath: "s/a/x", subject: "x", message: "one" },
      { ruleId: "HA-Test", severity: "info", constructPath: "s/ab", subject: "y", message: "two" },
    ]);
    expect(result.suppressedFindings).toEqual([]);
  });

  test("a suppression covers its construct and those under it, not a sibling whose name it prefixes", () => {
    // GIVEN
    const m = new AvailabilityModel();

    // WHEN
    const result = evaluateRules(m, [{ scope: "s/a", ruleId: "HA-Test", reason: "known" }], [finds]);

    // THEN
    expect(result.findings.map((f) => f.subject)).toEqual(["y"]);
    expect(result.suppressedFindings).toEqual([
      expect.objectContaining({ subject: "x", suppression: { scope: "s/a", reason: "known" } }),
    ]);
  });

  test("a suppression of another rule silences nothing", () => {
    // GIVEN
    const m = new AvailabilityModel();

    // WHEN
    const result = evaluateRules(m, [{ scope: "s", ruleId: "HA-Other", reason: "known" }], [finds]);

    // THEN
    expect(result.findings).toHaveLength(2);
  });
});
