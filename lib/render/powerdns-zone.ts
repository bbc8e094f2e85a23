/**
 * A BIND-format zone file for PowerDNS's bind backend: SOA, NS and address records of the zone's
 * own servers, and one LUA record per pool name and address family.
 *
 * Every name, address and number is checked here with the `model/dns-text` guards again (a
 * second fence behind the construct's validation), so a value that reaches the file is one plain
 * token; the Lua code quotes its strings with `luaString`, and PowerDNS reads a LUA record's code
 * without unescaping it (a '"' would split it), so the code holds no '"' at all.
 */
import { invalid } from "../errors";
import { assertIntegerInRange, assertUrlPath } from "../model/config-text";
import {
  assertDnsName,
  assertDnsTtl,
  assertIpAddress,
  assertRelativeDnsName,
  ipFamily,
} from "../model/dns-text";
import {
  luaAnswerCode,
  type PowerDnsAllUnhealthy,
  type PowerDnsProbe,
  type PowerDnsSelection,
} from "./powerdns-lua";
import { generatedHeader, lines } from "./text";

/** One authoritative server of the zone: its name relative to the zone and its address. */
export interface PowerDnsZoneServer {
  readonly name: string;
  readonly address: string;
}

/** One pool name: a LUA record per address family of its members. */
export interface PowerDnsPoolRecord {
  /** Name relative to the zone, or "@". */
  readonly name: string;
  readonly ttlSeconds: number;
  readonly members: readonly string[];
  readonly probe: PowerDnsProbe;
  readonly selection: PowerDnsSelection;
  readonly allUnhealthy: PowerDnsAllUnhealthy;
}

export interface PowerDnsZone {
  /** The zone's name, e.g. "pool.example.test". */
  readonly origin: string;
  /** Serial of the SOA record. */
  readonly serial: number;
  /** TTL of the SOA, NS and server address records. */
  readonly ttlSeconds: number;
  /**
   * SOA minimum: how long resolvers cache a negative answer, among them a fail-closed pool's
   * empty answer.
   */
  readonly negativeTtlSeconds: number;
  /** The zone's servers; the first is the SOA's primary. */
  readonly servers: readonly PowerDnsZoneServer[];
  readonly pools: readonly PowerDnsPoolRecord[];
}

const WHERE = "PowerDNS zone";
/** SOA timers for secondaries. Every server loads the same file, so none transfers the zone. */
const SOA_TIMERS = "3600 600 604800";

function addressType(address: string): "A" | "AAAA" {
  return ipFamily(address) === 4 ? "A" : "AAAA";
}

function checkPool(pool: PowerDnsPoolRecord): PowerDnsPoolRecord {
  const where = `${WHERE} record ${JSON.stringify(pool.name)}`;
  assertRelativeDnsName(where, "record name", pool.name);
  assertDnsTtl(where, "TTL", pool.ttlSeconds);
  if (pool.members.length === 0) invalid(where, "members", pool.members, "give at least one member address");
  const members = pool.members.map((m) => assertIpAddress(where, "member address", m));
  const probe = pool.probe;
  assertIntegerInRange(where, "probe port", probe.port, 1, 65535);
  assertIntegerInRange(where, "probe timeoutSeconds", probe.timeoutSeconds, 1, 3600);
  if (probe.kind === "http") {
    assertDnsName(where, "probe host name", probe.hostName);
    assertUrlPath(where, "probe path", probe.path);
  }
  if (pool.selection.kind === "random") {
    assertIntegerInRange(where, "random answer count", pool.selection.count, 1, 1000);
  }
  const allUnhealthy =
    pool.allUnhealthy.kind === "fallback"
      ? {
          kind: "fallback" as const,
          addresses: pool.allUnhealthy.addresses.map((a) => assertIpAddress(where, "fallback address", a)),
        }
      : pool.allUnhealthy;
  return { ...pool, members, allUnhealthy };
}

/** The LUA records of one pool: one per address family of its members, A first. */
function poolLines(pool: PowerDnsPoolRecord): string[] {
  const out: string[] = [];
  for (const type of ["A", "AAAA"] as const) {
    const members = pool.members.filter((m) => addressType(m) === type);
    if (members.length === 0) continue;
    const code = luaAnswerCode({ ...pool, members });
    out.push(`${pool.name} ${pool.ttlSeconds} IN LUA ${type} "${code}"`);
  }
  return out;
}

/** Renders the zone file. Pure: the same input always gives the same text. */
export function renderPowerDnsZone(zone: PowerDnsZone): string {
  const origin = assertDnsName(WHERE, "zone name", zone.origin);
  assertIntegerInRange(WHERE, "SOA serial", zone.serial, 0, 4_294_967_295);
  assertDnsTtl(WHERE, "zone TTL", zone.ttlSeconds);
  assertDnsTtl(WHERE, "negative TTL", zone.negativeTtlSeconds);
  if (zone.servers.length === 0) invalid(WHERE, "servers", zone.servers, "give at least one server");
  const servers = zone.servers.map((s) => ({
    name:
      s.name === "@"
        ? invalid(WHERE, "server name", s.name, "name the server")
        : assertRelativeDnsName(WHERE, "server name", s.name),
    address: assertIpAddress(WHERE, "server address", s.address),
  }));
  const pools = zone.pools.map(checkPool);
  const names = [...servers.map((s) => s.name), ...pools.map((p) => p.name)].map((n) => n.toLowerCase());
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    invalid(WHERE, "record name", duplicate, "give every server and pool record a name of its own");
  }

  const primary = servers[0] as PowerDnsZoneServer;
  return lines(
    generatedHeader(";"),
    `$ORIGIN ${origin}.`,
    `$TTL ${zone.ttlSeconds}`,
    `@ IN SOA ${primary.name} hostmaster ${zone.serial} ${SOA_TIMERS} ${zone.negativeTtlSeconds}`,
    servers.map((s) => `@ IN NS ${s.name}`),
    servers.map((s) => `${s.name} IN ${addressType(s.address)} ${s.address}`),
    pools.flatMap(poolLines),
  );
}
