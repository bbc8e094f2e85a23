import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HealthCheck } from "../../lib/model/health-check";
import { powerDnsCheckTiming } from "../../lib/render/powerdns-timing";
import { renderPowerDnsZone } from "../../lib/render/powerdns-zone";
import { cleanupNamespaces, NetworkNamespace } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { Scratch } from "./checkers";
import { type LabProcess, measureUntil, query, serveRenderedZone, startMember } from "./powerdns-lab";

const available = tierAvailable("daemon checks: powerdns ipv6", ["pdns_server", "dig", "ss", "ip"], true);

const ZONE = "pool.test";
const SERVER = "2001:2::1";
const V4 = ["198.18.0.11", "198.18.0.12"];
const V6 = ["2001:2::11", "2001:2::12"];
const TIMING = powerDnsCheckTiming("pool", HealthCheck.tcp());
const NAME = `web.${ZONE}`;

describe.runIf(available)("pdns_server answers a dual-stack pool", () => {
  let scratch: Scratch;
  let ns: NetworkNamespace;
  const processes: LabProcess[] = [];
  const members = new Map<string, LabProcess>();

  beforeAll(() => {
    scratch = new Scratch();
    ns = NetworkNamespace.create({ address: "198.18.0.1/24" });
    for (const address of [...V4.map((a) => `${a}/24`), ...[SERVER, ...V6].map((a) => `${a}/64`)]) {
      const r = ns.exec("ip", ["addr", "add", address, "dev", "eth0", "nodad"]);
      if (r.status !== 0) throw new Error(`${r.command}: ${r.lines.join(" | ")}`);
    }
    for (const address of [...V4, ...V6]) members.set(address, startMember(ns, address, [8080]));
    const zone = renderPowerDnsZone({
      origin: ZONE,
      serial: 1,
      ttlSeconds: 300,
      negativeTtlSeconds: 1,
      servers: [{ name: "ns1", address: SERVER }],
      pools: [
        {
          name: "web",
          ttlSeconds: 1,
          members: [...V4, ...V6],
          probe: { kind: "tcp", port: 8080, timeoutSeconds: TIMING.timeoutSeconds },
          selection: { kind: "all" },
          allUnhealthy: { kind: "none" },
        },
      ],
    });
    processes.push(
      serveRenderedZone(ns, SERVER, `${scratch.dir}/server`, ZONE, zone, TIMING.intervalSeconds),
    );
  });

  afterAll(() => {
    for (const p of [...processes, ...members.values()]) p.kill();
    cleanupNamespaces();
    scratch?.remove();
  });

  test("answers A with the IPv4 members and AAAA with the IPv6 members", () => {
    // GIVEN every member up, the first queries made so that the checks run
    query(ns, SERVER, NAME, "A");
    query(ns, SERVER, NAME, "AAAA");
    // WHEN both records are queried once the checks have passed
    measureUntil(
      "both families to be answered",
      () =>
        query(ns, SERVER, NAME, "A").addresses.length === 2 &&
        query(ns, SERVER, NAME, "AAAA").addresses.length === 2,
      TIMING.removalTimeMs + 3000,
    );
    // THEN each answers with its own family's members
    expect(query(ns, SERVER, NAME, "A")).toEqual({ status: "NOERROR", addresses: V4, authority: 0 });
    expect(query(ns, SERVER, NAME, "AAAA")).toEqual({ status: "NOERROR", addresses: V6, authority: 0 });
  });

  test("drops dead IPv6 members from the AAAA answer and fails closed when none is left", () => {
    // GIVEN both IPv6 members answered
    // WHEN the first dies
    (members.get(V6[0] as string) as LabProcess).kill();
    const ms = measureUntil(
      `${V6[0]} to leave the AAAA answer`,
      () => !query(ns, SERVER, NAME, "AAAA").addresses.includes(V6[0] as string),
      TIMING.removalTimeMs + 3000,
    );
    console.log(`powerdns: dead IPv6 member removed after ${ms} ms`);
    // THEN the other is still answered, and the A record is untouched
    expect(query(ns, SERVER, NAME, "AAAA").addresses).toEqual([V6[1]]);
    expect(query(ns, SERVER, NAME, "A").addresses).toEqual(V4);

    // WHEN the second IPv6 member dies too
    (members.get(V6[1] as string) as LabProcess).kill();
    measureUntil(
      "the AAAA answer to be empty",
      () => query(ns, SERVER, NAME, "AAAA").addresses.length === 0,
      TIMING.removalTimeMs + 3000,
    );
    // THEN AAAA fails closed (NOERROR, no record, the SOA for negative caching) while A still answers
    expect(query(ns, SERVER, NAME, "AAAA")).toEqual({ status: "NOERROR", addresses: [], authority: 1 });
    expect(query(ns, SERVER, NAME, "A").addresses).toEqual(V4);
  });
});
