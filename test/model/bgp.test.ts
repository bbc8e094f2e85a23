import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../lib/errors";
import {
  assertAsn,
  assertBfdTimers,
  assertBgpTimers,
  assertBirdName,
  assertDistinct,
  assertRouterId,
  assertServiceAddress,
  assertUnicastIpv4,
  type BgpTimers,
  bfdDetectionTimeMs,
  isPrivateAsn,
} from "../../lib/model/bgp";
import { DANGEROUS_CHARACTERS } from "../support/dangerous";
import { validationErrorOf } from "../support/errors";

const WHERE = "stack/lb";
const RUNS = { numRuns: 200 };
/** What no accepted value may hold in a BIRD config: statement ends, blocks, comments, quotes, spaces. */
const BREAKOUT = /[\s;{}#/*"'\\$\p{Cc}]/u;

const TIMERS: BgpTimers = {
  holdTimeSeconds: 9,
  keepaliveSeconds: 3,
  connectRetrySeconds: 1,
  errorWaitMinSeconds: 1,
  errorWaitMaxSeconds: 10,
};

const arbUserString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc
    .array(fc.constantFrom(...DANGEROUS_CHARACTERS, "1", "9", "0", ".", "/", "3", "2", "a", "_"), {
      maxLength: 24,
    })
    .map((a) => a.join("")),
);

describe("assertAsn", () => {
  test.each([1, 64512, 65000, 65534, 65536, 4_200_000_000, 4_294_967_294])("accepts %d", (asn) => {
    expect(assertAsn(WHERE, "AS number", asn)).toBe(asn);
  });

  test.each([
    [0, /RFC 7607/],
    [23456, /AS_TRANS/],
    [65535, /RFC 7300/],
    [4_294_967_295, /RFC 7300/],
    [4_294_967_296, /1 to 4294967295/],
    [-1, /1 to 4294967295/],
    [1.5, /1 to 4294967295/],
    [Number.NaN, /1 to 4294967295/],
  ])("throws for %d", (asn, allowed) => {
    const error = validationErrorOf(() => assertAsn(WHERE, "AS number", asn));
    expect([error.path, error.value]).toEqual([WHERE, asn]);
    expect(error.allowed).toMatch(allowed);
  });

  test("throws for a string that looks like a number", () => {
    expect(validationErrorOf(() => assertAsn(WHERE, "AS number", "65000" as unknown as number)).value).toBe(
      "65000",
    );
  });

  test("isPrivateAsn holds for exactly the RFC 6996 ranges", () => {
    expect(
      [64511, 64512, 65534, 65535, 4_199_999_999, 4_200_000_000, 4_294_967_294].map(isPrivateAsn),
    ).toEqual([false, true, true, false, false, true, true]);
  });
});

describe("assertRouterId", () => {
  test.each(["198.18.0.1", "0.0.0.1", "255.255.255.255", "10.0.0.0"])("accepts %j", (id) => {
    expect(assertRouterId(WHERE, "router id", id)).toBe(id);
  });

  test.each([
    "0.0.0.0",
    "198.18.0",
    "198.18.0.01",
    "0x7f.0.0.1",
    "198.18.0.1/32",
    "256.0.0.1",
    " 198.18.0.1",
    "",
  ])("throws for %j", (id) => {
    expect(validationErrorOf(() => assertRouterId(WHERE, "router id", id)).allowed).toMatch(/dotted quad/);
  });
});

describe("assertUnicastIpv4 and assertServiceAddress", () => {
  test.each(["198.18.100.10", "203.0.113.7", "10.1.2.3", "223.255.255.254"])("accepts %j", (address) => {
    expect(assertUnicastIpv4(WHERE, "neighbor", address)).toBe(address);
    expect(assertServiceAddress(WHERE, "service", `${address}/32`)).toBe(address);
  });

  test.each([
    "0.1.2.3",
    "127.0.0.1",
    "169.254.1.1",
    "224.0.0.5",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.1",
    "::1",
  ])("throws for %j", (address) => {
    expect(validationErrorOf(() => assertUnicastIpv4(WHERE, "neighbor", address)).value).toBe(address);
  });

  test.each(["198.18.100.0/24", "198.18.100.10/31", "198.18.100.10 ", "127.0.0.1/32"])(
    "assertServiceAddress throws for %j, naming the value given",
    (value) => {
      const error = validationErrorOf(() => assertServiceAddress(WHERE, "service address", value));
      expect([error.value, error.allowed]).toEqual([value, expect.stringMatching(/a\.b\.c\.d\/32/)]);
    },
  );
});

describe("assertBfdTimers", () => {
  test("accepts 10 ms to 60 s and multipliers 1 to 255; detection is their product", () => {
    expect(assertBfdTimers(WHERE, { intervalMs: 10, multiplier: 1 })).toEqual({
      intervalMs: 10,
      multiplier: 1,
    });
    expect(assertBfdTimers(WHERE, { intervalMs: 60_000, multiplier: 255 }).multiplier).toBe(255);
    expect(bfdDetectionTimeMs({ intervalMs: 100, multiplier: 3 })).toBe(300);
  });

  test.each([
    [{ intervalMs: 9, multiplier: 3 }, "BFD intervalMs"],
    [{ intervalMs: 0, multiplier: 3 }, "BFD intervalMs"],
    [{ intervalMs: 60_001, multiplier: 3 }, "BFD intervalMs"],
    [{ intervalMs: 100.5, multiplier: 3 }, "BFD intervalMs"],
    [{ intervalMs: 100, multiplier: 0 }, "BFD multiplier"],
    [{ intervalMs: 100, multiplier: 256 }, "BFD multiplier"],
  ])("throws for %j", (timers, what) => {
    expect(validationErrorOf(() => assertBfdTimers(WHERE, timers)).message).toContain(what);
  });
});

describe("assertBgpTimers", () => {
  test("accepts short timers and a keepalive up to half the hold time", () => {
    expect(assertBgpTimers(WHERE, TIMERS)).toBe(TIMERS);
    expect(
      assertBgpTimers(WHERE, { ...TIMERS, holdTimeSeconds: 3, keepaliveSeconds: 1 }).keepaliveSeconds,
    ).toBe(1);
  });

  test.each<[Partial<BgpTimers>, string]>([
    [{ holdTimeSeconds: 0 }, "holdTimeSeconds"],
    [{ holdTimeSeconds: 2 }, "holdTimeSeconds"],
    [{ holdTimeSeconds: 65_536 }, "holdTimeSeconds"],
    [{ keepaliveSeconds: 5 }, "keepaliveSeconds"],
    [{ keepaliveSeconds: 0 }, "keepaliveSeconds"],
    [{ connectRetrySeconds: 0 }, "connectRetrySeconds"],
    [{ errorWaitMinSeconds: 0 }, "errorWaitMinSeconds"],
    [{ errorWaitMinSeconds: 5, errorWaitMaxSeconds: 4 }, "errorWaitMaxSeconds"],
  ])("throws for %j", (override, what) => {
    expect(validationErrorOf(() => assertBgpTimers(WHERE, { ...TIMERS, ...override })).message).toContain(
      what,
    );
  });
});

describe("assertBirdName and assertDistinct", () => {
  test("a BIRD name is letters, digits and '_'", () => {
    expect(assertBirdName(WHERE, "name", "l4_a1")).toBe("l4_a1");
    for (const bad of ["", "a-b", "a.b", "a b", "x".repeat(49)]) {
      expect(validationErrorOf(() => assertBirdName(WHERE, "name", bad)).value).toBe(bad);
    }
  });

  test("assertDistinct names the first repeated value", () => {
    expect(assertDistinct(WHERE, "address", ["a", "b"])).toEqual(["a", "b"]);
    const error = validationErrorOf(() =>
      assertDistinct(WHERE, "peer", [{ n: "a" }, { n: "a" }], (p) => p.n),
    );
    expect([error.value, error.allowed]).toEqual([
      { n: "a" },
      "each peer must be different; this one appears twice",
    ]);
  });
});

describe("BGP guards against arbitrary strings", () => {
  const guards: Array<[string, (v: string) => string]> = [
    ["assertRouterId", (v) => assertRouterId(WHERE, "router id", v)],
    ["assertUnicastIpv4", (v) => assertUnicastIpv4(WHERE, "address", v)],
    ["assertServiceAddress", (v) => assertServiceAddress(WHERE, "address", v)],
    ["assertBirdName", (v) => assertBirdName(WHERE, "name", v)],
  ];

  test.each(guards)("%s accepts only values that cannot break a BIRD statement", (_name, guard) => {
    fc.assert(
      fc.property(arbUserString, (value) => {
        try {
          const accepted = guard(value);
          expect(accepted).not.toMatch(BREAKOUT);
        } catch (e) {
          expect(e).toBeInstanceOf(ValidationError);
        }
      }),
      RUNS,
    );
  });

  test("assertServiceAddress accepts every unicast dotted quad, with or without /32", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.boolean(), (address, withPrefix) => {
        const first = Number(address.split(".")[0]);
        const second = Number(address.split(".")[1]);
        const unicast = first !== 0 && first !== 127 && first < 224 && !(first === 169 && second === 254);
        const value = withPrefix ? `${address}/32` : address;
        if (unicast) expect(assertServiceAddress(WHERE, "address", value)).toBe(address);
        else expect(() => assertServiceAddress(WHERE, "address", value)).toThrow(ValidationError);
      }),
      RUNS,
    );
  });
});
