import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HealthCheck } from "../../lib/model/health-check";
import type { PowerDnsAllUnhealthy, PowerDnsProbe, PowerDnsSelection } from "../../lib/render/powerdns-lua";
import { powerDnsCheckTiming } from "../../lib/render/powerdns-timing";
import { type PowerDnsPoolRecord, renderPowerDnsZone } from "../../lib/render/powerdns-zone";
import { cleanupNamespaces, NetworkNamespace } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { Scratch } from "./checkers";
import {
  type DnsAnswer,
  type LabProcess,
  listening,
  measureUntil,
  query,
  serveRenderedZone,
  startMember,
} from "./powerdns-lab";

const available = tierAvailable(
  "daemon checks: powerdns",
  ["pdns_server", "pdnsutil", "dig", "nft", "ss", "ip"],
  true,
);

const ZONE = "pool.test";
const SERVERS = ["198.18.0.1", "198.18.0.2"];
/** A third server, for a zone with a defect. */
const SPARE_SERVER = "198.18.0.3";
const MEMBERS = ["198.18.0.11", "198.18.0.12", "198.18.0.13"];
const FALLBACK = "198.18.0.99";
const CHECK = HealthCheck.http({ path: "/healthz" });
const TIMING = powerDnsCheckTiming("pool", CHECK);
/**
 * Each record probes its own port of the members (8080 + its index): PowerDNS shares a check
 * between records with the same address, port or URL and options, and a record whose checks an
 * earlier query already registered would not show how a first query is answered.
 */
const PORTS = Array.from({ length: 7 }, (_, i) => 8080 + i);
const HTTP = (port: number): PowerDnsProbe => ({
  kind: "http",
  hostName: `web.${ZONE}`,
  port,
  path: "/healthz",
  timeoutSeconds: TIMING.timeoutSeconds,
});
const TCP = (port: number): PowerDnsProbe => ({ kind: "tcp", port, timeoutSeconds: TIMING.timeoutSeconds });

interface Variant {
  readonly name: string;
  readonly probe: (port: number) => PowerDnsProbe;
  readonly selection: PowerDnsSelection;
  readonly allUnhealthy: PowerDnsAllUnhealthy;
  /** How many addresses an answer holds when `healthy` of the members are up (none down: all). */
  readonly expectedCount: (healthy: number) => number;
  /** The answer when every member is down (and before the first check). */
  readonly whenAllDown: (answer: DnsAnswer) => void;
}

const oneOfMembers = (a: DnsAnswer) => {
  expect(a.addresses).toHaveLength(1);
  expect(MEMBERS).toContain(a.addresses[0]);
};
const VARIANTS: Variant[] = [
  {
    name: "http-all-open",
    probe: HTTP,
    selection: { kind: "all" },
    allUnhealthy: { kind: "all" },
    expectedCount: (n) => n,
    whenAllDown: (a) => expect(a.addresses).toEqual(MEMBERS),
  },
  {
    name: "tcp-all-open",
    probe: TCP,
    selection: { kind: "all" },
    allUnhealthy: { kind: "all" },
    expectedCount: (n) => n,
    whenAllDown: (a) => expect(a.addresses).toEqual(MEMBERS),
  },
  {
    name: "tcp-all-closed",
    probe: TCP,
    selection: { kind: "all" },
    allUnhealthy: { kind: "none" },
    expectedCount: (n) => n,
    whenAllDown: (a) => expect(a).toEqual({ status: "NOERROR", addresses: [], authority: 1 }),
  },
  {
    name: "http-all-fallback",
    probe: HTTP,
    selection: { kind: "all" },
    allUnhealthy: { kind: "fallback", addresses: [FALLBACK] },
    expectedCount: (n) => n,
    whenAllDown: (a) => expect(a.addresses).toEqual([FALLBACK]),
  },
  {
    name: "tcp-random2-open",
    probe: TCP,
    selection: { kind: "random", count: 2 },
    allUnhealthy: { kind: "all" },
    expectedCount: (n) => Math.min(2, n),
    whenAllDown: (a) => {
      expect(a.addresses).toHaveLength(2);
      for (const address of a.addresses) expect(MEMBERS).toContain(address);
    },
  },
  {
    name: "http-random1-closed",
    probe: HTTP,
    selection: { kind: "random", count: 1 },
    allUnhealthy: { kind: "none" },
    expectedCount: (n) => Math.min(1, n),
    whenAllDown: (a) => expect(a.addresses).toEqual([]),
  },
  {
    name: "tcp-hashed-open",
    probe: TCP,
    selection: { kind: "hashed" },
    allUnhealthy: { kind: "all" },
    expectedCount: (n) => Math.min(1, n),
    whenAllDown: oneOfMembers,
  },
];

/** What polling adds to a measurement: one round of queries to both servers (four `dig` runs). */
const POLL_SLACK_MS = 300;

const fqdn = (record: string) => `${record}.${ZONE}`;

describe.runIf(available)("pdns_server answers every rendered LUA record", () => {
  let scratch: Scratch;
  let ns: NetworkNamespace;
  let zoneText: string;
  const servers: LabProcess[] = [];
  const members = new Map<string, LabProcess>();

  /** Every record's answer on every server. */
  const answersOf = (variant: Variant) => SERVERS.map((server) => query(ns, server, fqdn(variant.name)));
  const lacks = (record: string, address: string) =>
    SERVERS.every((server) => {
      const answer = query(ns, server, fqdn(record));
      return answer.status === "NOERROR" && !answer.addresses.includes(address);
    });
  const has = (record: string, address: string) =>
    SERVERS.every((server) => query(ns, server, fqdn(record)).addresses.includes(address));

  beforeAll(() => {
    scratch = new Scratch();
    ns = NetworkNamespace.create({ address: `${SERVERS[0]}/24` });
    for (const address of [...SERVERS.slice(1), SPARE_SERVER, ...MEMBERS]) {
      const r = ns.exec("ip", ["addr", "add", `${address}/24`, "dev", "eth0"]);
      if (r.status !== 0) throw new Error(`${r.command}: ${r.lines.join(" | ")}`);
    }
    for (const address of MEMBERS) members.set(address, startMember(ns, address, PORTS));

    const pools: PowerDnsPoolRecord[] = VARIANTS.map((v, i) => ({
      ...v,
      probe: v.probe(PORTS[i] as number),
      ttlSeconds: 1,
      members: MEMBERS,
    }));
    zoneText = renderPowerDnsZone({
      origin: ZONE,
      serial: 1,
      ttlSeconds: 300,
      negativeTtlSeconds: 1,
      servers: SERVERS.map((address, i) => ({ name: `ns${i + 1}`, address })),
      pools,
    });
    for (const address of SERVERS) servers.push(serve(address, zoneText));
  });

  /** Writes pdns.conf, named.conf and `zone` to a directory of their own and starts a server on `address`. */
  function serve(address: string, zone: string): LabProcess {
    return serveRenderedZone(ns, address, `${scratch.dir}/${address}`, ZONE, zone, TIMING.intervalSeconds);
  }

  afterAll(() => {
    for (const p of [...servers, ...members.values()]) p.kill();
    cleanupNamespaces();
    scratch?.remove();
  });

  test("answers the first query, before any check has run, as if every member were down", () => {
    // GIVEN servers that have answered the zone's SOA but no pool name yet, every member up
    // WHEN each record is queried for the first time on each server
    const first = VARIANTS.map((v) => ({ variant: v, answers: answersOf(v) }));
    // THEN the answer is the record's all-unhealthy answer (PowerDNS counts an unrun check as down)
    for (const { variant, answers } of first) {
      for (const answer of answers) {
        expect(answer.status, variant.name).toBe("NOERROR");
        variant.whenAllDown(answer);
      }
    }
    // AND within one check round the answers follow the checks: every member for a fail-closed record
    const ms = measureUntil(
      "the first checks to pass",
      () => SERVERS.every((s) => query(ns, s, fqdn("tcp-all-closed")).addresses.length === MEMBERS.length),
      3 * (TIMING.intervalSeconds + TIMING.timeoutSeconds) * 1000,
    );
    console.log(`powerdns: first answers follow the checks ${ms} ms after the first query`);
    expect(ms).toBeLessThanOrEqual(TIMING.removalTimeMs);
  });

  test("answers with the healthy members as each record's selection says", () => {
    // GIVEN every member up and checked
    measureUntil(
      "every record to see every member",
      () => VARIANTS.every((v) => has(v.name, MEMBERS[0] as string) || v.expectedCount(3) < 3),
      5000,
    );
    for (const variant of VARIANTS) {
      // WHEN the record is queried on each server
      const answers = answersOf(variant);
      // THEN it answers with as many distinct members as its selection picks
      for (const answer of answers) {
        expect(answer.status, variant.name).toBe("NOERROR");
        expect(answer.addresses, variant.name).toHaveLength(variant.expectedCount(3));
        expect(new Set(answer.addresses).size).toBe(answer.addresses.length);
        for (const address of answer.addresses) expect(MEMBERS).toContain(address);
      }
    }
    // AND a hashed record gives one client the same member every time
    const hashed = new Set(
      Array.from({ length: 10 }, () => query(ns, SERVERS[0] as string, fqdn("tcp-hashed-open")).addresses[0]),
    );
    expect(hashed.size).toBe(1);
  });

  test("drops a dead member from every answer within one check round and takes it back when it returns", () => {
    // GIVEN every member in the answers
    const dead = MEMBERS[0] as string;
    expect(has("http-all-open", dead) && has("tcp-all-open", dead)).toBe(true);
    // WHEN the member's process dies (connections refused)
    (members.get(dead) as LabProcess).kill();
    const removedMs = measureUntil(
      `${dead} to leave the answers`,
      () => lacks("http-all-open", dead) && lacks("tcp-all-open", dead) && lacks("tcp-all-closed", dead),
      TIMING.removalTimeMs + 3000,
    );
    // THEN it leaves within the predicted time, and under the 1.5 s the pool promises by default
    console.log(
      `powerdns: dead member removed after ${removedMs} ms (predicted at most ${TIMING.refusedRemovalTimeMs} ms)`,
    );
    expect(removedMs).toBeLessThanOrEqual(TIMING.refusedRemovalTimeMs + POLL_SLACK_MS);
    expect(removedMs).toBeLessThan(1500);
    // AND the other members are still answered
    expect(query(ns, SERVERS[1] as string, fqdn("tcp-all-open")).addresses).toEqual(MEMBERS.slice(1));

    // WHEN it starts again
    members.set(dead, startMember(ns, dead, PORTS));
    const returnedMs = measureUntil(
      `${dead} to return`,
      () => has("http-all-open", dead) && has("tcp-all-open", dead),
      TIMING.removalTimeMs + 3000,
    );
    // THEN it is answered again within a round
    console.log(`powerdns: returned member answered again after ${returnedMs} ms`);
    expect(returnedMs).toBeLessThanOrEqual(TIMING.removalTimeMs);
  });

  test("drops a silent member (packets dropped, not refused) within a round plus the probe timeout", () => {
    // GIVEN every member answered, and a firewall in the namespace
    const silent = MEMBERS[1] as string;
    measureUntil("every member answered", () => MEMBERS.every((m) => has("tcp-all-open", m)), 5000);
    const nft = (...args: string[]) => {
      const r = ns.exec("nft", args);
      if (r.status !== 0) throw new Error(`${r.command}: ${r.lines.join(" | ")}`);
    };
    nft("add", "table", "inet", "silence");
    nft("add", "chain", "inet", "silence", "out", "{ type filter hook output priority 0; }");
    try {
      // WHEN every packet to the member is dropped
      nft("add", "rule", "inet", "silence", "out", "ip", "daddr", silent, "drop");
      const ms = measureUntil(
        `${silent} to leave the answers`,
        () => lacks("http-all-open", silent) && lacks("tcp-all-open", silent),
        TIMING.removalTimeMs + 3000,
      );
      // THEN it leaves within the predicted worst case (one round plus the probe's timeout)
      console.log(
        `powerdns: silent member removed after ${ms} ms (predicted at most ${TIMING.removalTimeMs} ms)`,
      );
      expect(ms).toBeLessThanOrEqual(TIMING.removalTimeMs + POLL_SLACK_MS);
    } finally {
      nft("delete", "table", "inet", "silence");
    }
    measureUntil(`${silent} to return`, () => has("tcp-all-open", silent), TIMING.removalTimeMs + 3000);
  });

  test("answers as configured when every member is down", () => {
    // GIVEN every member's process killed
    for (const member of members.values()) member.kill();
    waitForPortsClosed();
    // WHEN the checks have seen it (a fail-closed record answers nothing)
    measureUntil(
      "every member to be down",
      () => SERVERS.every((s) => query(ns, s, fqdn("tcp-all-closed")).addresses.length === 0),
      TIMING.removalTimeMs + 3000,
    );
    // THEN every record answers its all-unhealthy answer on every server: all, none or the fallback
    for (const variant of VARIANTS) {
      measureUntil(
        `${variant.name} to give its all-down answer`,
        () => {
          try {
            for (const answer of answersOf(variant)) variant.whenAllDown(answer);
            return true;
          } catch {
            return false;
          }
        },
        TIMING.removalTimeMs + 3000,
      );
      for (const answer of answersOf(variant)) {
        expect(answer.status, variant.name).toBe("NOERROR");
        variant.whenAllDown(answer);
      }
    }
  });

  test("catches a Lua error by a query, which pdnsutil check-zone lets through", () => {
    // GIVEN the rendered zone with one record's Lua broken, served by a third server
    const broken = zoneText.replace("return {} end return up", "return {} ende return up");
    expect(broken).not.toBe(zoneText);
    servers.push(serve(SPARE_SERVER, broken));
    // WHEN PowerDNS's zone checker reads it
    const check = ns.exec("pdnsutil", [`--config-dir=${scratch.dir}/${SPARE_SERVER}`, "check-zone", ZONE]);
    // THEN it finds nothing wrong ...
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/0 errors, 0 warnings/);
    // ... but a query for the broken record fails, while the intact records still answer
    expect(query(ns, SPARE_SERVER, fqdn("tcp-all-closed")).status).toBe("SERVFAIL");
    expect(query(ns, SPARE_SERVER, fqdn("tcp-all-open")).status).toBe("NOERROR");
  });

  function waitForPortsClosed(): void {
    measureUntil("the members to stop listening", () => MEMBERS.every((m) => !listening(ns, m, 8080)), 5000);
  }
});
