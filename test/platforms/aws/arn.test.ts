import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { arnBeside } from "../../../lib/platforms/aws/arn";

describe("arnBeside", () => {
  test("keeps the partition, service, region and account of the given ARN and names the resource", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");

    // WHEN
    new TerraformOutput(stack, "eni", {
      value: arnBeside("arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-1", "network-interface/eni-1"),
    });

    // THEN Terraform computes it from the ARN's first five fields (the tier-5 test evaluates it)
    expect(JSON.parse(Testing.synth(stack)).output.eni.value).toBe(
      '${join(":", slice(split(":", "arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-1"), 0, 5))}:network-interface/eni-1',
    );
  });
});
