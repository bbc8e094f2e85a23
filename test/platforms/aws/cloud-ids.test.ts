import { TerraformStack, Testing, Token } from "cdktf";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../../lib";
import {
  assertEc2Id,
  assertInstanceType,
  assertKeyName,
  assertZoneName,
} from "../../../lib/platforms/aws/cloud-ids";
import { hostileString } from "../../support/template-values";

const scope = () => new TerraformStack(Testing.app(), "s");

/** Runs a guard; true when it accepts, false on a ValidationError (anything else fails the test). */
function accepts(guard: () => unknown): boolean {
  try {
    guard();
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return false;
  }
}

describe("AWS id guards", () => {
  test.each([
    ["ami-0123456789abcdef0", "ami", true],
    ["ami-0123abcd", "ami", true],
    ["subnet-0a1b2c3d4e5f60001", "subnet", true],
    ["rtb-0a1b2c3d", "rtb", true],
    ["vpc-0a1b2c3d", "vpc", true],
    ["rtb-1", "rtb", false],
    ["rtb-0a1b2c3d $(reboot)", "rtb", false],
    ["subnet-0A1B2C3D", "subnet", false],
    ["vpc-0a1b2c3d", "subnet", false],
    ["ami-0123456789abcdef", "ami", false],
    ["", "ami", false],
  ] as const)("assertEc2Id(%j, %s) accepts: %s", (value, prefix, ok) => {
    expect(accepts(() => assertEc2Id(scope(), "id", value, prefix))).toBe(ok);
  });

  test.each([
    ["t3.small", true],
    ["m7i-flex.large", true],
    ["u-6tb1.metal", true],
    ["c6i.32xlarge", true],
    ["t3", false],
    ["T3.small", false],
    ["t3.small\n", false],
    ["t3.${x}", false],
  ])("assertInstanceType(%j) accepts: %s", (value, ok) => {
    expect(accepts(() => assertInstanceType(scope(), "instanceType", value))).toBe(ok);
  });

  test.each([
    ["eu-west-1a", true],
    ["us-gov-west-1b", true],
    ["us-west-2-lax-1a", true],
    ["use1-az1", true],
    ["eu-west-1", false],
    ["eu-west-1a; reboot", false],
    ["EU-WEST-1A", false],
  ])("assertZoneName(%j) accepts: %s", (value, ok) => {
    expect(accepts(() => assertZoneName(scope(), "availabilityZone", value))).toBe(ok);
  });

  test.each([
    ["ops-key", true],
    ["my key (2024)", true],
    [" leading", false],
    ["trailing ", false],
    ["key${x}", false],
    ["key%{x}", false],
    ['key"', false],
    ["a".repeat(256), false],
  ])("assertKeyName(%j) accepts: %s", (value, ok) => {
    expect(accepts(() => assertKeyName(scope(), "keyName", value))).toBe(ok);
  });

  test("passes a token (a reference to another resource) through", () => {
    const token = Token.asString({ Ref: "x" });
    expect(assertEc2Id(scope(), "id", token, "rtb")).toBe(token);
  });

  test("no accepted value holds quoting, expansion, template or line syntax", () => {
    const plausible = fc
      .tuple(fc.constantFrom("rtb-", "ami-", "subnet-", "vpc-", "t3.", "eu-west-", ""), hostileString)
      .map(([p, v]) => p + v);
    const special = /[\s"'`\\$%{}<>|\p{Cc}]/u;
    fc.assert(
      fc.property(fc.oneof(hostileString, plausible), (value) => {
        for (const guard of [
          () => assertEc2Id(scope(), "id", value, "rtb"),
          () => assertEc2Id(scope(), "id", value, "ami"),
          () => assertInstanceType(scope(), "instanceType", value),
          () => assertZoneName(scope(), "zone", value),
        ]) {
          if (accepts(guard)) expect(value).not.toMatch(special);
        }
        if (accepts(() => assertKeyName(scope(), "keyName", value))) {
          expect(value).not.toMatch(/[\n\r"'`\\$%{}\p{Cc}]/u);
        }
      }),
      { numRuns: 200 },
    );
  });
});
