import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { AwsPlatform } from "../../../lib";
import { synthJson } from "../../../lib/testing";
import { validationErrorOf } from "../../support/errors";
import type { Json } from "./fixture";

function cloud() {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  return {
    stack,
    cloud: new AwsPlatform(stack, "cloud", { availabilityZones: ["eu-west-1a", "eu-west-1b"] }),
  };
}

describe("AwsSecret", () => {
  test("is a Secrets Manager secret whose value Secrets Manager generates, kept after the first apply", () => {
    // GIVEN a secret of 40 characters WHEN synthesized
    const { stack, cloud: p } = cloud();
    p.addSecret(p, "Superuser", { length: 40 });
    const json = synthJson(stack) as Json;
    // THEN the version's value is the data source's password (a reference), ignored after creation
    const [[generatedKey, generated]] = Object.entries(json.data.aws_secretsmanager_random_password) as [
      string,
      unknown,
    ][];
    expect(generated).toEqual({
      password_length: 40,
      exclude_punctuation: true,
      include_space: false,
      require_each_included_type: true,
    });
    const [secretKey, secret] = Object.entries(json.resource.aws_secretsmanager_secret)[0] as [
      string,
      unknown,
    ];
    expect(secret).toEqual({
      name_prefix: "test/Superuser-",
      description: "cdktf-ha-topologies: test/cloud/Superuser",
    });
    expect(Object.values(json.resource.aws_secretsmanager_secret_version)).toEqual([
      {
        secret_id: `\${aws_secretsmanager_secret.${secretKey}.id}`,
        secret_string: `\${data.aws_secretsmanager_random_password.${generatedKey}.random_password}`,
        lifecycle: { ignore_changes: ["secret_string"] },
      },
    ]);
    // AND the stack needs no provider beside aws
    expect(Object.keys(json.provider)).toEqual(["aws"]);
  });

  test("throws for a description that could break out of a string", () => {
    const { cloud: p } = cloud();
    const error = validationErrorOf(() => p.addSecret(p, "S", { description: 'a"b' }));
    expect(error.path).toBe("test/cloud/S");
    expect(error.value).toBe('a"b');
  });
});
