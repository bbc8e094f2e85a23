/**
 * The DNS client: sends one query for a name every probe, over UDP from a new socket with a
 * random id (TCP when the reply is truncated), as a stub resolver asking afresh would, and
 * records how it ended, the addresses and TTL of the answer, and which server gave it.
 *
 * It asks either one `server` (what that server answers now) or, without one, the servers of a
 * resolv.conf in glibc's order and waits (what an application on a client sees: it keeps
 * resolving while one of its servers is dead, one server wait later). `queryDns` asks once.
 */
import { isIP } from "node:net";
import { DrillError } from "../core/drill-error";
import type { Lab } from "../core/lab";
import { waitUntil } from "../core/wait";
import type { ClientKind, CommonOutcome, DrillClient, ProbePacing } from "./client";
import { DNS_MESSAGE_PY } from "./dns-message";
import { ProbeProcess, probeProgram } from "./probe-process";
import { parseResolvConf, type ResolvConf, serverWaits, worstCaseMs } from "./resolv-conf";

/**
 * How a DNS query ended: `ok` is NOERROR with at least one address, `empty` NOERROR without one
 * (a fail-closed pool's answer), `refused-rcode` a REFUSED answer (`refused`: the port is
 * closed), `error` also any other response code.
 */
export type DnsOutcome = CommonOutcome | "empty" | "nxdomain" | "servfail" | "refused-rcode" | "bad-response";

export type DnsRecordType = "A" | "AAAA";

/** What to ask and whom. */
export interface DnsQuery {
  /** The name, asked as a fully qualified name (no search domains): letters, digits, `-`, `_`, `.`. */
  readonly name: string;
  /** @default "A" */
  readonly type?: DnsRecordType;
  /**
   * The one server to ask (IPv4 or IPv6 address).
   * @default - ask the servers of `resolvConf`, in order, as glibc's resolver does
   */
  readonly server?: string;
  /** Port of `server`. @default 53 */
  readonly port?: number;
  /**
   * resolv.conf text for asking without `server`: its nameservers (port 53), `timeout:`,
   * `attempts:` and `rotate`.
   * @default - the /etc/resolv.conf of the place when the place is a host of the lab (a client
   * place has none of its own)
   */
  readonly resolvConf?: string;
}

/**
 * A running client's options. Without `server`, `timeoutMs` defaults to the resolver's longest
 * resolution (every server's wait, every attempt) plus 500 ms, so that a probe ends as the
 * resolver gives up rather than cut short.
 */
export interface DnsClientOptions extends DnsQuery, ProbePacing {}

export interface DnsQueryOptions extends DnsQuery {
  /** Limit for the query. @default 500, or as for `DnsClientOptions` without `server` */
  readonly timeoutMs?: number;
}

/** The answer to one query. */
export interface DnsAnswer {
  readonly outcome: DnsOutcome;
  /** Addresses of the answer, sorted as strings; empty when it has none. */
  readonly answers: readonly string[];
  /** The server that answered (with a resolv.conf: the one whose answer counted). */
  readonly answeredBy?: string;
  /** The response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ...). */
  readonly rcode?: number;
  /** The answer's smallest TTL; for an answer without addresses, the SOA's negative TTL. */
  readonly ttlSeconds?: number;
  /** From sending the query to its end, in milliseconds. */
  readonly elapsedMs: number;
}

/** The probe: one query to the server, or through the resolver's servers in its order. */
const PROBE_PY = `
${DNS_MESSAGE_PY.trim()}

NAME, QTYPE = CONFIG["name"], QTYPES[CONFIG["type"]]
RESOLVER = CONFIG["resolver"]
RCODE_KINDS = {2: "servfail", 3: "nxdomain", 5: "refused-rcode"}
turn = [0]

def note(rec, server, reply):
    rec["st"] = reply["rcode"]
    rec["by"] = server
    rec["an"] = reply["addresses"]
    if reply["ttl"] is not None:
        rec["tl"] = reply["ttl"]
    if reply["rcode"] == 0:
        rec["k"] = "ok" if reply["addresses"] else "empty"
    else:
        rec["k"] = RCODE_KINDS.get(reply["rcode"], "error")

async def resolve(rec):
    # glibc's order: every server in turn (each with its own wait), for every attempt; a server
    # that failed at once (closed port, SERVFAIL, REFUSED, NOTIMP) is not asked again.
    servers = list(zip(RESOLVER["nameservers"], RESOLVER["waits"]))
    if RESOLVER["rotate"]:
        k = turn[0] % len(servers)
        turn[0] += 1
        servers = servers[k:] + servers[:k]
    failed, last = set(), None
    for _ in range(RESOLVER["attempts"]):
        for server, wait in servers:
            if server in failed:
                continue
            try:
                reply = await ask(server, 53, NAME, QTYPE, wait)
            except asyncio.TimeoutError as exc:
                last = exc
                continue
            except (OSError, BadResponse, asyncio.IncompleteReadError) as exc:
                failed.add(server)
                last = exc
                continue
            if reply["rcode"] in (2, 4, 5):
                failed.add(server)
                last = (server, reply)
                continue
            note(rec, server, reply)
            return
    if isinstance(last, tuple):
        note(rec, *last)
        return
    raise last

async def probe(rec):
    try:
        if RESOLVER is None:
            note(rec, CONFIG["server"], await ask(CONFIG["server"], CONFIG["port"], NAME, QTYPE))
        else:
            await resolve(rec)
    except BadResponse as exc:
        rec["k"] = "bad-response"
        rec["x"] = str(exc)[:200]
    except asyncio.IncompleteReadError:
        rec["k"] = "reset"
`;

/** A name of letters, digits, `-` and `_` in labels of 1 to 63, 253 characters at most. */
const DNS_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?$/;

/** Throws for a name, type, server or port the client cannot ask. */
export function checkDnsQuery(q: DnsQuery): void {
  if (typeof q.name !== "string" || !DNS_NAME.test(q.name)) {
    throw new DrillError(
      `DNS name ${JSON.stringify(q.name)} is not a plain DNS name; use labels of 1 to 63 letters, digits, - and _ joined by dots`,
    );
  }
  if (q.type !== undefined && q.type !== "A" && q.type !== "AAAA")
    throw new DrillError(`DNS record type ${JSON.stringify(q.type)} is not supported; use A or AAAA`);
  if (q.server !== undefined && isIP(q.server) === 0)
    throw new DrillError(`DNS server ${JSON.stringify(q.server)} is not an IP address`);
  if (q.port !== undefined && !(Number.isInteger(q.port) && q.port >= 1 && q.port <= 65535))
    throw new DrillError(`DNS port ${JSON.stringify(q.port)} is not a port number (1 to 65535)`);
  if (q.server !== undefined && q.resolvConf !== undefined)
    throw new DrillError("give a DNS client either a server or a resolvConf, not both");
  if (q.server === undefined && q.port !== undefined)
    throw new DrillError("a DNS port needs a server; the servers of a resolv.conf are asked on port 53");
}

/** The resolv.conf to ask through: the given text, or the place's own when it is a host. */
async function resolverOf(lab: Lab, place: string, q: DnsQuery): Promise<ResolvConf> {
  if (q.resolvConf !== undefined) return parseResolvConf(q.resolvConf);
  if (!lab.hostnames().includes(place)) {
    throw new DrillError(
      `${place} is not a host of the lab and has no resolv.conf of its own; give the DNS client a server or a resolvConf`,
    );
  }
  const text = await lab.readFile(place, "/etc/resolv.conf");
  if (text === undefined) throw new DrillError(`${place} has no /etc/resolv.conf (is it running?)`);
  return parseResolvConf(text);
}

/** Where a client sends its queries, for reports: `dns://198.18.0.1:53/web.pool.test?type=A`. */
function targetOf(q: DnsQuery, type: DnsRecordType): string {
  if (q.server === undefined) return `dns:${q.name}?type=${type}`;
  const host = isIP(q.server) === 6 ? `[${q.server}]` : q.server;
  return `dns://${host}:${q.port ?? 53}/${q.name}?type=${type}`;
}

/** Checks the options and starts a probe process (`extra` joins its config); its probe limit. */
async function startDns(
  lab: Lab,
  place: string,
  options: DnsClientOptions,
  extra: object = {},
): Promise<{ client: ProbeProcess<DnsOutcome>; timeoutMs: number }> {
  checkDnsQuery(options);
  const type = options.type ?? "A";
  const conf = options.server === undefined ? await resolverOf(lab, place, options) : undefined;
  const timeoutMs = options.timeoutMs ?? (conf ? worstCaseMs(conf) + 500 : 500);
  const client = await ProbeProcess.start<DnsOutcome>(lab, place, {
    target: targetOf(options, type),
    name: "dns-client",
    program: probeProgram(PROBE_PY),
    pacing: { ...options, timeoutMs },
    config: {
      name: options.name,
      type,
      server: options.server ?? null,
      port: options.port ?? 53,
      resolver: conf ? { ...conf, waits: serverWaits(conf) } : null,
      ...extra,
    },
  });
  return { client, timeoutMs };
}

export const DNS_CLIENT: ClientKind<DnsClientOptions, DnsOutcome> = {
  kind: "dns",
  async start(lab: Lab, place: string, options: DnsClientOptions): Promise<DrillClient<DnsOutcome>> {
    return (await startDns(lab, place, options)).client;
  },
};

/** Asks once from `place` and returns the answer (or how the query failed). */
export async function queryDns(lab: Lab, place: string, options: DnsQueryOptions): Promise<DnsAnswer> {
  const pacing = { intervalMs: 5, maxSeconds: 600 };
  const { client, timeoutMs } = await startDns(lab, place, { ...options, ...pacing }, { maxProbes: 1 });
  try {
    // The probe ends within its limit; the margin covers a loaded machine.
    await waitUntil(() => client.records.length > 0, timeoutMs + 5000, 5);
  } finally {
    await client.stop();
  }
  const r = client.records[0];
  if (!r) throw new DrillError(`the DNS query for ${options.name} gave no result`);
  return {
    outcome: r.outcome,
    answers: r.answers ?? [],
    ...(r.answeredBy !== undefined ? { answeredBy: r.answeredBy } : {}),
    ...(r.status !== undefined ? { rcode: r.status } : {}),
    ...(r.ttlSeconds !== undefined ? { ttlSeconds: r.ttlSeconds } : {}),
    elapsedMs: Math.round((r.endMs - r.startMs) * 1000) / 1000,
  };
}
