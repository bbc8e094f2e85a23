import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { DockerPlatform } from "../../../lib";
import { resourcesOfType, synthJson } from "../../../lib/testing";
import { validationErrorOf } from "../../support/errors";

describe("DockerSecret", () => {
  test("is a random_password of letters and digits, with one random provider per stack", () => {
    // GIVEN two Docker platforms of one stack, each with a secret
    const stack = new TerraformStack(Testing.app(), "test");
    const a = new DockerPlatform(stack, "a");
    const b = new DockerPlatform(stack, "b");
    a.addSecret(a, "One");
    b.addSecret(b, "Two", { length: 40 });
    // WHEN synthesized
    const json = synthJson(stack);
    // THEN each is a random_password without special characters, and the stack has one random provider
    const passwords = Object.values(resourcesOfType(json, "random_password"));
    expect(passwords).toEqual([
      expect.objectContaining({
        length: 32,
        special: false,
        upper: true,
        lower: true,
        numeric: true,
        min_numeric: 1,
      }),
      expect.objectContaining({ length: 40, special: false }),
    ]);
    expect(json.provider?.random).toEqual([{}]);
  });

  test("throws for a secret shorter than 24 characters, naming its path", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const p = new DockerPlatform(stack, "local");
    const error = validationErrorOf(() => p.addSecret(p, "Short", { length: 16 }));
    expect(error.path).toBe("test/local/Short");
    expect(error.value).toBe(16);
  });
});
