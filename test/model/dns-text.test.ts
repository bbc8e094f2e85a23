import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../lib/errors";
import {
  assertDnsName,
  assertDnsTtl,
  assertIpAddress,
  assertRelativeDnsName,
  ipFamily,
} from "../../lib/model/dns-text";
import { DANGEROUS_CHARACTERS } from "../support/dangerous";
import { validationErrorOf } from "../support/errors";

const WHERE = "stack/pool";
/** What no accepted name or address may hold: zone comments, groups, quotes, escapes, white space. */
const BREAKOUT = /[\s"'`;()\\$@{}#\p{Cc}]/u;

const arbUserString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc
    .array(fc.constantFrom(...DANGEROUS_CHARACTERS, "a", "0", "-", "_", ".", ":", "(", ")", "@"), {
      maxLength: 40,
    })
    .map((a) => a.join("")),
);

describe("DNS guards by example", () => {
  test.each(["pool.example.test", "pool.example.test.", "_http._tcp.example.test", "a-b.c0"])(
    "assertDnsName accepts %j",
    (name) => {
      expect(assertDnsName(WHERE, "zone name", name)).toBe(name.replace(/\.$/, ""));
    },
  );

  test.each([
    "test",
    "",
    ".",
    "a..b",
    "-a.test",
    "a-.test",
    "a b.test",
    `${"a".repeat(64)}.test`,
    `${"a.".repeat(127)}a`,
  ])("assertDnsName rejects %j", (name) => {
    expect(validationErrorOf(() => assertDnsName(WHERE, "zone name", name)).message).toMatch(
      /^stack\/pool: zone name/,
    );
  });

  test.each(["@", "www", "api.v1", "_acme-challenge"])("assertRelativeDnsName accepts %j", (name) => {
    expect(assertRelativeDnsName(WHERE, "record name", name)).toBe(name);
  });

  test.each(["www.", "@.x", "", "a;b", "*"])("assertRelativeDnsName rejects %j", (name) => {
    expect(validationErrorOf(() => assertRelativeDnsName(WHERE, "record name", name)).message).toMatch(
      /record name/,
    );
  });

  test.each([
    ["198.18.0.1", "198.18.0.1", 4],
    ["2001:DB8:0:0::1", "2001:db8::1", 6],
    ["::ffff:198.18.0.1", "::ffff:c612:1", 6],
  ])("assertIpAddress normalizes %j to %j", (input, normal, family) => {
    const address = assertIpAddress(WHERE, "member", input);
    expect([address, ipFamily(address)]).toEqual([normal, family]);
  });

  test.each(["198.18.0", "0x7f.0.0.1", "010.0.0.1", "198.18.0.1/24", "[::1]", "fe80::1%eth0", "", "::1 "])(
    "assertIpAddress rejects %j",
    (input) => {
      expect(validationErrorOf(() => assertIpAddress(WHERE, "member", input)).message).toMatch(/member/);
    },
  );

  test("assertDnsTtl accepts 0 to the bound and nothing else", () => {
    expect(assertDnsTtl(WHERE, "TTL", 0)).toBe(0);
    expect(assertDnsTtl(WHERE, "TTL", 2 ** 31 - 1)).toBe(2 ** 31 - 1);
    expect(validationErrorOf(() => assertDnsTtl(WHERE, "TTL", 2 ** 31)).message).toMatch(/0 to 2147483647/);
    expect(validationErrorOf(() => assertDnsTtl(WHERE, "TTL", 61, 60)).message).toMatch(/0 to 60/);
    expect(validationErrorOf(() => assertDnsTtl(WHERE, "TTL", 1.5)).message).toMatch(/whole number/);
  });
});

describe("no user string gets through a DNS guard with a breakout character", () => {
  test.each([
    ["assertDnsName", (v: string) => assertDnsName(WHERE, "name", v)],
    ["assertRelativeDnsName", (v: string) => assertRelativeDnsName(WHERE, "name", v)],
    ["assertIpAddress", (v: string) => assertIpAddress(WHERE, "address", v)],
  ])("%s rejects it or returns a plain token", (_name, check) => {
    fc.assert(
      fc.property(arbUserString, (value) => {
        // GIVEN an arbitrary string; WHEN the guard checks it
        let result: string;
        try {
          result = check(value);
        } catch (e) {
          // THEN it throws a ValidationError ...
          expect(e).toBeInstanceOf(ValidationError);
          return;
        }
        // ... or what it returns holds no breakout character (apart from the apex name "@")
        if (result !== "@") expect(result).not.toMatch(BREAKOUT);
        expect(result).toMatch(/^(?:@|[A-Za-z0-9_.:-]+)$/);
      }),
      { numRuns: 300 },
    );
  });
});
