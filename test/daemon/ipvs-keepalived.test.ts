/**
 * Tier 2, daemon checks: keepalived's own checker accepts every keepalived.conf the L4 nodes of
 * the three tiers deploy (IPVS virtual services, no VRRP), in a namespace with the node's `eth0`.
 * The checker parses and validates the file; loading it into IPVS needs a kernel with IPVS,
 * which this tier does not assume.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { cleanupNamespaces, ownTestNamespaces, withNamespace } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { accepted, checkKeepalived, clean, Scratch, type Verdict } from "./checkers";
import { GATE_VARIANTS, ipvsVariants } from "./three-tier-variants";

const available = tierAvailable("daemon checks: keepalived (IPVS)", ["keepalived", "ip"], true);

describe.runIf(available)("keepalived --config-test of IPVS configs", () => {
  let scratch: Scratch;
  let gate: string;
  beforeAll(() => {
    scratch = new Scratch();
    gate = scratch.write("ha-l4-gate", GATE_VARIANTS[0]?.text ?? "", 0o755);
  });
  afterEach(() => {
    cleanupNamespaces();
  });
  afterAll(() => {
    scratch?.remove();
    expect(ownTestNamespaces()).toEqual([]);
  });

  function check(name: string, conf: string): Verdict {
    const path = scratch.write(`${name}.keepalived.conf`, conf);
    return withNamespace({ address: "198.18.0.11/24" }, (ns) => checkKeepalived(ns, path));
  }

  test("renders three variants: TUN, DR and NAT", () => {
    expect(ipvsVariants(gate).map((v) => /lvs_method (\w+)/.exec(v.text)?.[1])).toEqual(["TUN", "DR", "NAT"]);
  });

  test.each(ipvsVariants("/usr/local/sbin/ha-l4-gate").map((v) => v.name))("accepts %s", (name) => {
    // GIVEN the rendered file (its quorum command is the gate script, written executable)
    const variant = ipvsVariants(gate).find((v) => v.name === name);
    expect(variant?.text).toContain("lvs_sched mh\n    mh-port\n    mh-fallback\n");

    // WHEN keepalived checks it
    const verdict = check(name, variant?.text ?? "");

    // THEN it passes: exit status 0 and not one line of output
    expect(verdict).toEqual(clean(verdict));
  });

  test.each([
    ["mh-port spelled mh_port", "mh-port", "mh_port", /Unknown keyword 'mh_port'/],
    ["the scheduler spelled maglev", "lvs_sched mh", "lvs_sched maglev", /Invalid lvs_scheduler 'maglev'/],
    [
      "connection sync asked for",
      "    quorum 1\n",
      "    quorum 1\n    lb_sync yes\n",
      /Unknown keyword 'lb_sync'/,
    ],
  ])("fails a config with %s: the check knows the IPVS keywords", (_what, from, to, finding) => {
    // GIVEN a rendered config with one keyword changed
    const text = (ipvsVariants(gate)[0]?.text ?? "").replace(from, to);
    expect(text).toContain(to);

    // WHEN keepalived checks it
    const verdict = check("edited", text);

    // THEN it is refused and says why
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toContainEqual(expect.stringMatching(finding));
  });
});
