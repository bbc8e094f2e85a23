import * as fs from "node:fs";
import * as path from "node:path";
import { Aspects, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { renderDiagram } from "../../lib/analysis/diagram";
import { HA_DIAGRAM_FILE, HA_REPORT_FILE, HaReport } from "../../lib/analysis/ha-report";
import { HaRules } from "../../lib/analysis/ha-rules";

/** A stack whose report records one lone host of a group, on one platform. */
function stackWithLoneHost() {
  const stack = new TerraformStack(Testing.app(), "s");
  const host = new Construct(stack, "db");
  const model = HaReport.of(host).model;
  model.addPlatform("test", "s");
  model.addFailureDomain({ id: "z1", kind: "zone", description: "zone one" });
  model.addComponent({ id: "s/db", hostname: "db", role: "database", topology: "s", failureDomain: "z1" });
  model.addGroup({
    id: "s/db",
    role: "database",
    topology: "s",
    members: ["s/db"],
    minimumHealthy: 1,
    mechanism: "none",
    predictions: [],
    dependsOn: [],
  });
  return stack;
}

describe("HaReport", () => {
  test("is one per stack, found from any construct in it", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "s");
    const deep = new Construct(new Construct(stack, "a"), "b");

    // WHEN
    const report = HaReport.of(deep);

    // THEN
    expect(HaReport.of(stack)).toBe(report);
    expect(report.node.path).toBe("s/HaReport");
    expect(Aspects.of(stack).all.filter((a) => a instanceof HaRules)).toHaveLength(1);
  });

  test("writes ha-report.json and the diagram beside cdk.tf.json, and adds no resource", () => {
    // GIVEN
    const stack = stackWithLoneHost();

    // WHEN
    const outdir = Testing.fullSynth(stack);
    try {
      const dir = path.join(outdir, "stacks", "s");
      const written = JSON.parse(fs.readFileSync(path.join(dir, HA_REPORT_FILE), "utf8"));
      const diagram = fs.readFileSync(path.join(dir, HA_DIAGRAM_FILE), "utf8");
      const tf = JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));

      // THEN
      const doc = HaReport.of(stack).document();
      expect(written).toEqual(JSON.parse(JSON.stringify(doc)));
      expect(written).toMatchObject({ schemaVersion: 5, stack: "s", platform: "test" });
      expect(written.findings.map((f: { subject: string }) => f.subject)).toEqual(["z1", "s/db"]);
      expect(diagram).toBe(renderDiagram(doc));
      expect(tf.resource).toBeUndefined();
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("applies the suppressions of the stack's constructs to its document", () => {
    // GIVEN
    const stack = stackWithLoneHost();

    // WHEN
    HaRules.suppress(stack, "HA-SinglePointOfFailure", "a test stack");

    // THEN
    const doc = HaReport.of(stack).document();
    expect(doc.findings).toEqual([]);
    expect(doc.suppressedFindings.map((f) => f.suppression.reason)).toEqual(["a test stack", "a test stack"]);
  });
});
