import { Construct } from "constructs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ValidationError } from "../../lib/errors";
import { IdPool, type IdPoolSpec, VRRP_ROUTER_IDS } from "../../lib/model/id-pool";
import { validationErrorOf } from "../support/errors";

const RUNS = { numRuns: 200 };

/** A construct to point errors at, so messages carry a real construct path. */
function constructAt(...ids: string[]): Construct {
  let scope = new Construct(undefined as unknown as Construct, "");
  for (const id of ids) scope = new Construct(scope, id);
  return scope;
}

describe("IdPool with another range", () => {
  const asn: IdPoolSpec = {
    name: "test-asn",
    what: "asn",
    description: "AS number",
    min: 4_200_000_000,
    max: 4_200_000_002,
  };

  test("gives out ids from min up when no preferred start is set, and lists them", () => {
    // GIVEN a pool of three ids without preferredFrom
    const pool = new IdPool(asn, "platform stack/p");
    // WHEN two are taken automatically and one explicitly
    const first = pool.reserve("stack/a", "a");
    const pinned = pool.reserve("stack/b", "b", 4_200_000_002);
    const second = pool.reserve("stack/c", "c");
    // THEN the automatic ids count up from min and the assignments are listed by id
    expect([first, second, pinned]).toEqual([4_200_000_000, 4_200_000_001, 4_200_000_002]);
    expect(pool.assignments.map((x) => x.owner)).toEqual(["a", "c", "b"]);
    // AND a fourth request fails, naming the pool's words
    const error = validationErrorOf(() => pool.reserve("stack/d", "d"));
    expect(error.message).toContain("platform stack/p has no free AS number left");
  });
});

describe("IdPool with VRRP router ids (per segment)", () => {
  test("gives out ids from 51 up, then 1 to 50, then throws", () => {
    // GIVEN an empty segment
    const segment = new IdPool(VRRP_ROUTER_IDS, "segment net");
    // WHEN all 255 ids are asked for without a number
    const ids = Array.from({ length: 255 }, (_, i) => segment.reserve("stack/pair", `pair${i}`));
    // THEN they come 51..255 then 1..50, all distinct, and the 256th request fails
    expect(ids.slice(0, 3)).toEqual([51, 52, 53]);
    expect(ids[204]).toBe(255);
    expect(ids.slice(205, 207)).toEqual([1, 2]);
    expect(new Set(ids).size).toBe(255);
    expect(Math.min(...ids)).toBe(1);
    expect(Math.max(...ids)).toBe(255);
    const error = validationErrorOf(() => segment.reserve("stack/last", "last"));
    expect(error.message).toContain("stack/last");
    expect(error.message).toContain("no free virtual router id");
  });

  test("auto ids skip ids reserved explicitly", () => {
    // GIVEN a segment where 51 and 52 are taken explicitly
    const segment = new IdPool(VRRP_ROUTER_IDS, "segment net");
    segment.reserve("stack/a", "a", 51);
    segment.reserve("stack/b", "b", 52);
    // WHEN an id is asked for without a number
    const id = segment.reserve("stack/c", "c");
    // THEN it is the lowest free id from 51 up
    expect(id).toBe(53);
  });

  test("throws for an id already used on the segment, naming the holder", () => {
    // GIVEN a segment where id 7 is held by one VIP pair
    const segment = new IdPool(VRRP_ROUTER_IDS, "segment net");
    segment.reserve("stack/first", "stack/first", 7);
    const second = constructAt("stack", "second");
    // WHEN another asks for 7
    const error = validationErrorOf(() => segment.reserve(second, second.node.path, 7));
    // THEN the ValidationError names the construct, the id, the holder and the rule
    expect(error.message).toContain("stack/second: virtualRouterId 7");
    expect(error.message).toContain("stack/first");
    expect(error.message).toContain("unique per segment");
  });

  test("ids are per segment: two segments may use the same id", () => {
    // GIVEN two segments
    const a = new IdPool(VRRP_ROUTER_IDS, "segment a");
    const b = new IdPool(VRRP_ROUTER_IDS, "segment b");
    // WHEN both reserve 51 and give out an automatic id
    // THEN neither clashes with the other
    expect(a.reserve("stack/x", "x", 51)).toBe(51);
    expect(b.reserve("stack/y", "y", 51)).toBe(51);
    expect(a.reserve("stack/x2", "x2")).toBe(52);
    expect(b.reserve("stack/y2", "y2")).toBe(52);
  });

  test.each([0, 256, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("throws for id %d", (id) => {
    // GIVEN a segment
    const segment = new IdPool(VRRP_ROUTER_IDS, "segment net");
    // WHEN an id outside 1-255 is asked for
    const error = validationErrorOf(() => segment.reserve("stack/pair", "pair", id));
    // THEN the ValidationError names the allowed range
    expect(error.message).toContain("stack/pair: virtualRouterId");
    expect(error.message).toContain("1 to 255");
  });

  test("random mixes of explicit and automatic ids stay unique and in range", () => {
    // GIVEN random sequences of explicit ids (1-255) and automatic requests
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }), { maxLength: 300 }),
        (requests) => {
          const segment = new IdPool(VRRP_ROUTER_IDS, "segment net");
          const held = new Set<number>();
          // WHEN each is asked for in turn
          requests.forEach((wanted, i) => {
            const full = held.size === 255;
            if ((wanted !== undefined && held.has(wanted)) || (wanted === undefined && full)) {
              // THEN a reused id (or a request when all are used) throws
              expect(() => segment.reserve("stack/x", `x${i}`, wanted)).toThrow(ValidationError);
              return;
            }
            const id = segment.reserve("stack/x", `x${i}`, wanted);
            // THEN explicit ids are kept, automatic ones are the lowest free from 51 up, then from 1
            if (wanted !== undefined) expect(id).toBe(wanted);
            else {
              const free = [
                ...Array.from({ length: 205 }, (_, k) => 51 + k),
                ...Array.from({ length: 50 }, (_, k) => 1 + k),
              ];
              expect(id).toBe(free.find((c) => !held.has(c)));
            }
            expect(id).toBeGreaterThanOrEqual(1);
            expect(id).toBeLessThanOrEqual(255);
            expect(held.has(id)).toBe(false);
            held.add(id);
          });
        },
      ),
      RUNS,
    );
  });
});
