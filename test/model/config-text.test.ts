import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../lib/errors";
import {
  assertCommand,
  assertDebianPackage,
  assertFilePath,
  assertHeaderName,
  assertImageRef,
  assertIntegerInRange,
  assertName,
  assertPort,
  assertSysctl,
  assertUrlPath,
} from "../../lib/model/config-text";
import { DANGEROUS_CHARACTERS } from "../support/dangerous";

const RUNS = { numRuns: 200 };
const WHERE = "stack/platform/thing";

/** Characters that could end a config line, close a block, open a comment or leave a quoted string. */
const DANGEROUS = DANGEROUS_CHARACTERS;
/** Characters every guard allows somewhere. */
const ORDINARY = ["a", "Z", "0", "9", "-", "_", ".", "/"];

/**
 * What no accepted value may contain, whatever the guard: line ends, NUL, quotes, braces, '#',
 * shell and keepalived expansion ('$', '`'), ';', backslash and white space of any kind.
 */
const BREAKOUT = /[\n\r\0"'{}#$`;\\\s]/u;

/** Every guard as a function of one string, with what it additionally promises about accepted values. */
const GUARDS: Array<{ name: string; check: (value: string) => void; alphabet: RegExp; forbid?: RegExp }> = [
  { name: "assertName", check: (v) => assertName(WHERE, "name", v), alphabet: /^[A-Za-z0-9_.-]{1,63}$/ },
  {
    name: "assertFilePath",
    check: (v) => assertFilePath(WHERE, "path", v),
    alphabet: /^\/[A-Za-z0-9_.+/-]*$/,
    forbid: /\/\.\.(\/|$)|\/\//,
  },
  {
    name: "assertUrlPath",
    check: (v) => assertUrlPath(WHERE, "path", v),
    alphabet: /^\/[A-Za-z0-9._~%/:@,+=!*&?-]*$/,
  },
  {
    name: "assertHeaderName",
    check: (v) => assertHeaderName(WHERE, "header", v),
    alphabet: /^[A-Za-z0-9!%&*+.^_|~-]{1,128}$/,
  },
  {
    name: "assertCommand (executable)",
    check: (v) => assertCommand(WHERE, "command", [v]),
    alphabet: /^\/[A-Za-z0-9_.+/-]*$/,
  },
  {
    name: "assertCommand (argument)",
    check: (v) => assertCommand(WHERE, "command", ["/usr/local/bin/tool", v]),
    alphabet: /^[A-Za-z0-9_./=:,@+%^-]{1,512}$/,
  },
  { name: "assertDebianPackage", check: (v) => assertDebianPackage(WHERE, v), alphabet: /^[a-z0-9+.-]{2,}$/ },
  { name: "assertImageRef", check: (v) => assertImageRef(WHERE, v), alphabet: /^[A-Za-z0-9_.:/@-]{1,255}$/ },
  {
    name: "assertSysctl (key)",
    check: (v) => assertSysctl(WHERE, v, "1"),
    alphabet: /^[A-Za-z0-9_.-]+$/,
  },
];

/** Arbitrary strings: ASCII, full Unicode, graphemes, and strings built from dangerous characters. */
const arbUserString = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: fc.constantFrom(...DANGEROUS, ...ORDINARY) }),
  // near misses: a plausible value with one dangerous character somewhere
  fc
    .tuple(
      fc.constantFrom("", "/", "/usr/local/bin/", "net.ipv4.", "X-", "web"),
      fc.string({ unit: fc.constantFrom(...ORDINARY) }),
      fc.constantFrom(...DANGEROUS),
      fc.string({ unit: fc.constantFrom(...ORDINARY) }),
    )
    .map((parts) => parts.join("")),
);

/** Outcome of a guard: "accepted", or the ValidationError. Anything else thrown fails the test. */
function outcome(check: () => void): "accepted" | ValidationError {
  try {
    check();
    return "accepted";
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
}

describe("no user string gets through a guard with a character that breaks a config line", () => {
  test.each(GUARDS)("$name rejects it or the value is plain", ({ check, alphabet, forbid }) => {
    // GIVEN arbitrary strings, many of them made of characters that end lines, blocks or quotes
    fc.assert(
      fc.property(arbUserString, (value) => {
        // WHEN the guard checks one
        const result = outcome(() => check(value));
        // THEN it is rejected with a ValidationError naming path and value ...
        if (result !== "accepted") {
          expect(result.path).toBe(WHERE);
          expect(result.message.startsWith(`${WHERE}: `)).toBe(true);
          expect(result.message).not.toMatch(/[\n\r]/);
          return;
        }
        // ... or it contains none of the breakout characters and only the guard's alphabet
        expect(value).not.toMatch(BREAKOUT);
        expect(value).toMatch(alphabet);
        if (forbid) expect(value).not.toMatch(forbid);
      }),
      RUNS,
    );
  });

  test("assertSysctl (value) rejects it or the value holds only plain characters and spaces", () => {
    // GIVEN arbitrary strings as a sysctl value (values such as "4096 87380 6291456" have spaces)
    fc.assert(
      fc.property(arbUserString, (value) => {
        // WHEN the guard checks one
        const result = outcome(() => assertSysctl(WHERE, "net.ipv4.tcp_rmem", value));
        // THEN it is rejected, or its only white space is the plain space
        if (result === "accepted") {
          expect(value.replace(/ /g, "")).not.toMatch(BREAKOUT);
          expect(value).toMatch(/^[A-Za-z0-9_. -]{1,64}$/);
        } else {
          expect(result.message).toContain("sysctl");
        }
      }),
      RUNS,
    );
  });

  test.each([
    // 26 characters: about a second with the old nested-quantifier pattern, microseconds now
    ["assertFilePath", (v: string) => assertFilePath(WHERE, "path", v), `/${"a".repeat(26)}!`],
    ["assertFilePath (segments)", (v: string) => assertFilePath(WHERE, "path", v), `${"/a".repeat(2000)}!`],
    [
      "assertCommand (executable)",
      (v: string) => assertCommand(WHERE, "command", [v]),
      `/${"b".repeat(26)} `,
    ],
    [
      "assertUrlPath",
      (v: string) => assertUrlPath(WHERE, "path", v),
      `/${"a/".repeat(20_000)}?${"b".repeat(9)} `,
    ],
    ["assertName", (v: string) => assertName(WHERE, "name", v), `${"a-".repeat(20_000)}!`],
    ["assertImageRef", (v: string) => assertImageRef(WHERE, v), `${"a.".repeat(100)}!`],
    ["assertSysctl", (v: string) => assertSysctl(WHERE, v, "1"), `net${".a-".repeat(20_000)}!`],
  ])("%s throws quickly for a long near-miss (no catastrophic backtracking)", (_name, check, value) => {
    // GIVEN a long value that almost matches the guard's grammar
    const started = performance.now();
    // WHEN the guard checks it
    const result = outcome(() => check(value));
    // THEN it is rejected within a fraction of a second
    expect(result).toBeInstanceOf(ValidationError);
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe("guards by example", () => {
  test.each(["web", "edge-lb-0", "a", "A.b_c-1", "x".repeat(63)])("assertName accepts %j", (value) => {
    // GIVEN a name
    // WHEN it is checked
    // THEN it is returned unchanged
    expect(assertName(WHERE, "id", value)).toBe(value);
  });

  test.each([
    "",
    "-web",
    "web-",
    ".web",
    "we b",
    "web\n",
    "web\r",
    "x".repeat(64),
    "wéb",
    "web/1",
    "web#1",
    'we"b',
    "we{b}",
    "we$b",
    "we\0b",
  ])("assertName throws for %j", (value) => {
    // GIVEN a name outside the allowed grammar
    // WHEN it is checked
    const error = outcome(() => assertName(WHERE, "id", value)) as ValidationError;
    // THEN the ValidationError names the path, the value and the allowed characters
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain(`${WHERE}: id ${JSON.stringify(value)} is not allowed`);
    expect(error.allowed).toContain("letters, digits");
  });

  test.each(["/", "/usr/local/bin/check-app", "/etc/keepalived/", "/opt/a+b/c_d.sh", "/a/./b"])(
    "assertFilePath accepts %j",
    (value) => {
      // GIVEN an absolute path of ordinary characters
      // WHEN it is checked
      // THEN it is returned unchanged
      expect(assertFilePath(WHERE, "path", value)).toBe(value);
    },
  );

  test.each([
    "",
    "relative/path",
    "..",
    "/a/../b",
    "/a/..",
    "/a//b",
    "/a b",
    "/a\nb",
    "/a;rm",
    "/a$HOME",
    "/a`id`",
    '/a"',
    "/a#b",
    "/a{b}",
    `/${"a".repeat(4096)}`,
  ])("assertFilePath throws for %j", (value) => {
    // GIVEN a path that is relative, escapes with '..' or holds special characters
    // WHEN it is checked
    // THEN it fails with a ValidationError naming what is allowed
    expect(() => assertFilePath(WHERE, "path", value)).toThrow(/absolute path/);
  });

  test.each(["/", "/healthz", "/api/v1/health?full=1&x=y", "/%20encoded", "/a:b@c,d+e=f!g*h~i", "/a?b?c"])(
    "assertUrlPath accepts %j",
    (value) => {
      // GIVEN an HTTP path in origin form
      // WHEN it is checked
      // THEN it is returned unchanged
      expect(assertUrlPath(WHERE, "health check path", value)).toBe(value);
    },
  );

  test.each([
    "",
    "healthz",
    "http://x/healthz",
    "/a b",
    "/a#frag",
    '/a"',
    "/a'",
    "/a$b",
    "/a\\b",
    "/a\nb",
    "/a\rb",
    "/a{b}",
    "/a;b",
    "/a&b",
    `/${"a".repeat(1024)}`,
  ])("assertUrlPath throws for %j", (value) => {
    // GIVEN a path that is not origin form or holds special characters
    // WHEN it is checked
    // THEN it fails with a ValidationError naming the path
    expect(() => assertUrlPath(WHERE, "health check path", value)).toThrow(
      `${WHERE}: health check path ${JSON.stringify(value)} is not allowed`,
    );
  });

  test.each(["X-User", "x-tenant-id", "X_Forwarded.For", "a!%&*+^|~"])(
    "assertHeaderName accepts %j",
    (value) => {
      // GIVEN an HTTP header name
      // WHEN it is checked
      // THEN it is returned unchanged
      expect(assertHeaderName(WHERE, "hash header", value)).toBe(value);
    },
  );

  test.each([
    "",
    "X User",
    "X:User",
    "X#User",
    "X'User",
    "X$User",
    "X`User",
    'X"User',
    "X\nUser",
    "(X)",
    "X{}",
    "x".repeat(129),
  ])("assertHeaderName throws for %j", (value) => {
    // GIVEN a header name with a separator, a comment or quote character, or too long
    // WHEN it is checked
    // THEN it fails with a ValidationError
    expect(() => assertHeaderName(WHERE, "hash header", value)).toThrow(ValidationError);
  });

  test.each([
    [["/usr/local/bin/check"]],
    [["/usr/bin/curl", "--fail", "http://127.0.0.1:8404/ha-health"]],
    [["/bin/x", "a=b,c:d@e%f^g+h"]],
  ])("assertCommand accepts %j", (command) => {
    // GIVEN an argument vector with an absolute executable and plain arguments
    // WHEN it is checked
    // THEN it is returned unchanged
    expect(assertCommand(WHERE, "notify.master", command)).toBe(command);
  });

  test.each([
    ["an empty list", [], "non-empty list"],
    ["a relative executable", ["check"], "executable"],
    ["an executable with '..'", ["/bin/../x"], "executable"],
    ["an argument with a space", ["/bin/x", "a b"], "argument"],
    ["command substitution", ["/bin/x", "$(id)"], "argument"],
    ["backticks", ["/bin/x", "`id`"], "argument"],
    ["a semicolon", ["/bin/x", "a;b"], "argument"],
    ["single quotes", ["/bin/x", "'a'"], "argument"],
    ["double quotes", ["/bin/x", '"a"'], "argument"],
    ["a backslash", ["/bin/x", "a\\b"], "argument"],
    ["an empty argument", ["/bin/x", ""], "argument"],
    ["a newline", ["/bin/x", "a\nb"], "argument"],
    ["a comment", ["/bin/x", "#a"], "argument"],
    ["a keepalived comment", ["/bin/x", "!a"], "argument"],
    ["a too long argument", ["/bin/x", "a".repeat(513)], "argument"],
    ["a string instead of a list", "/bin/x" as unknown as string[], "non-empty list"],
  ])("assertCommand throws for %s", (_what, command, where) => {
    // GIVEN a command that is empty, relative or has an argument a shell or keepalived would split
    // WHEN it is checked
    // THEN it fails with a ValidationError that says which part is wrong
    const error = outcome(() => assertCommand(WHERE, "notify.master", command)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain(WHERE);
    expect(error.message).toContain(where);
  });

  test.each(["haproxy", "libc6", "g++", "python3.11", "lib-foo+bar.1"])(
    "assertDebianPackage accepts %j",
    (value) => {
      // GIVEN a Debian package name
      // WHEN it is checked
      // THEN it is returned unchanged
      expect(assertDebianPackage(WHERE, value)).toBe(value);
    },
  );

  test.each(["", "a", "Haproxy", "-foo", "+foo", "foo bar", "foo;rm", "foo\n", "foo_bar"])(
    "assertDebianPackage throws for %j",
    (value) => {
      // GIVEN text that is no Debian package name
      // WHEN it is checked
      // THEN it fails with a ValidationError
      expect(() => assertDebianPackage(WHERE, value)).toThrow(/Debian package name/);
    },
  );

  test.each([
    "nginx",
    "nginx:1.27",
    "debian:bookworm-slim",
    "registry.example:5000/team/app:1.2.3",
    `ghcr.io/acme/web@sha256:${"a".repeat(64)}`,
    `ghcr.io/acme/web:1.4.2@sha256:${"0".repeat(64)}`,
  ])("assertImageRef accepts %j", (value) => {
    // GIVEN a container image reference
    // WHEN it is checked
    // THEN it is returned unchanged
    expect(assertImageRef(WHERE, value)).toBe(value);
  });

  test.each([
    "",
    "Nginx",
    "nginx:",
    "nginx:1.27\nRUN echo pwned",
    "nginx 1.27",
    "nginx:1.27;rm",
    "nginx:-tag",
    "nginx@sha256:abc",
    "a".repeat(256),
  ])("assertImageRef throws for %j", (value) => {
    // GIVEN text that is no image reference
    // WHEN it is checked
    // THEN it fails with a ValidationError
    expect(() => assertImageRef(WHERE, value)).toThrow(/container image/);
  });

  test.each([
    ["net.ipv4.ip_nonlocal_bind", "1"],
    ["net.ipv4.tcp_rmem", "4096 87380 6291456"],
    ["net.core.somaxconn", "4096"],
    ["net.ipv4.conf.eth0.arp_ignore", "1"],
  ])("assertSysctl accepts %s = %j", (key, value) => {
    // GIVEN a sysctl key and value
    // WHEN they are checked
    // THEN nothing is thrown
    expect(() => assertSysctl(WHERE, key, value)).not.toThrow();
  });

  test.each([
    ["net", "1", "sysctl key"],
    ["NET.ipv4.x", "1", "sysctl key"],
    ["net.ipv4.x\n", "1", "sysctl key"],
    ["net..x", "1", "sysctl key"],
    ["net.ipv4.ip_forward", "1\n", "value"],
    ["net.ipv4.ip_forward", "", "value"],
    ["net.ipv4.ip_forward", "a;b", "value"],
    ["net.ipv4.ip_forward", "a".repeat(65), "value"],
  ])("assertSysctl throws for %j = %j", (key, value, what) => {
    // GIVEN a malformed key or value
    // WHEN they are checked
    // THEN the ValidationError says which one is wrong
    expect(() => assertSysctl(WHERE, key, value)).toThrow(what);
  });

  test.each([1, 80, 8404, 65535])("assertPort accepts %d", (port) => {
    // GIVEN a TCP port
    // WHEN it is checked
    // THEN it is returned unchanged
    expect(assertPort(WHERE, "listenerPort", port)).toBe(port);
  });

  test.each([0, -1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "80" as unknown as number])(
    "assertPort throws for %j",
    (port) => {
      // GIVEN something that is not a whole number from 1 to 65535
      // WHEN it is checked
      // THEN the ValidationError names the range
      expect(() => assertPort(WHERE, "listenerPort", port)).toThrow("use a whole number from 1 to 65535");
    },
  );

  test("assertIntegerInRange accepts exactly the whole numbers in range", () => {
    // GIVEN random bounds and a random number
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.oneof(fc.integer({ min: -3000, max: 3000 }), fc.double()),
        (min, span, value) => {
          // WHEN the number is checked against [min, min + span]
          const max = min + span;
          const result = outcome(() => assertIntegerInRange(WHERE, "n", value, min, max));
          // THEN it passes exactly when it is a whole number within the bounds
          const inRange = Number.isInteger(value) && value >= min && value <= max;
          expect(result === "accepted").toBe(inRange);
        },
      ),
      RUNS,
    );
  });
});

describe("ValidationError", () => {
  test.each([
    ["a string", "a\nb", '"a\\nb"'],
    ["a number", 42, "42"],
    ["a list", ["/bin/x", "a b"], '["/bin/x","a b"]'],
    ["undefined", undefined, "undefined"],
    ["a bigint", 10n, "10"],
  ])("shows %s on one line", (_what, value, shown) => {
    // GIVEN a rejected value
    // WHEN an error is made for it
    const error = new ValidationError("stack/edge", "virtualIp", value, "use an address");
    // THEN the message is "path: what value is not allowed; allowed", on one line
    expect(error.message).toBe(`stack/edge: virtualIp ${shown} is not allowed; use an address`);
    expect(error.name).toBe("ValidationError");
    expect(error.value).toBe(value);
  });
});
