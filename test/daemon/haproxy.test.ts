/**
 * Tier 2, daemon checks: HAProxy's own checker accepts every haproxy.cfg a VIP pair deploys,
 * without a single warning. The checker runs in a namespace with loopback only, so nothing it
 * might try to resolve or reach leaves the machine.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cleanupNamespaces, NetworkNamespace } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { accepted, checkHaproxy, clean, Scratch, type Verdict } from "./checkers";
import {
  type DeployedHost,
  deployVariant,
  fileOf,
  HAPROXY_CFG,
  loadBalancers,
  VARIANTS,
} from "./vip-pair-variants";

const available = tierAvailable("daemon checks: haproxy", ["haproxy", "ip"], true);

describe.runIf(available)("haproxy -c -dW", () => {
  let scratch: Scratch;
  let isolated: NetworkNamespace;
  beforeAll(() => {
    scratch = new Scratch();
    isolated = NetworkNamespace.create();
  });
  afterAll(() => {
    scratch?.remove();
    cleanupNamespaces();
  });

  function check(host: DeployedHost, cfg: string): Verdict {
    return checkHaproxy(isolated, scratch.write(`${host.hostname}.haproxy.cfg`, cfg));
  }

  function defaultNode(): DeployedHost {
    return loadBalancers(deployVariant({ name: "default" }))[0] as DeployedHost;
  }

  test.each(VARIANTS)("accepts the haproxy.cfg of every node: $name", (variant) => {
    // GIVEN the variant, synthesized, and the haproxy.cfg uploaded to each load balancer
    const nodes = loadBalancers(deployVariant(variant));

    // WHEN HAProxy checks each file, warnings made fatal
    const verdicts = nodes.map((node) => check(node, fileOf(node, HAPROXY_CFG)));

    // THEN every file is valid, without errors or warnings
    expect(verdicts).toEqual(verdicts.map(clean));
    expect(verdicts).toHaveLength(variant.pair?.nodeCount ?? 2);
  });

  test("fails a cfg with an unknown keyword", () => {
    // GIVEN a generated cfg with a keyword HAProxy does not know
    const node = defaultNode();
    const cfg = fileOf(node, HAPROXY_CFG).replace("    balance ", "    bogus_keyword 1\n    balance ");

    // WHEN HAProxy checks it
    const verdict = check(node, cfg);

    // THEN it is rejected with an alert naming the keyword
    expect(accepted(verdict)).toBe(false);
    expect(verdict.status).toBe(1);
    expect(verdict.findings).toContainEqual(
      expect.stringMatching(/\[ALERT\].*unknown keyword 'bogus_keyword'/),
    );
  });

  test("fails a cfg that only warns", () => {
    // GIVEN a generated HTTP cfg switched to TCP mode, so its HTTP options only draw warnings
    const node = defaultNode();
    const cfg = fileOf(node, HAPROXY_CFG).replace(
      "    mode http\n    log global",
      "    mode tcp\n    log global",
    );
    expect(cfg).toContain("option forwardfor");

    // WHEN HAProxy checks it
    const verdict = check(node, cfg);

    // THEN the warnings fail the check (HAProxy alone would exit 0 with "Warnings were found.")
    expect(accepted(verdict)).toBe(false);
    expect(verdict.status).not.toBe(0);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/\[WARNING\].*forwardfor/));
  });

  test("fails a cfg with a server port out of range", () => {
    // GIVEN a cfg whose first server listens on port 99999 (an address that does not parse would
    // be looked up in DNS by the checker, so the test breaks the port instead)
    const node = defaultNode();
    const cfg = fileOf(node, HAPROXY_CFG).replace(/(server \S+ [0-9.]+):\d+/, "$1:99999");
    expect(cfg).toContain(":99999");

    // WHEN HAProxy checks it
    const verdict = check(node, cfg);

    // THEN it is rejected
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/\[ALERT\].*invalid port '99999'/));
  });

  test("fails a cfg file that does not exist", () => {
    // GIVEN a path with no file behind it
    const path = `${scratch.dir}/does-not-exist.cfg`;

    // WHEN HAProxy checks it
    const verdict = checkHaproxy(isolated, path);

    // THEN it is rejected
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/Cannot open configuration file/));
  });
});
