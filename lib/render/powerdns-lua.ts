/**
 * The Lua code of one PowerDNS LUA record that answers with the healthy members of a pool.
 *
 * What PowerDNS 4.7 does (read in its lua-record.cc and measured in test/daemon/powerdns.test.ts):
 * - `ifportup(port, addresses, options)` and `ifurlup(url, addresses, options)` register one
 *   check per address (keyed by address, URL and the whole options table) with a checker thread
 *   that probes every check once per `lua-health-checks-interval`. One failed probe marks an
 *   address down, one passing probe marks it up: there is no rise/fall count in 4.7.
 * - `ifurlup` counts only HTTP 200 as up; `timeout` is read with `atoi`, in whole seconds, and 0
 *   would mean no timeout at all for curl.
 * - The answer is `selector` applied to the healthy addresses, or, when none is healthy,
 *   `backupSelector` applied to all of them. 4.7 knows the selectors 'all', 'random', 'hashed'
 *   (by the client's address) and 'pickclosest' (needs the geoip backend).
 * - A check that has not run yet counts as down: the query that registers a check (the first for
 *   a record, unless an earlier record registered the same address, port or URL and options), and
 *   the first after `lua-health-checks-expire-delay` without queries, gets the all-unhealthy
 *   answer. The next round probes it: answers follow the checks within about one interval.
 * - A LUA answer never enters the packet cache, so each query sees the current check states.
 *
 * PowerDNS always answers something when every address is down. To answer nothing, or a fallback
 * address, instead, the record lists one more address that can never be up, the sentinel: the
 * limited broadcast address for A records, a multicast address for AAAA records. Linux refuses a
 * TCP connection to either at once (ENETUNREACH) without sending a packet. With
 * `backupSelector='all'` the sentinel then appears in the answer (as its last element) exactly
 * when every real member is down, and the code replaces that answer.
 */
import { type IpFamily, ipFamily } from "../model/dns-text";

/** How many healthy members one answer holds, and which. */
export type PowerDnsSelection =
  /** Every healthy member. */
  | { readonly kind: "all" }
  /** `count` healthy members picked at random for each query (all of them when fewer are healthy). */
  | { readonly kind: "random"; readonly count: number }
  /** One healthy member picked by a hash of the client's (resolver's) address: stable per client. */
  | { readonly kind: "hashed" };

/** The answer when every member fails its check. */
export type PowerDnsAllUnhealthy =
  /** Fail open: answer as if every member were healthy. */
  | { readonly kind: "all" }
  /** Fail closed: an empty answer (NOERROR, no records: resolvers cache it for the SOA minimum). */
  | { readonly kind: "none" }
  /** Answer with these addresses instead (those of the record's family). */
  | { readonly kind: "fallback"; readonly addresses: readonly string[] };

/** How PowerDNS probes each member. */
export type PowerDnsProbe =
  /** A TCP connection to `port` that must be accepted within `timeoutSeconds`. */
  | { readonly kind: "tcp"; readonly port: number; readonly timeoutSeconds: number }
  /**
   * An HTTP GET of `http://hostName:port/path`, sent to each member's address, that must answer
   * 200 within `timeoutSeconds` (PowerDNS follows redirects).
   */
  | {
      readonly kind: "http";
      readonly hostName: string;
      readonly port: number;
      readonly path: string;
      readonly timeoutSeconds: number;
    };

/** What one LUA record answers with. */
export interface PowerDnsLuaAnswer {
  /** Member addresses, all of one family, in a stable order. */
  readonly members: readonly string[];
  readonly probe: PowerDnsProbe;
  readonly selection: PowerDnsSelection;
  readonly allUnhealthy: PowerDnsAllUnhealthy;
}

/** An address no member can have and no TCP connection can reach (see the module comment). */
export const UNREACHABLE_SENTINEL: Readonly<Record<IpFamily, string>> = {
  4: "255.255.255.255",
  6: "ff0e::1",
};

/** Characters a Lua string literal carries as they are; every other byte becomes `\ddd`. */
const LUA_PLAIN = /^[A-Za-z0-9._:/~%@,+=!*?&-]$/;

/**
 * A single-quoted Lua string literal of `value`: plain characters as they are, every other byte
 * of its UTF-8 form as a three-digit decimal escape. The literal therefore holds no quote, white
 * space, ';', '(' or control character that could end the Lua string or the zone line around it.
 */
export function luaString(value: string): string {
  let out = "'";
  for (const ch of value) {
    if (LUA_PLAIN.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += `\\${String(byte).padStart(3, "0")}`;
  }
  return `${out}'`;
}

function luaList(values: readonly string[]): string {
  return `{${values.map(luaString).join(", ")}}`;
}

/** The selector for healthy members, and how many to sample from them afterwards (0: none). */
function selectorOf(selection: PowerDnsSelection): { selector: string; sample: number } {
  if (selection.kind === "hashed") return { selector: "hashed", sample: 0 };
  if (selection.kind === "random" && selection.count === 1) return { selector: "random", sample: 0 };
  if (selection.kind === "random") return { selector: "all", sample: selection.count };
  return { selector: "all", sample: 0 };
}

function probeCall(probe: PowerDnsProbe, addresses: readonly string[], options: string): string {
  if (probe.kind === "tcp") return `ifportup(${probe.port}, ${luaList(addresses)}, ${options})`;
  const url = `http://${probe.hostName}:${probe.port}${probe.path}`;
  return `ifurlup(${luaString(url)}, ${luaList(addresses)}, ${options})`;
}

function familyOf(members: readonly string[]): IpFamily {
  const family = ipFamily(members[0] as string);
  if (members.some((m) => ipFamily(m) !== family)) {
    throw new Error(`LUA record members mix IPv4 and IPv6: ${members.join(", ")}`);
  }
  return family;
}

/**
 * The code of the record, as PowerDNS runs it: an expression (PowerDNS prepends `return`), or
 * statements after a leading ';'.
 */
export function luaAnswerCode(answer: PowerDnsLuaAnswer): string {
  if (answer.members.length === 0) throw new Error("a LUA record needs at least one member");
  const family = familyOf(answer.members);
  const { selector, sample } = selectorOf(answer.selection);
  const timeout = `timeout=${luaString(String(answer.probe.timeoutSeconds))}`;
  const picked = (list: string) => (sample ? `pickrandomsample(${sample}, ${list})` : list);

  if (answer.allUnhealthy.kind === "all") {
    const options = `{selector=${luaString(selector)}, backupSelector=${luaString(selector)}, ${timeout}}`;
    const call = probeCall(answer.probe, answer.members, options);
    return sample ? `;return ${picked(call)}` : call;
  }

  const sentinel = UNREACHABLE_SENTINEL[family];
  const options = `{selector=${luaString(selector)}, backupSelector='all', ${timeout}}`;
  const call = probeCall(answer.probe, [...answer.members, sentinel], options);
  const fallback =
    answer.allUnhealthy.kind === "none"
      ? "{}"
      : luaList(answer.allUnhealthy.addresses.filter((a) => ipFamily(a) === family));
  return `;local up = ${call} if up[#up] == ${luaString(sentinel)} then return ${fallback} end return ${picked("up")}`;
}
