import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { addSuppression, suppressionFor, suppressionsIn } from "../../lib/analysis/suppressions";
import { validationErrorOf } from "../support/errors";

describe("suppressions", () => {
  test("are collected from the constructs of a tree, with their scope and trimmed reason", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "s");
    const a = new Construct(stack, "a");
    const b = new Construct(a, "b");
    const elsewhere = new TerraformStack(Testing.app(), "t");

    // WHEN
    addSuppression(b, "HA-VridClash", "  shared on purpose ");
    addSuppression(stack, "HA-OneFailureDomain", "one zone is enough here");
    addSuppression(elsewhere, "HA-VridClash", "another stack");

    // THEN
    expect(suppressionsIn(stack)).toEqual([
      { scope: "s", ruleId: "HA-OneFailureDomain", reason: "one zone is enough here" },
      { scope: "s/a/b", ruleId: "HA-VridClash", reason: "shared on purpose" },
    ]);
    expect(suppressionsIn(a).map((s) => s.scope)).toEqual(["s/a/b"]);
  });

  test("match a finding of their rule on their construct or below it", () => {
    // GIVEN
    const list = [{ scope: "s/a", ruleId: "HA-VridClash", reason: "r" }];

    // WHEN
    const matches = ["s/a", "s/a/b", "s/ab", "s"].map(
      (p) => suppressionFor(list, "HA-VridClash", p) !== undefined,
    );

    // THEN
    expect(matches).toEqual([true, true, false, false]);
    expect(suppressionFor(list, "HA-OneFailureDomain", "s/a")).toBeUndefined();
  });

  test("throws for a suppression without a reason, naming the construct", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "s");

    // WHEN
    const error = validationErrorOf(() =>
      addSuppression(stack, "HA-VridClash", undefined as unknown as string),
    );

    // THEN
    expect(error.path).toBe("s");
    expect(error.value).toBeUndefined();
  });
});
