import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  luaAnswerCode,
  luaString,
  type PowerDnsAllUnhealthy,
  type PowerDnsLuaAnswer,
  type PowerDnsSelection,
  UNREACHABLE_SENTINEL,
} from "../../lib/render/powerdns-lua";
import { DANGEROUS_CHARACTERS } from "../support/dangerous";
import { luaCodeShape } from "../support/lua-code";

const TCP = { kind: "tcp", port: 8080, timeoutSeconds: 1 } as const;
const HTTP = {
  kind: "http",
  hostName: "web.pool.test",
  port: 8080,
  path: "/healthz",
  timeoutSeconds: 2,
} as const;
const MEMBERS = ["198.18.0.11", "198.18.0.12"];

function answer(overrides: Partial<PowerDnsLuaAnswer> = {}): PowerDnsLuaAnswer {
  return {
    members: MEMBERS,
    probe: TCP,
    selection: { kind: "all" },
    allUnhealthy: { kind: "all" },
    ...overrides,
  };
}

describe("luaString", () => {
  test("leaves plain characters as they are", () => {
    // GIVEN a URL of plain characters
    // WHEN it is quoted
    // THEN it is only wrapped in single quotes
    expect(luaString("http://web.pool.test:8080/a/b?x=1&y=%20")).toBe(
      "'http://web.pool.test:8080/a/b?x=1&y=%20'",
    );
  });

  test.each([
    ["a single quote", "it's", "'it\\039s'"],
    ["a double quote", 'a"b', "'a\\034b'"],
    ["a backslash", "a\\b", "'a\\092b'"],
    ["a newline", "a\nb", "'a\\010b'"],
    ["a space", "a b", "'a\\032b'"],
    ["a digit after an escape", "'1", "'\\0391'"],
    ["a two-byte character", "é", "'\\195\\169'"],
  ])("escapes %s as decimal bytes", (_what, value, literal) => {
    // GIVEN a value with a character that could end the string or the zone line
    // WHEN it is quoted
    // THEN the character is written as three-digit decimal escapes of its UTF-8 bytes
    expect(luaString(value)).toBe(literal);
  });

  test("every string comes back unchanged and the literal holds only plain characters", () => {
    // GIVEN arbitrary strings, many of them made of quotes, line ends and other breakout characters
    const arb = fc.oneof(
      fc.string({ unit: "grapheme" }),
      fc.array(fc.constantFrom(...DANGEROUS_CHARACTERS, "a", "1", "é", "\u{1F600}")).map((a) => a.join("")),
    );
    fc.assert(
      fc.property(arb, (value) => {
        // WHEN one is quoted
        const literal = luaString(value);
        // THEN the literal has no quote, space, ';' or control character inside, and Lua reads it back
        expect(literal).toMatch(/^'[A-Za-z0-9._:/~%@,+=!*?&\\-]*'$/);
        expect(luaCodeShape(literal)).toEqual({ skeleton: "$", strings: [value] });
      }),
      { numRuns: 300 },
    );
  });
});

describe("luaAnswerCode", () => {
  test("fails open with every healthy member: one ifportup call, both selectors 'all'", () => {
    // GIVEN a TCP-checked pool answering with all healthy members, all of them when none is healthy
    // WHEN its code is rendered
    const code = luaAnswerCode(answer());
    // THEN it is one expression PowerDNS returns as it is
    expect(code).toBe(
      "ifportup(8080, {'198.18.0.11', '198.18.0.12'}, {selector='all', backupSelector='all', timeout='1'})",
    );
  });

  test("probes HTTP with ifurlup on the pool's host name, port and path", () => {
    // GIVEN an HTTP-checked pool
    // WHEN its code is rendered
    const code = luaAnswerCode(answer({ probe: HTTP }));
    // THEN the URL names the host, port and path, and the timeout is in seconds
    expect(code).toBe(
      "ifurlup('http://web.pool.test:8080/healthz', {'198.18.0.11', '198.18.0.12'}, {selector='all', backupSelector='all', timeout='2'})",
    );
  });

  test.each<[string, PowerDnsSelection, string, string]>([
    ["one random member", { kind: "random", count: 1 }, "random", ""],
    ["two random members", { kind: "random", count: 2 }, "all", "pickrandomsample(2, "],
    ["one member hashed by client", { kind: "hashed" }, "hashed", ""],
  ])("fails open with %s", (_what, selection, selector, sample) => {
    // GIVEN a fail-open pool with the selection
    // WHEN its code is rendered
    const code = luaAnswerCode(answer({ selection }));
    // THEN the selector picks from healthy and (all down) from all members alike, sampled if asked
    const call = `ifportup(8080, {'198.18.0.11', '198.18.0.12'}, {selector='${selector}', backupSelector='${selector}', timeout='1'})`;
    expect(code).toBe(sample ? `;return ${sample}${call})` : call);
  });

  test.each<[string, PowerDnsAllUnhealthy, string]>([
    ["fails closed with an empty answer", { kind: "none" }, "{}"],
    [
      "falls back to a fixed address",
      { kind: "fallback", addresses: ["198.18.0.99", "2001:db8::9"] },
      "{'198.18.0.99'}",
    ],
  ])("%s when the sentinel shows every member down", (_what, allUnhealthy, fallback) => {
    // GIVEN a pool that must not answer with unhealthy members
    // WHEN its code is rendered
    const code = luaAnswerCode(answer({ allUnhealthy }));
    // THEN the unreachable sentinel is listed last, and its presence in the answer selects the fallback
    expect(code).toBe(
      ";local up = ifportup(8080, {'198.18.0.11', '198.18.0.12', '255.255.255.255'}, {selector='all', backupSelector='all', timeout='1'})" +
        ` if up[#up] == '255.255.255.255' then return ${fallback} end return up`,
    );
  });

  test("samples after the all-down test, and uses the IPv6 sentinel for IPv6 members", () => {
    // GIVEN a fail-closed pool of IPv6 members answering with two random healthy ones
    const code = luaAnswerCode(
      answer({
        members: ["2001:db8::1", "2001:db8::2"],
        selection: { kind: "random", count: 2 },
        allUnhealthy: { kind: "none" },
      }),
    );
    // WHEN the code is read
    const shape = luaCodeShape(code);
    // THEN the multicast sentinel is checked last and the sample is taken from the healthy list only
    expect(shape.strings).toEqual([
      "2001:db8::1",
      "2001:db8::2",
      UNREACHABLE_SENTINEL[6],
      "all",
      "all",
      "1",
      UNREACHABLE_SENTINEL[6],
    ]);
    expect(shape.skeleton).toBe(
      ";local up = ifportup(8080, {$, $, $}, {selector=$, backupSelector=$, timeout=$}) if up[#up] == $ then return {} end return pickrandomsample(2, up)",
    );
  });

  test("throws for members of both families in one record", () => {
    // GIVEN an IPv4 and an IPv6 member in one answer (an A record cannot carry both)
    // WHEN the code is rendered
    // THEN it is refused
    expect(() => luaAnswerCode(answer({ members: ["198.18.0.11", "2001:db8::1"] }))).toThrow(
      /mix IPv4 and IPv6/,
    );
  });

  test("throws for a record without members", () => {
    expect(() => luaAnswerCode(answer({ members: [] }))).toThrow(/at least one member/);
  });
});
