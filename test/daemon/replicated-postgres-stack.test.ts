/**
 * Tier 2, daemon checks: the synthesized replicated PostgreSQL stack's files, as the containers
 * get them, pass their checkers without running the cluster: `haproxy -c` for the routers,
 * `keepalived --config-test` for their VRRP address (in a namespace with the router's eth0
 * address), shellcheck for every script. `patroni --validate-config`, which needs etcd up and
 * binds the node's addresses, runs on each node's file inside the running cluster in
 * `test/drill/replicated-postgres/lab.serial.ts`.
 */
import { Testing } from "cdktf";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { replicatedPostgresDocker } from "../../examples/replicated-postgres-docker";
import { resourcesOfType, synthJson } from "../../lib/testing";
import { cleanupNamespaces, ownTestNamespaces, withNamespace } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { checkHaproxy, checkKeepalived, checkShellcheck, clean, Scratch, shebang } from "./checkers";

const available = tierAvailable(
  "daemon checks: replicated PostgreSQL stack",
  ["keepalived", "haproxy", "shellcheck", "ip"],
  true,
);

/** An upload whose mode lets its owner run it (a mode has precedence over `executable`). */
function runnable(permissions: string | undefined): boolean {
  return permissions !== undefined && (Number.parseInt(permissions, 8) & 0o100) !== 0;
}

type Container = {
  hostname: string;
  networks_advanced: { ipv4_address: string }[];
  upload: { file: string; content: string; executable?: boolean; permissions?: string }[];
};

describe.runIf(available)("the replicated PostgreSQL stack's files pass their daemons' checkers", () => {
  let scratch: Scratch;
  let hosts: Container[];
  beforeAll(() => {
    scratch = new Scratch();
    const stack = replicatedPostgresDocker(Testing.app(), "replicated-postgres-check", {
      subnet: "198.18.4.0/24",
    });
    hosts = Object.values(resourcesOfType(synthJson(stack), "docker_container")) as Container[];
  });
  afterEach(() => {
    cleanupNamespaces();
  });
  afterAll(() => {
    scratch?.remove();
    expect(ownTestNamespaces()).toEqual([]);
  });

  test("haproxy -c and keepalived --config-test accept each router's files", () => {
    const routers = hosts.filter((h) => h.hostname.includes("-router-"));
    expect(routers).toHaveLength(2);
    for (const h of routers) {
      const staged = new Map(
        h.upload.map((u) => [
          u.file,
          scratch.write(`${h.hostname}${u.file}`, u.content, u.executable ? 0o755 : 0o644),
        ]),
      );
      const cfg = staged.get("/etc/haproxy/haproxy.cfg") as string;
      const proxy = withNamespace({}, (ns) => checkHaproxy(ns, cfg));
      expect(proxy, h.hostname).toEqual(clean(proxy));
      let conf = h.upload.find((u) => u.file === "/etc/keepalived/keepalived.conf")?.content ?? "";
      for (const [file, path] of staged) conf = conf.split(file).join(path);
      const path = scratch.write(`${h.hostname}.keepalived.conf`, conf);
      const address = `${h.networks_advanced[0]?.ipv4_address}/24`;
      const vrrp = withNamespace({ address }, (ns) => checkKeepalived(ns, path));
      expect(vrrp, h.hostname).toEqual(clean(vrrp));
    }
  });

  test("shellcheck finds nothing in any script of the nodes and routers", () => {
    const scripts = hosts.flatMap((h) =>
      h.upload
        .filter((u) => (u.executable || runnable(u.permissions)) && shebang(u.content))
        .map((u) => ({ host: h.hostname, ...u })),
    );
    const files = new Set(scripts.map((u) => u.file));
    for (const f of [
      "/usr/local/sbin/ha-patroni-start",
      "/usr/local/sbin/ha-postgres-post-init",
      "/usr/local/sbin/ha-postgres-health",
    ]) {
      expect(files).toContain(f);
    }
    for (const u of scripts) {
      const verdict = checkShellcheck(scratch.write(`${u.host}${u.file}`, u.content, 0o755));
      expect(verdict, `${u.host}:${u.file}`).toEqual(clean(verdict));
    }
  });
});
