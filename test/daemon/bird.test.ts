/**
 * Tier 2, daemon checks: BIRD 2's own parser (`bird -p`) accepts every bird.conf the three-tier
 * renderers produce for routers and L4 nodes, and shows what it does not check itself.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderBirdL4Conf } from "../../lib/render/bird-l4";
import { validationErrorOf } from "../support/errors";
import { tierAvailable } from "../support/tiers";
import { accepted, checkBird, clean, Scratch } from "./checkers";
import { BFD, BGP, L4_VARIANTS, ROUTER_VARIANTS, SERVICES } from "./three-tier-variants";

const available = tierAvailable("daemon checks: bird", ["bird"]);

describe.runIf(available)("bird -p", () => {
  let scratch: Scratch;
  beforeAll(() => {
    scratch = new Scratch();
  });
  afterAll(() => {
    scratch?.remove();
  });

  test.each([
    ...ROUTER_VARIANTS.map((v) => ({ ...v, role: "router" })),
    ...L4_VARIANTS.map((v) => ({ ...v, role: "L4" })),
  ])("accepts the $role config: $name", ({ name, text }) => {
    // GIVEN the rendered file WHEN BIRD parses it
    const verdict = checkBird(scratch.write(`${name}.bird.conf`, text));
    // THEN it exits 0 without a word
    expect(verdict).toEqual(clean(verdict));
  });

  test("fails a config with a keyword as a symbol: the check really parses", () => {
    // GIVEN an L4 config whose template is renamed to the keyword 'router'
    const text = (L4_VARIANTS[0]?.text ?? "").replaceAll("to_router", "router");
    expect(text).toContain("template bgp router {");

    // WHEN BIRD parses it
    const verdict = checkBird(scratch.write("keyword.bird.conf", text));

    // THEN it is refused with the position of the error
    expect(accepted(verdict)).toBe(false);
    expect(verdict.status).toBe(1);
    expect(verdict.findings).toEqual([expect.stringMatching(/:\d+:\d+ syntax error, unexpected ROUTER/)]);
  });

  test("fails a router config with an internal BGP session to an L4 node in its own AS", () => {
    // GIVEN a router config edited to give an L4 node the router's AS on a session declared external
    const text = (ROUTER_VARIANTS[0]?.text ?? "").replace(
      "neighbor 198.18.0.11 as 65100;",
      "neighbor 198.18.0.11 as 65000 external;",
    );

    // WHEN BIRD parses it
    const verdict = checkBird(scratch.write("ibgp.bird.conf", text));

    // THEN it is refused: the renderer's own refusal of such a peer matches BIRD's
    expect(verdict.findings).toEqual([expect.stringMatching(/EBGP cannot have the same ASNs/)]);
  });

  test("accepts a BFD multiplier of 256 and an interval of 0: the guard is the only fence", () => {
    // GIVEN a rendered L4 config edited to timers BIRD cannot use (256 is stored in one octet as 0)
    const text = (L4_VARIANTS[0]?.text ?? "")
      .replace("interval 100 ms;", "interval 0 ms;")
      .replace("multiplier 3;", "multiplier 256;");

    // WHEN BIRD parses it
    const verdict = checkBird(scratch.write("bfd.bird.conf", text));

    // THEN BIRD takes it, while the renderer refuses both values
    expect(verdict).toEqual(clean(verdict));
    const config = {
      routerId: "198.18.0.11",
      localAsn: 65100,
      routers: [{ name: "r1", address: "198.18.0.1", asn: 65000 }],
      serviceAddresses: SERVICES,
      bgp: BGP,
      passive: false,
    };
    expect(
      validationErrorOf(() => renderBirdL4Conf({ ...config, bfd: { ...BFD, multiplier: 256 } })).value,
    ).toBe(256);
    expect(
      validationErrorOf(() => renderBirdL4Conf({ ...config, bfd: { ...BFD, intervalMs: 0 } })).value,
    ).toBe(0);
  });
});
