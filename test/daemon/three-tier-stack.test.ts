/**
 * Tier 2, daemon checks: every daemon configuration of a synthesized three-tier stack (the
 * example on drill addresses), as the containers get it, passes its daemon's own checker:
 * `bird -p` for the routers' and L4 nodes' bird.conf, `keepalived --config-test` for the routers'
 * VRRP gateway and the L4 nodes' IPVS services (in a namespace with the host's eth0 address),
 * `haproxy -c` for the L7 nodes, shellcheck for every script.
 */
import { type TerraformStack, Testing } from "cdktf";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { threeTierDocker } from "../../examples/three-tier-docker";
import { terraformString } from "../../lib/drill/core/terraform-json";
import { resourcesOfType, synthJson } from "../../lib/testing";
import { cleanupNamespaces, ownTestNamespaces, withNamespace } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import {
  checkBird,
  checkHaproxy,
  checkKeepalived,
  checkShellcheck,
  clean,
  Scratch,
  shebang,
} from "./checkers";

const available = tierAvailable(
  "daemon checks: three tiers",
  ["bird", "keepalived", "haproxy", "shellcheck", "ip"],
  true,
);

type Container = {
  hostname: string;
  networks_advanced: { ipv4_address: string }[];
  upload: { file: string; content: string; executable?: boolean }[];
};

function synthesized(): Container[] {
  const stack = threeTierDocker(Testing.app(), "three-tier-check", {
    subnet: "198.18.3.0/24",
    serviceAddress: "198.18.200.10",
  }) as TerraformStack;
  return Object.values(resourcesOfType(synthJson(stack), "docker_container")) as Container[];
}

describe.runIf(available)("the three tiers' synthesized configurations pass their daemons' checkers", () => {
  let scratch: Scratch;
  let hosts: Container[];
  beforeAll(() => {
    scratch = new Scratch();
    hosts = synthesized().filter((c) => !c.hostname.startsWith("web-"));
  });
  afterEach(() => {
    cleanupNamespaces();
  });
  afterAll(() => {
    scratch?.remove();
    expect(ownTestNamespaces()).toEqual([]);
  });

  test("the stack has routers, L4 nodes and L7 nodes", () => {
    expect(hosts.map((h) => h.hostname).sort()).toEqual([
      "edge-l4-0",
      "edge-l4-1",
      "edge-l7-0",
      "edge-l7-1",
      "edge-router-0",
      "edge-router-1",
    ]);
  });

  test("bird -p accepts every bird.conf", () => {
    const confs = hosts.flatMap((h) => h.upload.filter((u) => u.file === "/etc/bird/bird.conf"));
    expect(confs).toHaveLength(4);
    for (const u of confs) {
      const verdict = checkBird(scratch.write("bird.conf", u.content));
      expect(verdict).toEqual(clean(verdict));
    }
  });

  test("keepalived accepts the routers' gateway and the L4 nodes' IPVS configs, in a namespace with eth0", () => {
    const withConf = hosts.filter((h) => h.upload.some((u) => u.file === "/etc/keepalived/keepalived.conf"));
    expect(withConf.map((h) => h.hostname).sort()).toEqual([
      "edge-l4-0",
      "edge-l4-1",
      "edge-router-0",
      "edge-router-1",
    ]);
    for (const h of withConf) {
      // The scripts a config names must exist where it names them: stage every upload under the scratch dir.
      const staged = new Map(
        h.upload.map((u) => [u.file, scratch.write(u.file, u.content, u.executable ? 0o755 : 0o644)]),
      );
      let conf = h.upload.find((u) => u.file === "/etc/keepalived/keepalived.conf")?.content ?? "";
      for (const [file, path] of staged) conf = conf.split(file).join(path);
      const path = scratch.write(`${h.hostname}.keepalived.conf`, conf);
      const address = `${h.networks_advanced[0]?.ipv4_address}/24`;
      const verdict = withNamespace({ address }, (ns) => checkKeepalived(ns, path));
      expect(verdict, h.hostname).toEqual(clean(verdict));
    }
  });

  test("haproxy -c accepts every L7 node's haproxy.cfg", () => {
    const l7 = hosts.filter((h) => h.hostname.startsWith("edge-l7-"));
    for (const h of l7) {
      const cfg = h.upload.find((u) => u.file === "/etc/haproxy/haproxy.cfg")?.content ?? "";
      expect(cfg).toContain("bind 198.18.200.10:80");
      const path = scratch.write(`${h.hostname}.haproxy.cfg`, cfg);
      const verdict = withNamespace({}, (ns) => checkHaproxy(ns, path));
      expect(verdict, h.hostname).toEqual(clean(verdict));
    }
  });

  test("shellcheck finds nothing in any script", () => {
    const scripts = hosts.flatMap((h) => h.upload.filter((u) => u.executable && shebang(u.content)));
    expect(scripts.length).toBeGreaterThanOrEqual(8);
    for (const u of scripts) {
      // The file as Terraform writes it: `$${` in the JSON is a literal `${`.
      const verdict = checkShellcheck(scratch.write(u.file, terraformString(u.content, u.file), 0o755));
      expect(verdict, u.file).toEqual(clean(verdict));
    }
  });
});
