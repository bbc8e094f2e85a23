/**
 * Tier 2, daemon checks: keepalived's own checker accepts every keepalived.conf a VIP pair
 * deploys. keepalived looks up the configured interface, so each node's file is checked inside a
 * network namespace that has `eth0` with that node's address.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { cleanupNamespaces, ownTestNamespaces, withNamespace } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { accepted, checkKeepalived, clean, Scratch, type Verdict } from "./checkers";
import {
  type DeployedHost,
  deployVariant,
  fileOf,
  KEEPALIVED_CONF,
  loadBalancers,
  VARIANTS,
} from "./vip-pair-variants";

// curl: keepalived checks that the track script's program exists and refuses it otherwise.
const available = tierAvailable("daemon checks: keepalived", ["keepalived", "ip", "curl"], true);

describe.runIf(available)("keepalived --config-test", () => {
  let scratch: Scratch;
  beforeAll(() => {
    scratch = new Scratch();
  });
  afterEach(() => {
    // Each check deletes its namespace; this catches one left by a check that threw.
    cleanupNamespaces();
  });
  afterAll(() => {
    scratch?.remove();
    expect(ownTestNamespaces()).toEqual([]);
  });

  /** Checks `conf` inside a namespace with eth0 at the host's address (or no eth0 at all). */
  function check(host: DeployedHost, conf: string, options: { withInterface?: boolean } = {}): Verdict {
    const path = scratch.write(`${host.hostname}.keepalived.conf`, conf);
    const address = options.withInterface === false ? undefined : `${host.address}/${host.prefixLength}`;
    return withNamespace({ address }, (ns) => checkKeepalived(ns, path));
  }

  function defaultNode(): DeployedHost {
    return loadBalancers(deployVariant({ name: "default" }))[0] as DeployedHost;
  }

  test.each(VARIANTS)("accepts the keepalived.conf of every node: $name", (variant) => {
    // GIVEN the variant, synthesized, and the keepalived.conf uploaded to each load balancer
    const nodes = loadBalancers(deployVariant(variant));
    for (const node of nodes) expect(fileOf(node, KEEPALIVED_CONF)).toContain("interface eth0\n");

    // WHEN keepalived checks each file in a namespace where eth0 has that node's address
    const verdicts = nodes.map((node) => check(node, fileOf(node, KEEPALIVED_CONF)));

    // THEN every file passes: exit status 0 and not one line of output
    expect(verdicts).toEqual(verdicts.map(clean));
    expect(verdicts).toHaveLength(variant.pair?.nodeCount ?? 2);
  });

  test("fails a config with an unknown keyword: exit status 5 and an 'Unknown keyword' line", () => {
    // GIVEN a generated config with a keyword keepalived does not know
    const node = defaultNode();
    const conf = fileOf(node, KEEPALIVED_CONF).replace("    priority ", "    bogus_keyword 1\n    priority ");

    // WHEN keepalived checks it
    const verdict = check(node, conf);

    // THEN it is rejected, and the finding names the keyword
    expect(accepted(verdict)).toBe(false);
    expect(verdict.status).toBe(5);
    expect(verdict.findings).toEqual([expect.stringMatching(/Unknown keyword 'bogus_keyword'/)]);
  });

  test("fails a config whose interface does not exist in the namespace", () => {
    // GIVEN a generated config (interface eth0) and a namespace with loopback only
    const node = defaultNode();

    // WHEN keepalived checks it there
    const verdict = check(node, fileOf(node, KEEPALIVED_CONF), { withInterface: false });

    // THEN the missing interface is reported: the check really looks the interface up
    expect(accepted(verdict)).toBe(false);
    expect(verdict.status).toBe(5);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/interface eth0 .* doesn't exist/));
  });

  test("fails a config that names another interface than the namespace has", () => {
    // GIVEN a generated config whose instance and addresses name eth9
    const node = defaultNode();
    const conf = fileOf(node, KEEPALIVED_CONF).replaceAll("eth0", "eth9");

    // WHEN keepalived checks it in a namespace that has eth0
    const verdict = check(node, conf);

    // THEN it is rejected
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/interface eth9 .* doesn't exist/));
  });

  test("fails preempt_delay on an instance that starts as MASTER", () => {
    // GIVEN a generated instance (preempt_delay 10) switched to start as MASTER, where keepalived
    // clears the delay with a warning: the reason every VipPair node starts as BACKUP
    const node = defaultNode();
    const generated = fileOf(node, KEEPALIVED_CONF);
    expect(generated).toContain("preempt_delay 10\n");
    const conf = generated.replace("state BACKUP", "state MASTER");
    expect(conf).toContain("state MASTER");

    // WHEN keepalived checks it
    const verdict = check(node, conf);

    // THEN the warning fails the check
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toEqual([
      expect.stringMatching(/Warning - preempt delay will not work with initial state MASTER/),
    ]);
  });

  test("fails an out-of-range virtual_router_id", () => {
    // GIVEN a config with VRID 300 (VRRP allows 1-255)
    const node = defaultNode();
    const conf = fileOf(node, KEEPALIVED_CONF).replace(/virtual_router_id \d+/, "virtual_router_id 300");

    // WHEN keepalived checks it
    const verdict = check(node, conf);

    // THEN it is rejected
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/outside range \[1, 255\]/));
  });

  test("fails on output although keepalived exits 0: a config file that does not exist", () => {
    // GIVEN a path with no file behind it
    const node = defaultNode();
    const missing = `${scratch.dir}/does-not-exist.conf`;

    // WHEN keepalived checks it
    const verdict = withNamespace({ address: `${node.address}/${node.prefixLength}` }, (ns) =>
      checkKeepalived(ns, missing),
    );

    // THEN keepalived exits 0, so only the output shows the problem, and the verdict fails on it
    expect(verdict.status).toBe(0);
    expect(verdict.findings).toEqual([expect.stringMatching(/Config files missing/)]);
    expect(accepted(verdict)).toBe(false);
  });

  test("throws when a namespace address lies outside 198.18.0.0/15", () => {
    // GIVEN an address from another range
    const address = "192.168.10.2/24";

    // WHEN a namespace is requested with it
    const create = () => withNamespace({ address }, () => undefined);

    // THEN no namespace is made
    expect(create).toThrow(/outside 198\.18\.0\.0\/15/);
    expect(ownTestNamespaces()).toEqual([]);
  });
});
