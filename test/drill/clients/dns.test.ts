import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import type { DrillClient } from "../../../lib/drill/clients/client";
import { checkDnsQuery, DNS_CLIENT, type DnsOutcome, queryDns } from "../../../lib/drill/clients/dns";
import { DrillError } from "../../../lib/drill/core/drill-error";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { nowMs } from "../../../lib/drill/core/proc";
import { waitUntil } from "../../../lib/drill/core/wait";
import { HealthCheck } from "../../../lib/model/health-check";
import { powerDnsCheckTiming } from "../../../lib/render/powerdns-timing";
import { type PowerDnsPoolRecord, renderPowerDnsZone } from "../../../lib/render/powerdns-zone";
import { Scratch } from "../../daemon/checkers";
import { type LabProcess, serveRenderedZone, startMember } from "../../daemon/powerdns-lab";
import { caught } from "../../support/errors";
import { cleanupNamespaces, NetworkNamespace, runCommand } from "../../support/netns";
import { tierAvailable } from "../../support/tiers";
import { labAvailable, outcomes, probesAfter, tinyLab } from "../lab-fixture";

const ZONE = "pool.test";
const SERVERS = ["198.18.0.1", "198.18.0.2"] as const;
const MEMBERS = ["198.18.0.11", "198.18.0.12"];
/** Addresses in the servers' namespace where nothing listens: their checks are refused. */
const DEAD_MEMBERS = ["198.18.0.21", "198.18.0.22"];
/** Forty members (nobody has these addresses): a fail-open answer with all of them needs TCP. */
const MANY = Array.from({ length: 40 }, (_, i) => `198.18.0.${100 + i}`);
/** An address in the servers' namespace's network that nobody has: queries to it go unanswered. */
const SILENT = "198.18.0.200";
/** The link between the lab's client place and the servers' namespace. */
const LINK = { servers: "198.18.1.1", client: "198.18.1.2" };
const CHECK = HealthCheck.tcp();
const TIMING = powerDnsCheckTiming("dns client test", CHECK);

describe("checkDnsQuery", () => {
  test.each([
    ["web pool.test", "not a plain DNS name"],
    ['web.pool.test"]; import os', "not a plain DNS name"],
    ["web..pool.test", "not a plain DNS name"],
    ["", "not a plain DNS name"],
    [`${"a".repeat(64)}.test`, "not a plain DNS name"],
    [`${"abcdefgh.".repeat(32)}test`, "not a plain DNS name"],
  ])("refuses the name %j", (name, message) => {
    // GIVEN a name with a character or a length a DNS name cannot have
    // WHEN it is checked
    // THEN it is refused as a DrillError
    const error = caught(() => checkDnsQuery({ name, server: "198.18.0.1" }));
    expect(error).toBeInstanceOf(DrillError);
    expect(error.message).toContain(message);
  });

  test.each([
    [{ type: "MX" }, "record type"],
    [{ server: "ns1.pool.test" }, "not an IP address"],
    [{ port: 0 }, "not a port number"],
    [{ resolvConf: "nameserver 198.18.0.1" }, "not both"],
  ])("refuses %j", (bad, message) => {
    const error = caught(() =>
      checkDnsQuery({ name: "web.pool.test", server: "198.18.0.1", ...bad } as never),
    );
    expect(error.message).toContain(message);
  });

  test("accepts names with digits, - and _, a trailing dot and IPv6 servers; a port only with a server", () => {
    expect(() =>
      checkDnsQuery({ name: "_dns-1.Pool.test.", type: "AAAA", server: "2001:2::1", port: 5353 }),
    ).not.toThrow();
    expect(caught(() => checkDnsQuery({ name: "web.pool.test", port: 53 })).message).toContain(
      "needs a server",
    );
  });
});

const available =
  labAvailable() &&
  tierAvailable("daemon checks: powerdns", ["pdns_server", "pdnsutil", "dig", "ss", "ip"], true);

describe.runIf(available)("the DNS client against pdns_server", () => {
  let scratch: Scratch;
  let ns: NetworkNamespace;
  let lab: NamespaceLab;
  let place: string;
  const daemons = new Map<string, LabProcess>();
  let client: DrillClient<DnsOutcome> | undefined;

  const must = (args: string[]) => {
    const r = runCommand("ip", args);
    if (r.status !== 0) throw new Error(`${r.command}: ${r.lines.join(" | ")}`);
  };

  beforeAll(async () => {
    // Two PowerDNS servers and two members in one namespace, as the daemon tier brings them up
    scratch = new Scratch();
    ns = NetworkNamespace.create({ address: `${SERVERS[0]}/24` });
    for (const address of [SERVERS[1], ...MEMBERS, ...DEAD_MEMBERS]) {
      must(["-n", ns.name, "addr", "add", `${address}/24`, "dev", "eth0"]);
    }
    for (const m of MEMBERS) daemons.set(m, startMember(ns, m, [8080]));
    const pool = (name: string, members: string[], fail: "none" | "all"): PowerDnsPoolRecord => ({
      name,
      ttlSeconds: 1,
      members,
      probe: { kind: "tcp", port: 8080, timeoutSeconds: TIMING.timeoutSeconds },
      selection: { kind: "all" },
      allUnhealthy: { kind: fail },
    });
    const zone = renderPowerDnsZone({
      origin: ZONE,
      serial: 1,
      ttlSeconds: 300,
      negativeTtlSeconds: 1,
      servers: SERVERS.map((address, i) => ({ name: `ns${i + 1}`, address })),
      pools: [pool("web", MEMBERS, "none"), pool("closed", DEAD_MEMBERS, "none"), pool("many", MANY, "all")],
    });
    // A record whose Lua fails when it runs: PowerDNS answers it with SERVFAIL
    const served = `${zone}broken 1 IN LUA A "error('broken on purpose')"\n`;
    for (const s of SERVERS) {
      daemons.set(s, serveRenderedZone(ns, s, `${scratch.dir}/${s}`, ZONE, served, TIMING.intervalSeconds));
    }

    // ... and the lab's client place on front, linked to that namespace by a veth of its own
    lab = await tinyLab();
    place = lab.clientOn("front").place;
    must(["-n", place, "link", "add", "dnsc0", "type", "veth", "peer", "name", "dnsl0", "netns", ns.name]);
    must(["-n", ns.name, "addr", "add", `${LINK.servers}/24`, "dev", "dnsl0"]);
    must(["-n", ns.name, "link", "set", "dnsl0", "up"]);
    must(["-n", place, "addr", "add", `${LINK.client}/24`, "dev", "dnsc0"]);
    must(["-n", place, "link", "set", "dnsc0", "up"]);
    must(["-n", place, "route", "add", "198.18.0.0/24", "via", LINK.servers]);
  }, 60_000);

  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });

  afterAll(async () => {
    await client?.stop();
    await lab?.teardown();
    for (const p of daemons.values()) p.kill();
    cleanupNamespaces();
    scratch?.remove();
  });

  test("records ok answers with the healthy members, sorted, their TTL and the server that gave them", async () => {
    // GIVEN the pool's members checked up on the first server
    const both = async () =>
      (await queryDns(lab, place, { name: `web.${ZONE}`, server: SERVERS[0] })).answers.length === 2;
    expect(await waitUntil(both, 3 * TIMING.removalTimeMs, 50)).toBeDefined();

    // WHEN a client asks the first server every 50 ms
    client = await DNS_CLIENT.start(lab, place, { name: `web.${ZONE}`, server: SERVERS[0], intervalMs: 50 });
    const records = await probesAfter(client, nowMs(), 5);

    // THEN every probe is ok, with both members, TTL 1 and the server named
    expect(client.target).toBe(`dns://${SERVERS[0]}:53/web.${ZONE}?type=A`);
    expect(records).toHaveLength(5);
    for (const r of records) {
      expect(r).toMatchObject({
        outcome: "ok",
        answers: MEMBERS,
        ttlSeconds: 1,
        status: 0,
        answeredBy: SERVERS[0],
      });
    }
    // AND a plain record on the second server answers with its one address and the zone's TTL
    expect(await queryDns(lab, place, { name: `ns2.${ZONE}`, server: SERVERS[1] })).toMatchObject({
      outcome: "ok",
      answers: [SERVERS[1]],
      answeredBy: SERVERS[1],
      rcode: 0,
      ttlSeconds: 300,
    });
  });

  test("tells an empty (fail-closed) answer, NXDOMAIN and REFUSED apart", async () => {
    // GIVEN a fail-closed record whose members never answer a check, a missing name, a foreign zone
    const ask = (name: string, type: "A" | "AAAA" = "A") =>
      queryDns(lab, place, { name, type, server: SERVERS[0] });
    // WHEN each is asked
    const [closed, missing, foreign, noSix] = [
      await ask(`closed.${ZONE}`),
      await ask(`nosuch.${ZONE}`),
      await ask("example.invalid"),
      await ask(`web.${ZONE}`, "AAAA"),
    ];
    // THEN: empty with the zone's negative TTL, nxdomain, refused-rcode, and empty for a type the name lacks
    expect(closed).toMatchObject({ outcome: "empty", answers: [], rcode: 0, ttlSeconds: 1 });
    expect(missing).toMatchObject({ outcome: "nxdomain", answers: [], rcode: 3, ttlSeconds: 1 });
    expect(foreign).toMatchObject({ outcome: "refused-rcode", answers: [], rcode: 5 });
    expect(noSix).toMatchObject({ outcome: "empty", answers: [], rcode: 0 });
  });

  test("records SERVFAIL, and through a resolv.conf asks every server before it gives up", async () => {
    // GIVEN a record whose Lua fails on both servers
    // WHEN one server is asked, and then both through a resolv.conf
    const one = await queryDns(lab, place, { name: `broken.${ZONE}`, server: SERVERS[0] });
    const resolvConf = `nameserver ${SERVERS[0]}\nnameserver ${SERVERS[1]}\noptions timeout:1 attempts:2\n`;
    const both = await queryDns(lab, place, { name: `broken.${ZONE}`, resolvConf });
    // THEN servfail; through the resolv.conf from the last server asked, as glibc moves on after SERVFAIL
    expect(one).toMatchObject({ outcome: "servfail", rcode: 2, answers: [], answeredBy: SERVERS[0] });
    expect(both).toMatchObject({ outcome: "servfail", rcode: 2, answeredBy: SERVERS[1] });
    expect(both.elapsedMs).toBeLessThan(500);
  });

  test("asks again over TCP when the answer does not fit a UDP reply", async () => {
    // GIVEN a fail-open record of forty members: 40 A records are more than 512 bytes
    // WHEN it is asked (no EDNS: the server truncates the UDP reply)
    const answer = await queryDns(lab, place, { name: `many.${ZONE}`, server: SERVERS[0], timeoutMs: 2000 });
    // THEN the answer has all forty, which only the TCP answer can carry
    expect(answer).toMatchObject({ outcome: "ok", answers: [...MANY].sort() });
  });

  test("records a timeout for a silent address and refused for a closed port, within the limit", async () => {
    // GIVEN an address nobody has, and a member's address where nothing listens on port 53
    // WHEN a client asks each with a 300 ms limit
    client = await DNS_CLIENT.start(lab, place, {
      name: `web.${ZONE}`,
      server: SILENT,
      intervalMs: 50,
      timeoutMs: 300,
    });
    const silent = await probesAfter(client, 0, 3);
    await client.stop();
    const started = nowMs();
    const closed = await queryDns(lab, place, { name: `web.${ZONE}`, server: MEMBERS[0] as string });
    const wallMs = nowMs() - started;
    // THEN the first time out after about 300 ms; the other is refused at once
    expect(outcomes(silent)).toEqual({ timeout: 3 });
    for (const r of silent) {
      expect(r.endMs - r.startMs).toBeGreaterThanOrEqual(290);
      expect(r.endMs - r.startMs).toBeLessThan(1000);
    }
    expect(closed.outcome).toBe("refused");
    expect(closed.elapsedMs).toBeLessThan(300);
    // AND the one-shot query's process ends after its one probe, not at its 600 s limit
    console.log(`dns client: a one-shot query took ${Math.round(wallMs)} ms from start to answer`);
    expect(wallMs).toBeLessThan(2000);
  });

  test("through a resolv.conf, gets the answer from the next server when the first is silent or closed", async () => {
    // GIVEN resolv.confs whose first server is silent, or has its port closed, and whose second is a server
    const conf = (first: string) =>
      `nameserver ${first}\nnameserver ${SERVERS[0]}\noptions timeout:1 attempts:1\n`;
    // WHEN each is used to resolve web
    const afterSilent = await queryDns(lab, place, { name: `web.${ZONE}`, resolvConf: conf(SILENT) });
    const afterClosed = await queryDns(lab, place, {
      name: `web.${ZONE}`,
      resolvConf: conf(MEMBERS[0] as string),
    });
    // THEN both are ok from the second server: after the first one's 1 s wait, or at once
    for (const a of [afterSilent, afterClosed]) {
      expect(a).toMatchObject({ outcome: "ok", answers: MEMBERS, answeredBy: SERVERS[0] });
    }
    console.log(
      `dns client: resolved past a silent first server in ${afterSilent.elapsedMs} ms, past a closed one in ${afterClosed.elapsedMs} ms`,
    );
    expect(afterSilent.elapsedMs).toBeGreaterThanOrEqual(990);
    expect(afterSilent.elapsedMs).toBeLessThan(1500);
    expect(afterClosed.elapsedMs).toBeLessThan(300);
  });

  test("in a host of the lab, reads that host's own /etc/resolv.conf", async () => {
    // GIVEN alpha's resolv.conf naming a silent server, with a 1 s timeout and one attempt
    await lab.writeFile(
      "alpha",
      "/etc/resolv.conf",
      "nameserver 198.18.11.200\noptions timeout:1 attempts:1\n",
    );
    // WHEN alpha resolves a name without a server or resolvConf given
    const answer = await queryDns(lab, "alpha", { name: `web.${ZONE}` });
    // THEN the query times out after that file's 1 s (glibc's default would be 5 s per try)
    expect(answer.outcome).toBe("timeout");
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(990);
    expect(answer.elapsedMs).toBeLessThan(1400);
  });

  test("refuses a bad name before anything runs, and a client place without a resolv.conf", async () => {
    // GIVEN a name that would not be a DNS name, and a client place asked without server or resolvConf
    // WHEN the client or a query is started with them
    // THEN they are refused as DrillErrors
    const bad = { name: 'web"; import os #', server: SERVERS[0] };
    await expect(DNS_CLIENT.start(lab, place, bad)).rejects.toThrow(/not a plain DNS name/);
    await expect(queryDns(lab, place, bad)).rejects.toBeInstanceOf(DrillError);
    await expect(queryDns(lab, place, { name: `web.${ZONE}` })).rejects.toThrow(/no resolv.conf of its own/);
  });

  test("a client with both servers in its resolv.conf keeps resolving while the first one dies", async () => {
    // GIVEN a client resolving through both servers, answered by the first; both have checked the members
    for (const server of SERVERS) {
      const both = async () =>
        (await queryDns(lab, place, { name: `web.${ZONE}`, server })).answers.length === 2;
      expect(await waitUntil(both, 3 * TIMING.removalTimeMs, 50)).toBeDefined();
    }
    const resolvConf = `nameserver ${SERVERS[0]}\nnameserver ${SERVERS[1]}\noptions timeout:1 attempts:2\n`;
    client = await DNS_CLIENT.start(lab, place, { name: `web.${ZONE}`, resolvConf, intervalMs: 50 });
    expect(client.target).toBe(`dns:web.${ZONE}?type=A`);
    const before = await probesAfter(client, 0, 5);
    expect(before.map((r) => r.answeredBy)).toEqual(Array(5).fill(SERVERS[0]));

    // WHEN the first server's process dies
    const killedAt = nowMs();
    (daemons.get(SERVERS[0]) as LabProcess).kill();
    const after = await probesAfter(client, killedAt + 200, 10);

    // THEN every probe is still ok, now answered by the second server
    const around = client.records.filter((r) => r.startMs >= killedAt - 1000);
    expect(outcomes(around)).toEqual({ ok: around.length });
    // AND none waited longer than the dead server's 1 s: its closed port is refused at once until
    // the kernel's ICMP rate limit (a burst of 6, then one a second per client) silences it, and
    // from then on a resolution waits out `timeout:` before it asks the second server
    const ms = around.filter((r) => r.startMs >= killedAt).map((r) => Math.round(r.endMs - r.startMs));
    console.log(
      `dns client: ${around.length} probes around the server's death all ok; ${ms.filter((m) => m >= 900).length} of ${ms.length} after it waited the 1 s timeout (ms: ${ms.join(" ")})`,
    );
    expect(Math.max(...ms)).toBeLessThan(1500);
    for (const r of after)
      expect(r).toMatchObject({ outcome: "ok", answers: MEMBERS, answeredBy: SERVERS[1] });
  });
});
