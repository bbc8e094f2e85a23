/**
 * Tier 2, daemon checks for the replicated PostgreSQL renderers: three etcd members from the
 * rendered configs form a healthy cluster in three namespaces joined by a bridge;
 * `patroni --validate-config` accepts every rendered patroni.yml (inside the node's namespace,
 * with etcd up: the validator connects to every etcd host and binds the REST API's address),
 * also as the runtime directory the start script writes; and three Patroni nodes started by
 * that script elect one leader whose two replicas stream from it.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ReplicationMode } from "../../lib/model/replication-mode";
import { renderPostgresHaproxyCfg } from "../../lib/render/haproxy-postgres";
import { cleanupNamespaces, type NetworkNamespace, runCommand, waitUntil } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { BridgedNamespaces } from "./bridged-namespaces";
import { accepted, checkHaproxy, checkShellcheck, clean, Scratch } from "./checkers";
import { type LabCluster, ROUTER_ADDRESS, renderLabCluster } from "./patroni-lab";
import { LabProcess } from "./powerdns-lab";

const available = tierAvailable(
  "daemon checks: patroni and etcd",
  ["patroni", "etcd", "etcdctl", "haproxy", "curl", "setpriv", "shellcheck", "ip"],
  true,
);

const ADDRESSES = ["198.18.0.11", "198.18.0.12", "198.18.0.13"];
const PSQL = "/usr/lib/postgresql/15/bin/psql";

/** What GET `path` on a node's REST API answers, from inside `from`; undefined when nothing. */
function restApi(
  from: NetworkNamespace,
  address: string,
  path: string,
): { status: number; body: unknown } | undefined {
  const r = from.exec("curl", [
    "-s",
    "--max-time",
    "1",
    "-w",
    "\\n%{http_code}",
    `http://${address}:8008${path}`,
  ]);
  const cut = r.stdout.lastIndexOf("\n");
  const status = Number(r.stdout.slice(cut + 1));
  if (r.status !== 0 && status === 0) return undefined;
  try {
    return { status, body: JSON.parse(r.stdout.slice(0, cut)) };
  } catch {
    return { status, body: undefined };
  }
}

interface Replication {
  readonly application_name: string;
  readonly state: string;
  readonly sync_state: string;
}

describe.runIf(available)("etcd and Patroni from the rendered configs", () => {
  let scratch: Scratch;
  let lab: BridgedNamespaces;
  let cluster: LabCluster;
  const processes: LabProcess[] = [];
  let etcdFormedMs = 0;
  /** Index of the node the failover test killed. */
  let formerPrimary = -1;

  const ns = (i: number) => lab.members[i] as NetworkNamespace;
  /** Asks the router's `port` which server answers and whether it is in recovery (a replica). */
  const ask = (port: number) =>
    ns(3).exec("env", [
      `PGPASSFILE=${scratch.write("pgpass", `*:*:*:postgres:${cluster.superuserPassword}\n`, 0o600)}`,
      PSQL,
      `postgresql://postgres@${ROUTER_ADDRESS}:${port}/postgres?connect_timeout=1`,
      "-XAtc",
      "select host(inet_server_addr()) || ' ' || pg_is_in_recovery()",
    ]);
  const logs = () => processes.map((p) => `--- ${p.what}\n${p.log().slice(-3000)}`).join("\n");
  /** `waitUntil`, with the daemons' logs in the error. */
  const waitFor = (what: string, ready: () => boolean, timeoutMs: number) => {
    try {
      waitUntil(what, ready, timeoutMs, 200);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${logs()}`);
    }
  };

  beforeAll(() => {
    scratch = new Scratch();
    lab = BridgedNamespaces.create([...ADDRESSES, ROUTER_ADDRESS].map((a) => `${a}/24`));
    cluster = renderLabCluster(scratch.dir, ADDRESSES, ReplicationMode.synchronous());
    const started = Date.now();
    cluster.nodes.forEach((node, i) => {
      processes.push(
        new LabProcess(
          ns(i),
          `etcd ${node.name}`,
          ["etcd", "--config-file", node.etcdConfigPath],
          `${node.etcdConfigPath}.log`,
        ),
      );
    });
    const endpoints = cluster.nodes.map((n) => `${n.address}:2379`).join(",");
    waitUntil(
      "three healthy etcd members",
      () =>
        ns(0).exec("etcdctl", ["--endpoints", endpoints, "--dial-timeout=1s", "endpoint", "health"])
          .status === 0,
      30_000,
      100,
    );
    etcdFormedMs = Date.now() - started;
    console.log(`etcd: three members healthy ${etcdFormedMs} ms after start`);
  }, 60_000);

  afterAll(() => {
    for (const p of processes) p.kill();
    try {
      lab?.delete();
    } finally {
      cleanupNamespaces();
      scratch?.remove();
    }
  });

  test("three rendered etcd members form one cluster with a leader", () => {
    // GIVEN the three members started from their rendered configs (beforeAll)
    // WHEN the cluster is asked for its members and each member's status
    const endpoints = cluster.nodes.map((n) => `${n.address}:2379`).join(",");
    const members = ns(1).exec("etcdctl", ["--endpoints", endpoints, "member", "list", "-w", "json"]);
    const status = ns(2).exec("etcdctl", ["--endpoints", endpoints, "endpoint", "status", "-w", "json"]);

    // THEN every member is listed with its rendered name and peer URL, and all agree on one leader
    expect(members.status, logs()).toBe(0);
    const listed = (
      JSON.parse(members.stdout) as { members: Array<{ name: string; peerURLs: string[] }> }
    ).members
      .map((m) => `${m.name}=${m.peerURLs.join(",")}`)
      .sort();
    expect(listed).toEqual([
      "etcd1=http://198.18.0.11:2380",
      "etcd2=http://198.18.0.12:2380",
      "etcd3=http://198.18.0.13:2380",
    ]);
    const leaders = (JSON.parse(status.stdout) as Array<{ Status: { leader: string } }>).map(
      (s) => s.Status.leader,
    );
    expect(leaders).toHaveLength(3);
    expect(new Set(leaders).size).toBe(1);
    expect(etcdFormedMs).toBeLessThan(30_000);
  });

  test("patroni --validate-config accepts every rendered patroni.yml in its node's namespace", () => {
    // GIVEN each node's rendered patroni.yml, etcd up
    // WHEN Patroni validates it inside the node's namespace
    const verdicts = cluster.nodes.map((node, i) => {
      const r = ns(i).exec("patroni", ["--validate-config", node.patroniYmlPath]);
      return { node: node.name, status: r.status, output: r.lines };
    });

    // THEN every file is valid and the validator says nothing
    expect(verdicts).toEqual(cluster.nodes.map((n) => ({ node: n.name, status: 0, output: [] })));
  });

  test("fails a patroni.yml whose etcd hosts are unreachable", () => {
    // GIVEN the first node's patroni.yml with its etcd port changed to one nothing listens on
    const text = readFileSync(cluster.nodes[0]?.patroniYmlPath as string, "utf8").replaceAll(
      ":2379",
      ":2399",
    );
    const path = scratch.write("bad-etcd.yml", text);

    // WHEN Patroni validates it
    const r = ns(0).exec("patroni", ["--validate-config", path]);

    // THEN it is rejected, naming the etcd host
    expect(r.status).not.toBe(0);
    expect(r.lines.join("\n")).toMatch(/198\.18\.0\.11:2399 is not reachable/);
  });

  test("shellcheck finds nothing in the rendered start scripts", () => {
    const verdicts = cluster.nodes.map((n) => checkShellcheck(n.startScriptPath));
    expect(verdicts).toEqual(verdicts.map(clean));
  });

  test("the start script's runtime directory validates and holds the passwords only in its 0600 file", () => {
    // GIVEN start scripts rendered with a patroni that only validates its configuration
    const wrapper = scratch.write(
      "patroni-validate",
      '#!/bin/sh\nexec /usr/bin/patroni --validate-config "$@"\n',
      0o755,
    );
    const dir = `${scratch.dir}/validate`;
    mkdirSync(dir);
    const rendered = renderLabCluster(dir, ADDRESSES, ReplicationMode.synchronous(), wrapper);

    // WHEN each node's script runs in the node's namespace
    const results = rendered.nodes.map((node, i) => ns(i).exec("sh", [node.startScriptPath]));

    // THEN Patroni accepts each merged directory, and only the secrets file holds the password
    expect(results.map((r) => [r.status, r.lines])).toEqual(rendered.nodes.map(() => [0, []]));
    const node = rendered.nodes[0] as (typeof rendered.nodes)[0];
    expect(readdirSync(node.runtimeDir).sort()).toEqual(["00-patroni.yml", "50-secrets.yml"]);
    const secrets = `${node.runtimeDir}/50-secrets.yml`;
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(statSync(node.runtimeDir).mode & 0o777).toBe(0o700);
    expect(readFileSync(secrets, "utf8")).toContain(`password: '${rendered.superuserPassword}'`);
    expect(readFileSync(node.patroniYmlPath, "utf8")).not.toContain(rendered.superuserPassword);
  });

  test("three Patroni nodes started by the rendered script elect one leader and two streaming replicas", () => {
    // GIVEN each node's start script (real Patroni), etcd up, no data directory yet
    const started = Date.now();
    cluster.nodes.forEach((node, i) => {
      processes.push(
        new LabProcess(ns(i), `patroni ${node.name}`, ["sh", node.startScriptPath], `${node.runtimeDir}.log`),
      );
    });

    // WHEN the cluster bootstraps
    let leader: string | undefined;
    waitFor(
      "a Patroni leader",
      () => {
        const r = restApi(ns(0), ADDRESSES[0] as string, "/cluster");
        const members =
          (r?.body as { members?: Array<{ name: string; role: string }> } | undefined)?.members ?? [];
        leader = members.find((m) => m.role === "leader")?.name;
        return leader !== undefined;
      },
      60_000,
    );
    const leaderMs = Date.now() - started;
    const leaderAddress = cluster.nodes.find((n) => n.name === leader)?.address as string;
    let replication: Replication[] = [];
    waitFor(
      "two streaming replicas, one synchronous",
      () => {
        const r = restApi(ns(0), leaderAddress, "/patroni");
        // pg_basebackup's WAL streams of replicas still being cloned are left out.
        replication = ((r?.body as { replication?: Replication[] } | undefined)?.replication ?? []).filter(
          (x) => x.application_name !== "pg_basebackup",
        );
        // Patroni names the synchronous standby in the HA loop after the replica streams.
        return (
          replication.filter((x) => x.state === "streaming").length === 2 &&
          replication.some((x) => x.sync_state === "sync")
        );
      },
      60_000,
    );
    console.log(
      `patroni: leader ${leader} after ${leaderMs} ms, two replicas streaming, one synchronous, after ${Date.now() - started} ms`,
    );

    // THEN the other two nodes stream from the leader, one of them synchronously, and the REST
    // API tells the primary from the replicas (what HAProxy checks)
    expect(replication.map((x) => x.application_name).sort()).toEqual(
      cluster.nodes.filter((n) => n.name !== leader).map((n) => n.name),
    );
    expect(replication.map((x) => x.sync_state).sort()).toEqual(["async", "sync"]);
    const roles = cluster.nodes.map((n) => [n.name, restApi(ns(0), n.address, "/primary")?.status]);
    expect(roles).toEqual(cluster.nodes.map((n) => [n.name, n.name === leader ? 200 : 503]));
  }, 150_000);

  test("haproxy -c accepts the router's config, and its ports reach the primary and a replica", () => {
    // GIVEN the router's haproxy.cfg over the three nodes, checked by HAProxy with warnings fatal
    const cfg = renderPostgresHaproxyCfg("lab/router", {
      nodeName: "router1",
      nodes: cluster.nodes.map((n) => ({ name: n.name, address: n.address })),
      bindAddresses: [ROUTER_ADDRESS],
    });
    const path = scratch.write("router.haproxy.cfg", cfg);
    const router = ns(3);
    const verdict = checkHaproxy(router, path);
    expect(verdict).toEqual(clean(verdict));
    expect(accepted(verdict)).toBe(true);

    // WHEN HAProxy runs it in the router's namespace and a client asks each port who answers
    processes.push(
      new LabProcess(router, "haproxy router1", ["haproxy", "-W", "-db", "-f", path], `${path}.log`),
    );
    // HAProxy counts a server up until its first check says otherwise (HAProxy 2.6 has no
    // init-state), so right after the start either port may reach any node for one interval.
    const leader = cluster.nodes.find((n) => restApi(router, n.address, "/primary")?.status === 200);
    const answers: Record<number, string> = {};
    waitFor(
      "the router's ports to reach the primary and a replica",
      () => {
        for (const port of [5000, 5001]) answers[port] = ask(port).stdout.trim();
        return answers[5000] === `${leader?.address} false` && / true$/.test(answers[5001] ?? "");
      },
      20_000,
    );

    // THEN the read-write port reaches the leader and the read-only port a replica
    expect(answers[5000]).toBe(`${leader?.address} false`);
    expect(answers[5001]).toMatch(/^198\.18\.0\.1[123] true$/);
    expect(answers[5001]).not.toContain(leader?.address);
  }, 60_000);

  test("when the primary's Patroni and PostgreSQL die, the read-write port reaches a new primary", () => {
    // GIVEN the running cluster behind the router, and the node the read-write port reaches
    const before = ask(5000).stdout.trim();
    const old = cluster.nodes.findIndex((n) => before === `${n.address} false`);
    expect(old).toBeGreaterThanOrEqual(0);

    // WHEN every process of that node but its etcd member is killed (SIGKILL: no leader key
    // released, so the others wait for the ttl to expire)
    const etcdPid = processes.find((p) => p.what === `etcd ${cluster.nodes[old]?.name}`)?.pid;
    const victims = runCommand("ip", ["netns", "pids", ns(old).name])
      .lines.map(Number)
      .filter((pid) => pid !== etcdPid);
    const killed = Date.now();
    for (const pid of victims) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // a short-lived backend that ended between the listing and the kill
      }
    }

    // THEN within 15 s the read-write port reaches another node, writable
    let after = "";
    waitFor(
      "a new primary behind the read-write port",
      () => {
        after = ask(5000).stdout.trim();
        return after.endsWith(" false") && after !== before;
      },
      30_000,
    );
    const seconds = (Date.now() - killed) / 1000;
    console.log(
      `failover: ${before} -> ${after}: read-write port writable again ${seconds.toFixed(1)} s after the kill`,
    );
    expect(victims.length).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(15);
    formerPrimary = old;
  }, 60_000);

  test("the former primary, started again, rejoins as a streaming replica of the new one", () => {
    // GIVEN the node killed above, its data directory left as the crash left it
    expect(formerPrimary).toBeGreaterThanOrEqual(0);
    const node = cluster.nodes[formerPrimary] as (typeof cluster.nodes)[0];
    const leaderAddress = cluster.nodes.find(
      (n) => restApi(ns(3), n.address, "/primary")?.status === 200,
    )?.address;
    expect(leaderAddress).toBeDefined();

    // WHEN its start script runs again
    const started = Date.now();
    const again = new LabProcess(
      ns(formerPrimary),
      `patroni ${node.name} again`,
      ["sh", node.startScriptPath],
      `${node.runtimeDir}.again.log`,
    );
    processes.push(again);

    // THEN it streams from the new primary and answers as a replica
    waitFor(
      `${node.name} streaming from the new primary`,
      () => {
        const r = restApi(ns(3), leaderAddress as string, "/patroni");
        const replication = (r?.body as { replication?: Replication[] } | undefined)?.replication ?? [];
        // Patroni answers 200 on /replica once its own loop has seen PostgreSQL running.
        return (
          replication.some((x) => x.application_name === node.name && x.state === "streaming") &&
          restApi(ns(3), node.address, "/replica")?.status === 200
        );
      },
      45_000,
    );
    const rewind = again
      .log()
      .split("\n")
      .filter((l) => /pg_rewind/.test(l));
    const rewound = rewind.some((l) => /running pg_rewind/.test(l));
    console.log(
      `rejoin: ${node.name} streaming again ${Date.now() - started} ms after its restart (pg_rewind ran: ${rewound})`,
    );
    expect(restApi(ns(3), node.address, "/replica")?.status).toBe(200);
    // pg_rewind, when the timelines diverged, ran as the rewind user and succeeded.
    if (rewound) expect(rewind).toContainEqual(expect.stringMatching(/pg_rewind exit code=0$/));
  }, 60_000);
});
