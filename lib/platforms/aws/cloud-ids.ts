import { Token } from "cdktf";
import type { Construct } from "constructs";
import { invalid } from "../../errors";

/**
 * Guards for AWS identifiers a user gives by value: each is checked against the grammar of what
 * it names, so none can carry shell, YAML or Terraform syntax into a generated file. A cdktf
 * token (a reference to another resource, resolved at deploy time) is passed through.
 */

/** The id kinds EC2 hands out as `<prefix>-<8 or 17 hex digits>`. */
export type Ec2IdPrefix = "ami" | "vpc" | "subnet" | "rtb" | "eipalloc" | "eni" | "sg";

const EC2_ID_HEX = /^[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
/** An instance type: family (letters, digits, '-' for e.g. "u-6tb1", "m7i-flex") '.' size. */
const INSTANCE_TYPE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\.[a-z0-9]+$/;
/**
 * An availability zone or local zone: "eu-west-1a", "us-gov-west-1b", "us-west-2-lax-1a".
 * Zone ids ("use1-az1") name the same zones and are accepted as well.
 */
const ZONE_NAME = /^(?:[a-z]{2}(?:-[a-z0-9]+){1,4}-[0-9]+[a-z]|[a-z]{3,4}[0-9]+-az[0-9]+)$/;
/**
 * A key pair name: EC2 allows 255 ASCII characters. Quotes, '\', '$', '%', braces, '`' and
 * control characters are not allowed here, nor leading or trailing spaces.
 */
const KEY_NAME =
  /^[A-Za-z0-9._:/()#,@+=&;!*[\]-](?:[A-Za-z0-9 ._:/()#,@+=&;!*[\]-]{0,253}[A-Za-z0-9._:/()#,@+=&;!*[\]-])?$/;

function passes(value: unknown, grammar: (v: string) => boolean): boolean {
  if (typeof value !== "string") return false;
  return Token.isUnresolved(value) || grammar(value);
}

/** An EC2 id such as "ami-0123456789abcdef0", "subnet-0a1b2c3d", "rtb-…", "vpc-…". */
export function assertEc2Id(scope: Construct, what: string, value: string, prefix: Ec2IdPrefix): string {
  const ok = (v: string) => v.startsWith(`${prefix}-`) && EC2_ID_HEX.test(v.slice(prefix.length + 1));
  if (!passes(value, ok)) {
    invalid(scope, what, value, `give an id "${prefix}-" followed by 8 or 17 lowercase hex digits`);
  }
  return value;
}

/** An EC2 instance type such as "t3.small" or "m7i-flex.large". */
export function assertInstanceType(scope: Construct, what: string, value: string): string {
  if (!passes(value, (v) => v.length <= 64 && INSTANCE_TYPE.test(v))) {
    invalid(scope, what, value, 'give an EC2 instance type "<family>.<size>", e.g. "t3.small"');
  }
  return value;
}

/** An availability zone name ("eu-west-1a") or zone id ("euw1-az1"). */
export function assertZoneName(scope: Construct, what: string, value: string): string {
  if (!passes(value, (v) => ZONE_NAME.test(v))) {
    invalid(
      scope,
      what,
      value,
      'give an availability zone name such as "eu-west-1a" (or a zone id, "euw1-az1")',
    );
  }
  return value;
}

/** An EC2 key pair name. */
export function assertKeyName(scope: Construct, what: string, value: string): string {
  if (!passes(value, (v) => KEY_NAME.test(v))) {
    invalid(
      scope,
      what,
      value,
      "give a key pair name of 1-255 letters, digits, spaces (not at either end) and ._:/()#,@+=&;!*[]-",
    );
  }
  return value;
}
