/**
 * Tier 2, daemon checks for the VIP pair on AWS: keepalived's own checker accepts the
 * keepalived.conf every load balancer gets from its cloud-init user_data, in every floating
 * address mode, and HAProxy's accepts the haproxy.cfg. Each keepalived.conf is checked inside a
 * namespace whose interface is named `ens5` (the AWS platform's interface) and carries the node's
 * address with its subnet's prefix, all from 198.18.0.0/15.
 */
import ipaddr from "ipaddr.js";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { FloatingAddressMode } from "../../lib";
import {
  cleanupNamespaces,
  NetworkNamespace,
  ownTestNamespaces,
  TEST_RANGE,
  withNamespace,
} from "../support/netns";
import { tierAvailable } from "../support/tiers";
import {
  AWS_VARIANTS,
  type AwsDeployedHost,
  deployAwsVariant,
  ELASTIC_IP,
  HAPROXY_CFG,
  KEEPALIVED_CONF,
  ROUTE_TABLE,
  ROUTED_VIP,
  renderTerraformTemplate,
  SECONDARY_FIXED,
  SECONDARY_VIP,
  StandIns,
} from "./aws-variants";
import { accepted, checkHaproxy, checkKeepalived, clean, Scratch, type Verdict } from "./checkers";
import { fileOf, loadBalancers } from "./vip-pair-variants";

// curl: keepalived checks that the track script's program exists and refuses it otherwise.
const keepalivedAvailable = tierAvailable(
  "daemon checks: keepalived (AWS)",
  ["keepalived", "ip", "curl"],
  true,
);
const haproxyAvailable = tierAvailable("daemon checks: haproxy (AWS)", ["haproxy", "ip"], true);

const INTERFACE = "ens5";
const testRange = ipaddr.parseCIDR(TEST_RANGE);

/** Every IPv4 address a config mentions, loopback aside. */
function addressesIn(text: string): string[] {
  return [...new Set(text.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g) ?? [])].filter((a) => !a.startsWith("127."));
}

describe("Terraform rendering emulation", () => {
  test("renders references to stand-ins and unescapes $${ and %%{", () => {
    // GIVEN a user_data fragment as cdktf synthesizes it
    const text =
      'a="${aws_eip.x_Vip_ElasticIp_1.public_ip}" b="$${b}" c="%%{c}" d=$$ e="${aws_eip.x_Vip_ElasticIp_1.public_ip}"';

    // WHEN Terraform's rendering is emulated
    const standIns = new StandIns();
    const rendered = renderTerraformTemplate(text, standIns);

    // THEN the reference has one stand-in from 198.18.0.0/15, and the escapes are literal again
    expect(rendered).toBe('a="198.19.255.10" b="${b}" c="%{c}" d=$$ e="198.19.255.10"');
    expect(standIns.only(/public_ip$/)).toBe("198.19.255.10");
  });

  test("throws on a reference without a stand-in and on a template directive", () => {
    // GIVEN text Terraform would interpret in ways the tests do not model
    const standIns = new StandIns();

    // WHEN it is rendered
    const reference = () => renderTerraformTemplate("id=${aws_instance.x.id}", standIns);
    const directive = () => renderTerraformTemplate("%{ if true }x%{ endif }", standIns);

    // THEN both throw rather than pass unrendered text on to the checkers
    expect(reference).toThrow(/no stand-in for the Terraform reference \$\{aws_instance\.x\.id\}/);
    expect(directive).toThrow(/template directive/);
  });
});

describe.runIf(keepalivedAvailable)("keepalived --config-test on the AWS variant", () => {
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

  /** Checks `conf` inside a namespace whose `interfaceName` has the host's address and prefix. */
  function check(host: AwsDeployedHost, conf: string, interfaceName = INTERFACE): Verdict {
    const path = scratch.write(`${host.hostname}.keepalived.conf`, conf);
    return withNamespace({ address: `${host.address}/${host.prefixLength}`, interfaceName }, (ns) =>
      checkKeepalived(ns, path),
    );
  }

  test.each(AWS_VARIANTS)("accepts the keepalived.conf of every node: $name", (variant) => {
    // GIVEN the variant, synthesized, and the keepalived.conf cloud-init writes on each load balancer
    const nodes = loadBalancers(deployAwsVariant(variant).hosts) as AwsDeployedHost[];
    const confs = nodes.map((node) => fileOf(node, KEEPALIVED_CONF));
    nodes.forEach((node, i) => {
      const conf = confs[i] as string;
      expect(conf).toContain(`interface ${INTERFACE}\n`);
      expect(conf).toContain(`unicast_src_ip ${node.address}\n`);
      expect(conf).not.toMatch(/[$%]\{/);
      // every address, the VIPs included, may live in a test namespace
      const outside = addressesIn(conf).filter((a) => !ipaddr.parse(a).match(testRange));
      expect(outside).toEqual([]);
    });

    // WHEN keepalived checks each file in a namespace where ens5 has that node's address
    const verdicts = nodes.map((node, i) => check(node, confs[i] as string));

    // THEN every file passes: exit status 0 and not one line of output
    expect(verdicts).toEqual(verdicts.map(clean));
    expect(verdicts).toHaveLength(variant.pair?.nodeCount ?? 2);
  });

  test.each([
    { variant: ROUTE_TABLE, line: () => `${ROUTED_VIP}/32 dev ${INTERFACE}` },
    { variant: SECONDARY_FIXED, line: () => `${SECONDARY_VIP}/20 dev ${INTERFACE}` },
    { variant: ELASTIC_IP, line: (s: StandIns) => `${s.only(/^aws_eip\..*\.public_ip$/)}/32 dev lo` },
  ])("puts the VIP where $variant.mode needs it and keepalived accepts it there", ({ variant, line }) => {
    // GIVEN the first load balancer of the variant
    const { hosts, standIns } = deployAwsVariant(variant);
    const node = loadBalancers(hosts)[0] as AwsDeployedHost;
    const conf = fileOf(node, KEEPALIVED_CONF);

    // WHEN keepalived checks its file
    const verdict = check(node, conf);

    // THEN the VIP line is the mode's, and the file passes
    expect(conf).toContain(`virtual_ipaddress {\n        ${line(standIns)}\n    }`);
    expect(conf).toContain('notify_master_rx_lower_pri "/usr/local/sbin/ha-move-VI_51 rx-lower-priority"');
    expect(verdict).toEqual(clean(verdict));
    if (variant.mode === FloatingAddressMode.ELASTIC_IP) {
      expect(node.userData).toMatch(/\$\{aws_eip\.[A-Za-z0-9_]+\.public_ip\}\/32 dev lo/);
    }
  });

  test("fails the Elastic-IP config with the Terraform reference left unrendered", () => {
    // GIVEN the keepalived.conf as it stands in the synthesized user_data, before Terraform
    const { hosts } = deployAwsVariant(ELASTIC_IP);
    const node = loadBalancers(hosts)[0] as AwsDeployedHost;
    const raw = /keepalived\.conf"\n {4}content: \|2\n([\s\S]*?)\n {4}permissions/.exec(node.userData)?.[1];
    expect(raw).toBeDefined();
    const conf = `${(raw as string).replace(/^ {6}/gm, "")}\n`;
    expect(conf).toMatch(/\$\{aws_eip\.[A-Za-z0-9_]+\.public_ip\}\/32 dev lo/);

    // WHEN keepalived checks it
    const verdict = check(node, conf);

    // THEN it is rejected: the check needs the emulated rendering, and would catch a file that
    // reached a host unrendered
    expect(accepted(verdict)).toBe(false);
    // (status 2 since the track_file block: the broken line derails the parse into it; 5 before)
    expect(verdict.status, JSON.stringify(verdict)).toBe(2);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/VRRP parsed invalid IP aws_eip\./));
  });

  test("fails an AWS config in a namespace whose interface is eth0, not ens5", () => {
    // GIVEN a generated config (interface ens5)
    const node = loadBalancers(deployAwsVariant(ROUTE_TABLE).hosts)[0] as AwsDeployedHost;

    // WHEN keepalived checks it where the node's address sits on eth0
    const verdict = check(node, fileOf(node, KEEPALIVED_CONF), "eth0");

    // THEN the missing ens5 is reported: the check really looks the interface up
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/interface ens5 .* doesn't exist/));
  });
});

describe.runIf(haproxyAvailable)("haproxy -c -dW on the AWS variant", () => {
  let scratch: Scratch;
  let isolated: NetworkNamespace;
  beforeAll(() => {
    scratch = new Scratch();
    // loopback only: nothing the checker might resolve or reach leaves the machine
    isolated = NetworkNamespace.create();
  });
  afterAll(() => {
    scratch?.remove();
    isolated?.delete();
    cleanupNamespaces();
    expect(ownTestNamespaces()).toEqual([]);
  });

  test.each(AWS_VARIANTS)("accepts the haproxy.cfg of every node: $name", (variant) => {
    // GIVEN the variant, synthesized, and the haproxy.cfg cloud-init writes on each load balancer
    const nodes = loadBalancers(deployAwsVariant(variant).hosts);
    const cfgs = nodes.map((node) => fileOf(node, HAPROXY_CFG));
    nodes.forEach((node, i) => {
      // the Elastic-IP mode binds each node's own address, the others the VIPs
      const bind = variant.mode === FloatingAddressMode.ELASTIC_IP ? node.address : variant.virtualIp;
      if (bind !== undefined) expect(cfgs[i]).toContain(`bind ${bind}:80`);
    });

    // WHEN HAProxy checks each file, warnings made fatal
    const verdicts = nodes.map((node, i) =>
      checkHaproxy(isolated, scratch.write(`${node.hostname}.haproxy.cfg`, cfgs[i] as string)),
    );

    // THEN every file is valid, without errors or warnings
    expect(verdicts).toEqual(verdicts.map(clean));
    expect(verdicts).toHaveLength(variant.pair?.nodeCount ?? 2);
  });
});
