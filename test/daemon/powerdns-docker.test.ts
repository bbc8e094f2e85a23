/**
 * Tier 2, daemon checks: the PowerDNS servers a DockerPlatform synthesizes for health-checked
 * names, run as synthesized. Each server's pdns.conf, named.conf and zone file are taken from the
 * `upload` entries of its `docker_container` and put where the container has them (a bind mount
 * over /etc/powerdns, private to the server's process), and pdns_server starts with the command
 * line the container's supervisor runs, as root, dropping to the pdns account as in the
 * container. Each server has a namespace of its own (its own loopback, as a container has), with
 * the members answering HTTP in it on 198.18.0.0/24.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { TerraformStack, Testing } from "cdktf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AllUnhealthy, DnsAnswerSelection, HealthCheck } from "../../lib";
import { DnsZone } from "../../lib/model/dns-zone";
import type { HealthCheckedNameBinding } from "../../lib/platforms/health-checked-name";
import { SUPERVISOR_PATH } from "../../lib/render/supervisor";
import {
  dnsContainers,
  fileOf,
  fixedMembers,
  type SynthesizedContainer,
} from "../platforms/docker/powerdns-fixture";
import { RecordingDockerPlatform } from "../support/docker-stack";
import { cleanupNamespaces, NetworkNamespace, waitUntil } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { accepted, checkShellcheck, checkShellSyntax, clean, Scratch } from "./checkers";
import { LabProcess, listening, measureUntil, query, startMember } from "./powerdns-lab";

const available = tierAvailable(
  "daemon checks: powerdns on docker",
  ["pdns_server", "dig", "ip", "ss", "mount", "sh", "shellcheck"],
  true,
);

const ZONE = "pool.example.test";
const MEMBERS = ["198.18.0.11", "198.18.0.12", "198.18.0.13"];
const WEB = `web.${ZONE}`;
const API = `api.${ZONE}`;
const WARMUP = "/usr/local/sbin/ha-dns-warmup";
/** Files of a server under /etc/powerdns, as the container has them. */
const CONFIG_FILES = ["pdns.conf", "named.conf", `${ZONE}.zone`];
/** What polling adds to a measurement: a few `dig` runs. */
const POLL_SLACK_MS = 300;

/** Two names in one zone on two servers: web (HTTP, fail closed) and api (TCP, fail open). */
function synthesize(): { servers: SynthesizedContainer[]; web: HealthCheckedNameBinding } {
  const stack = new TerraformStack(Testing.app(), "daemon-check");
  const platform = new RecordingDockerPlatform(stack, "local", { subnet: "198.18.0.0/24" });
  const common = {
    zone: DnsZone.create(ZONE),
    ttlSeconds: 1,
    servicePort: 8080,
    selection: DnsAnswerSelection.all(),
    serverCount: 2,
    segment: platform.defaultSegment,
    topology: "daemon-check/local",
  };
  const web = platform.addHealthCheckedName(platform, "Web", {
    ...common,
    recordName: "web",
    memberCount: 3,
    members: fixedMembers(...MEMBERS),
    healthCheck: HealthCheck.http({ path: "/healthz" }),
    allUnhealthy: AllUnhealthy.answerNone(),
  });
  platform.addHealthCheckedName(platform, "Api", {
    ...common,
    recordName: "api",
    memberCount: 2,
    members: fixedMembers(...MEMBERS.slice(0, 2)),
    healthCheck: HealthCheck.tcp(),
    allUnhealthy: AllUnhealthy.answerAll(),
  });
  return { servers: dnsContainers(stack), web };
}

/** The command line the supervisor runs for process `name`, from the synthesized supervisor. */
function supervisedCommand(server: SynthesizedContainer, name: string): string {
  const line = new RegExp(`^supervise ${name} (.+) &$`, "m").exec(fileOf(server, SUPERVISOR_PATH));
  if (!line) throw new Error(`${server.hostname}: the supervisor runs no ${name}`);
  return line[1] as string;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe.runIf(available)("pdns_server runs the PowerDNS servers a DockerPlatform synthesizes", () => {
  let scratch: Scratch;
  let servers: SynthesizedContainer[];
  let web: HealthCheckedNameBinding;
  const namespaces: NetworkNamespace[] = [];
  const processes: LabProcess[] = [];
  const pdns = new Map<string, LabProcess>();
  const members = new Map<string, LabProcess>();
  let warmup: LabProcess;

  const nsOf = (i: number) => namespaces[i] as NetworkNamespace;
  const serverOf = (i: number) => servers[i] as SynthesizedContainer;
  const dirOf = (s: SynthesizedContainer) => `${scratch.dir}/${s.hostname}`;

  /** Starts server `i`'s pdns_server as its container would, and waits until it answers. */
  function startServer(i: number): LabProcess {
    const server = serverOf(i);
    const command = supervisedCommand(server, "pdns");
    const script = `mount --bind ${dirOf(server)}/etc-powerdns /etc/powerdns && mount -t tmpfs tmpfs /run && mkdir -p /run/ha && exec ${command}`;
    const p = new LabProcess(
      nsOf(i),
      `pdns ${server.hostname}`,
      ["sh", "-c", script],
      `${dirOf(server)}/pdns.log`,
    );
    processes.push(p);
    pdns.set(server.hostname, p);
    try {
      waitUntil(
        `${server.hostname} to answer`,
        () => query(nsOf(i), server.address, ZONE, "A").status === "NOERROR",
        10_000,
        100,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; its log:\n${p.log()}`);
    }
    return p;
  }

  /** Runs the synthesized warm-up script of server `i` with `args` in its namespace. */
  const runWarmup = (i: number, args: string[] = []) =>
    nsOf(i).exec("sh", [`${dirOf(serverOf(i))}/ha-dns-warmup`, ...args]);

  beforeAll(() => {
    scratch = new Scratch();
    ({ servers, web } = synthesize());
    chmodSync(scratch.dir, 0o755);
    for (const server of servers) {
      // The files as the container has them: Docker uploads with mode 0644 (0744 executable).
      mkdirSync(`${dirOf(server)}/etc-powerdns`, { recursive: true, mode: 0o755 });
      for (const name of CONFIG_FILES) {
        writeFileSync(`${dirOf(server)}/etc-powerdns/${name}`, fileOf(server, `/etc/powerdns/${name}`), {
          mode: 0o644,
        });
      }
      writeFileSync(`${dirOf(server)}/ha-dns-warmup`, fileOf(server, WARMUP), { mode: 0o744 });
      const ns = NetworkNamespace.create({ address: `${server.address}/24` });
      namespaces.push(ns);
      for (const address of MEMBERS) {
        const r = ns.exec("ip", ["addr", "add", `${address}/24`, "dev", "eth0"]);
        if (r.status !== 0) throw new Error(`${r.command}: ${r.lines.join(" | ")}`);
        const member = startMember(ns, address, [8080]);
        processes.push(member);
        members.set(`${ns.name} ${address}`, member);
      }
    }
  });

  afterAll(() => {
    for (const p of processes) p.kill();
    cleanupNamespaces();
    scratch?.remove();
  });

  test("the warm-up script and the supervisor pass sh -n, bash -n and shellcheck", () => {
    for (const server of servers) {
      const warm = scratch.write(`${server.hostname}-warmup`, fileOf(server, WARMUP), 0o755);
      const supervisor = scratch.write(
        `${server.hostname}-supervise`,
        fileOf(server, SUPERVISOR_PATH),
        0o755,
      );
      const verdicts = [
        checkShellSyntax("sh", warm),
        checkShellcheck(warm),
        checkShellSyntax("bash", supervisor),
      ];
      expect(verdicts).toEqual(verdicts.map(clean));
    }
    // AND a broken copy is caught, so the check can fail
    const broken = scratch.write("broken-warmup", fileOf(serverOf(0), WARMUP).replace("done\n", ""), 0o755);
    expect(accepted(checkShellSyntax("sh", broken))).toBe(false);
  });

  test("the health command fails before the server runs", () => {
    const r = runWarmup(0, ["check"]);
    expect(r.status).toBe(1);
  });

  test("loads the synthesized files, runs as pdns, and answers the zone's SOA and NS on both servers", () => {
    // GIVEN both servers started as their containers start them
    for (const i of servers.keys()) startServer(i);
    for (const [i, server] of servers.entries()) {
      // THEN each answers for the zone on its address and on 127.0.0.1, and runs as pdns
      const p = pdns.get(server.hostname) as LabProcess;
      expect(
        nsOf(i)
          .exec("ps", ["-o", "user=", "-p", String(p.pid)])
          .stdout.trim(),
      ).toBe("pdns");
      const ns = nsOf(i).exec("dig", ["+short", "+norecurse", `@${server.address}`, ZONE, "NS"]);
      expect(ns.stdout.trim().split("\n").sort()).toEqual([`ns1.${ZONE}.`, `ns2.${ZONE}.`]);
      expect(query(nsOf(i), "127.0.0.1", `ns${i + 1}.${ZONE}`).addresses).toEqual([server.address]);
      // AND the health command passes
      expect(runWarmup(i, ["check"]).status).toBe(0);
    }
  });

  test("the warm-up makes the first client query answer with the healthy members", () => {
    // GIVEN the warm-up running on the first server only, as its supervisor runs it
    warmup = new LabProcess(
      nsOf(0),
      "warm-up",
      ["sh", `${dirOf(serverOf(0))}/ha-dns-warmup`],
      `${dirOf(serverOf(0))}/warmup.log`,
    );
    processes.push(warmup);
    waitUntil("the warm-up to query the names", () => /queried 2 pool names/.test(warmup.log()), 10_000, 100);
    // WHEN a client asks each server for the first time, one check round later
    sleepMs(web.silentRemoval.ms);
    const warmed = query(nsOf(0), serverOf(0).address, WEB);
    const cold = query(nsOf(1), serverOf(1).address, WEB);
    // THEN the warmed server answers every member; the other gives the fail-closed answer
    expect(warmed).toEqual({ status: "NOERROR", addresses: MEMBERS, authority: 0 });
    expect(cold).toEqual({ status: "NOERROR", addresses: [], authority: 1 });
  });

  test("answers every name with its healthy members on both servers", () => {
    measureUntil(
      "both servers to answer every member",
      () => servers.every((s, i) => query(nsOf(i), s.address, WEB).addresses.length === MEMBERS.length),
      5_000,
    );
    for (const [i, server] of servers.entries()) {
      expect(query(nsOf(i), server.address, WEB).addresses).toEqual(MEMBERS);
      expect(query(nsOf(i), server.address, API).addresses).toEqual(MEMBERS.slice(0, 2));
    }
  });

  test("drops a dead member within the binding's refusedRemoval", () => {
    // GIVEN every member answered WHEN the first member dies on the first server's network
    const dead = MEMBERS[0] as string;
    (members.get(`${nsOf(0).name} ${dead}`) as LabProcess).kill();
    waitUntil("the member to stop listening", () => !listening(nsOf(0), dead, 8080), 5_000);
    const ms = measureUntil(
      `${dead} to leave the answers`,
      () => !query(nsOf(0), serverOf(0).address, WEB).addresses.includes(dead),
      web.silentRemoval.ms + 3_000,
    );
    // THEN it leaves within the predicted time, and the others stay
    console.log(
      `powerdns on docker: dead member removed after ${ms} ms (predicted at most ${web.refusedRemoval.ms} ms)`,
    );
    expect(ms).toBeLessThanOrEqual(web.refusedRemoval.ms + POLL_SLACK_MS);
    expect(query(nsOf(0), serverOf(0).address, WEB).addresses).toEqual(MEMBERS.slice(1));
    expect(query(nsOf(0), serverOf(0).address, API).addresses).toEqual([MEMBERS[1]]);
  });

  test("the warm-up queries the names again after the server restarts", () => {
    // GIVEN the first server killed, as a crash would
    const first = serverOf(0);
    (pdns.get(first.hostname) as LabProcess).kill();
    waitUntil(
      "the server to stop answering",
      () => query(nsOf(0), first.address, ZONE, "A").status === "TIMEOUT",
      5_000,
      100,
    );
    waitUntil("the warm-up to see it", () => /stopped answering/.test(warmup.log()), 5_000, 100);
    // WHEN it starts again (its supervisor would after 2 s) and the warm-up has queried the names
    startServer(0);
    waitUntil(
      "the warm-up to query again",
      () => (warmup.log().match(/queried 2 pool names/g) ?? []).length === 2,
      10_000,
      100,
    );
    sleepMs(web.silentRemoval.ms);
    // THEN a client's first query is answered with the healthy members, not the fail-closed answer
    expect(query(nsOf(0), first.address, WEB).addresses).toEqual(MEMBERS.slice(1));
  });
});
