import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { beforeSynthesis } from "../../../../lib/platforms/aws/route53/before-synthesis";

describe("beforeSynthesis", () => {
  test("runs once, at synthesis, before values resolve, and what it makes is synthesized", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");
    const target = new Construct(stack, "target");
    let runs = 0;

    // WHEN
    beforeSynthesis(target, () => {
      runs++;
      new Construct(target, "made");
    });
    const before = runs;
    Testing.synth(stack);
    Testing.synth(stack);

    // THEN
    expect(before).toBe(0);
    expect(runs).toBe(1);
    expect(target.node.tryFindChild("made")).toBeDefined();
  });
});
