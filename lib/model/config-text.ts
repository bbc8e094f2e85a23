import { type ErrorLocation, invalid } from "../errors";

/**
 * Guards for user strings that end up inside generated configuration lines.
 *
 * Every generator in `render/` only ever places strings that passed one of these guards, so no
 * user input can start a new line, close a block, open a comment or leave a quoted string in
 * keepalived, HAProxy, shell or Dockerfile syntax. The guards are allow-lists, not escapers:
 * a value either fits the grammar below or is rejected with a ValidationError.
 */

/** A name: hostnames, section names, construct-derived identifiers. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
/**
 * An absolute file-system path with ordinary characters only. Written without nested quantifiers:
 * `(?:[...]+\/?)*` backtracks exponentially on a long segment followed by a bad character.
 */
const FILE_PATH = /^\/(?:[A-Za-z0-9_.+-]+\/)*[A-Za-z0-9_.+-]*$/;
/** An HTTP request path (origin form), optional query; no spaces, quotes, '#', '$' or backslash. */
const URL_PATH = /^\/[A-Za-z0-9._~%/:@,+=!*-]*(?:\?[A-Za-z0-9._~%/:@,+=!*&?-]*)?$/;
/**
 * An HTTP header name: the RFC 9110 token characters except '#' (starts a comment in HAProxy and
 * keepalived), "'" (starts a quoted string in HAProxy), '$' and '`' (expansion in shells and
 * HAProxy's double-quoted strings). Real header names never use them.
 */
const HEADER_NAME = /^[A-Za-z0-9!%&*+.^_|~-]+$/;
/** One argument of a command: no white space, quotes, backslash, '$', '`' or shell operators. */
const COMMAND_ARG = /^[A-Za-z0-9_./=:,@+%^-]+$/;
/** A Debian package name (Debian Policy 5.6.1). */
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
/** A container image reference: [registry[:port]/]name[:tag][@digest]. */
const IMAGE_REF =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** A sysctl key. */
const SYSCTL_KEY = /^[a-z0-9_]+(?:\.[A-Za-z0-9_-]+)+$/;
/** A sysctl value. */
const SYSCTL_VALUE = /^[A-Za-z0-9_. -]{1,64}$/;

export function assertName(where: ErrorLocation, what: string, value: string): string {
  if (typeof value !== "string" || !NAME.test(value)) {
    invalid(
      where,
      what,
      value,
      "use 1-63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    );
  }
  return value;
}

export function assertFilePath(where: ErrorLocation, what: string, value: string): string {
  if (
    typeof value !== "string" ||
    value.length > 4096 ||
    !FILE_PATH.test(value) ||
    value.split("/").includes("..")
  ) {
    invalid(
      where,
      what,
      value,
      "use an absolute path (at most 4096 characters) of letters, digits, '/', '.', '_', '+' and '-' without '..' segments",
    );
  }
  return value;
}

export function assertUrlPath(where: ErrorLocation, what: string, value: string): string {
  if (typeof value !== "string" || !URL_PATH.test(value) || value.length > 1024) {
    invalid(
      where,
      what,
      value,
      "use an HTTP path that starts with '/' and has no spaces, quotes, '#', '$', '\\' or control characters",
    );
  }
  return value;
}

export function assertHeaderName(where: ErrorLocation, what: string, value: string): string {
  if (typeof value !== "string" || !HEADER_NAME.test(value) || value.length > 128) {
    invalid(where, what, value, "use an HTTP header name (letters, digits and !%&*+.^_|~-)");
  }
  return value;
}

/** A command given as an argument vector: the first argument an absolute path. */
export function assertCommand(
  where: ErrorLocation,
  what: string,
  value: readonly string[],
): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    invalid(where, what, value, "give the command as a non-empty list of arguments");
  }
  assertFilePath(where, `${what} executable`, value[0] as string);
  for (const arg of value) {
    if (typeof arg !== "string" || !COMMAND_ARG.test(arg) || arg.length > 512) {
      invalid(
        where,
        `${what} argument`,
        arg,
        "use arguments of letters, digits and _./=:,@+%^- only (no spaces, quotes, '$', '`', ';' or '\\')",
      );
    }
  }
  return value;
}

export function assertDebianPackage(where: ErrorLocation, value: string): string {
  if (typeof value !== "string" || !DEBIAN_PACKAGE.test(value)) {
    invalid(where, "Debian package name", value, "use a Debian package name such as 'haproxy' or 'libc6'");
  }
  return value;
}

export function assertImageRef(where: ErrorLocation, value: string): string {
  if (typeof value !== "string" || value.length > 255 || !IMAGE_REF.test(value)) {
    invalid(
      where,
      "container image",
      value,
      "use an image reference such as 'nginx:1.27' or 'registry.example:5000/team/app:1.2.3'",
    );
  }
  return value;
}

export function assertSysctl(where: ErrorLocation, key: string, value: string): void {
  if (!SYSCTL_KEY.test(key))
    invalid(where, "sysctl key", key, "use a dotted sysctl key such as 'net.ipv4.ip_nonlocal_bind'");
  if (!SYSCTL_VALUE.test(value))
    invalid(where, `sysctl ${key} value`, value, "use letters, digits, '.', '_', '-' and spaces");
}

export function assertIntegerInRange(
  where: ErrorLocation,
  what: string,
  value: number,
  min: number,
  max: number,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    invalid(where, what, value, `use a whole number from ${min} to ${max}`);
  }
  return value;
}

export function assertPort(where: ErrorLocation, what: string, value: number): number {
  return assertIntegerInRange(where, what, value, 1, 65535);
}

/**
 * Checks a construct id before the construct is made: a name that is safe in generated config
 * and not already taken under `scope` (the constructs library would throw a plain Error).
 */
export function assertConstructId(
  scope: { node: { path: string; tryFindChild(id: string): unknown } },
  id: string,
): string {
  const where = scope.node.path ? `${scope.node.path}/${String(id)}` : String(id);
  assertName(where, "construct id", id);
  if (scope.node.tryFindChild(id) !== undefined) {
    invalid(where, "construct id", id, `${scope.node.path} already has a child with this id; choose another`);
  }
  return id;
}
