/**
 * A namespace with PowerDNS authoritative servers and pool members, for the PowerDNS daemon tier.
 *
 * Everything lives in one namespace on 198.18.0.0/24: each server and each member has an address
 * of its own on the namespace's interface, members are small HTTP servers (node) on port 8080, and
 * queries are real DNS queries sent with `dig` from inside the namespace. Every process is started
 * by this module and stopped by its PID; deleting the namespace kills whatever is left in it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { renderPowerDnsConf } from "../../lib/render/powerdns-conf";
import { renderBindNamedConf } from "../../lib/render/powerdns-named-conf";
import { POWERDNS_CHECK_EXPIRE_SECONDS } from "../../lib/render/powerdns-timing";
import { type NetworkNamespace, waitUntil } from "../support/netns";

/** Upper bound for a daemon to start listening. */
const START_TIMEOUT_MS = 10_000;

/** The answer to one query. */
export interface DnsAnswer {
  /** NOERROR, NXDOMAIN, SERVFAIL, ...; "TIMEOUT" when no answer came. */
  readonly status: string;
  /** Addresses in the answer section, sorted. */
  readonly addresses: readonly string[];
  /** Number of records in the authority section (an empty NOERROR answer carries the SOA). */
  readonly authority: number;
}

/** Sends one query for `name`/`type` to `server` from inside `ns` and reads the answer. */
export function query(
  ns: NetworkNamespace,
  server: string,
  name: string,
  type: "A" | "AAAA" = "A",
): DnsAnswer {
  const r = ns.exec("dig", [
    "+tries=1",
    "+time=1",
    "+norecurse",
    "+noall",
    "+comments",
    "+answer",
    "+authority",
    `@${server}`,
    name,
    type,
  ]);
  const status = /status: ([A-Z]+)/.exec(r.stdout)?.[1] ?? "TIMEOUT";
  const records = r.stdout.split("\n").filter((l) => l.length > 0 && !l.startsWith(";"));
  const addresses = records
    .map((l) => /^\S+\s+\d+\s+IN\s+(?:A|AAAA)\s+(\S+)$/.exec(l)?.[1])
    .filter((a): a is string => a !== undefined)
    .sort();
  return { status, addresses, authority: records.filter((l) => /\sIN\s+SOA\s/.test(l)).length };
}

/** A process this module started in the namespace. */
export class LabProcess {
  private readonly child: ChildProcess;
  private exited = false;

  constructor(
    ns: NetworkNamespace,
    public readonly what: string,
    argv: readonly string[],
    public readonly logPath?: string,
  ) {
    const out = logPath === undefined ? "ignore" : openSync(logPath, "a");
    this.child = spawn("ip", ["netns", "exec", ns.name, ...argv], { stdio: ["ignore", out, out] });
    if (typeof out === "number") closeSync(out);
    this.child.once("exit", () => {
      this.exited = true;
    });
  }

  /** The PID (`ip netns exec` replaces itself with the command, so it is the daemon's own). */
  public get pid(): number {
    return this.child.pid as number;
  }

  /** Kills the process with `signal` (SIGKILL: it dies as a crashed daemon would); safe to repeat. */
  public kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (!this.exited) this.child.kill(signal);
  }

  /** What the process logged, for failure messages. */
  public log(): string {
    return this.logPath === undefined ? "" : readFileSync(this.logPath, "utf8");
  }
}

/** Whether something in `ns` listens on TCP `address`:`port`. */
export function listening(ns: NetworkNamespace, address: string, port: number): boolean {
  const socket = address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
  const r = ns.exec("ss", ["-Hltn", "src", socket]);
  return r.status === 0 && r.stdout.trim().length > 0;
}

const MEMBER_SCRIPT = `
const [address, ...ports] = process.argv.slice(1);
const answer = (req, res) => {
  res.writeHead(req.url === "/healthz" ? 200 : 404);
  res.end("ok");
};
for (const port of ports) require("node:http").createServer(answer).listen(Number(port), address);
`;

/** Starts a member: one process with an HTTP server on `address` at each port, 200 on /healthz. */
export function startMember(ns: NetworkNamespace, address: string, ports: readonly number[]): LabProcess {
  const argv = [process.execPath, "-e", MEMBER_SCRIPT, address, ...ports.map(String)];
  const member = new LabProcess(ns, `member ${address}`, argv);
  waitUntil(
    `member ${address} to listen`,
    () => ports.every((port) => listening(ns, address, port)),
    START_TIMEOUT_MS,
  );
  return member;
}

/**
 * Writes the rendered pdns.conf, named.conf and the zone text of `zone` to `dir` (made here), for
 * a server on `address` whose checks run every `intervalSeconds`; then starts it (see below).
 */
export function serveRenderedZone(
  ns: NetworkNamespace,
  address: string,
  dir: string,
  zone: string,
  zoneText: string,
  intervalSeconds: number,
): LabProcess {
  mkdirSync(dir);
  writeFileSync(`${dir}/${zone}.zone`, zoneText);
  writeFileSync(`${dir}/named.conf`, renderBindNamedConf([{ name: zone, file: `${dir}/${zone}.zone` }]));
  writeFileSync(
    `${dir}/pdns.conf`,
    renderPowerDnsConf({
      localAddresses: [address],
      localPort: 53,
      bindConfigPath: `${dir}/named.conf`,
      healthCheckIntervalSeconds: intervalSeconds,
      healthCheckExpireSeconds: POWERDNS_CHECK_EXPIRE_SECONDS,
    }),
  );
  return startPowerDns(ns, address, dir, zone);
}

/** Starts `pdns_server` with the pdns.conf in `configDir`, and waits until it answers for `zone`. */
export function startPowerDns(
  ns: NetworkNamespace,
  address: string,
  configDir: string,
  zone: string,
): LabProcess {
  const server = new LabProcess(
    ns,
    `pdns_server ${address}`,
    ["pdns_server", `--config-dir=${configDir}`, `--socket-dir=${configDir}`],
    `${configDir}/pdns.log`,
  );
  try {
    waitUntil(
      `pdns_server on ${address} to answer`,
      () => query(ns, address, zone, "A").status === "NOERROR",
      START_TIMEOUT_MS,
      100,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; its log:\n${server.log()}`);
  }
  return server;
}

/**
 * Polls `done` every `pollMs` until it holds or `timeoutMs` passes; returns the milliseconds it
 * took, or throws with `what`.
 */
export function measureUntil(what: string, done: () => boolean, timeoutMs: number, pollMs = 20): number {
  const start = performance.now();
  waitUntil(what, done, timeoutMs, pollMs);
  return Math.round(performance.now() - start);
}
