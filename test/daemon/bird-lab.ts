/**
 * BIRD daemons and the L4 gate in network namespaces, for the daemon tier of the three tiers.
 *
 * Each namespace is made by `support/netns` (loopback only); `linkNamespaces` joins two with a
 * veth pair addressed from 198.18.0.0/15. BIRD runs in the foreground (`bird -f`) with a control
 * socket of its own in the scratch directory, so several run side by side and `birdc -s` talks
 * to one of them. IPVS is replaced by a stub `ipvsadm` that prints a file the test writes (this
 * kernel may have no IPVS): the gate reads it exactly as it reads `ipvsadm -Ln`. Every process
 * is started here and stopped by its PID; deleting a namespace kills what is left in it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CommandResult, type NetworkNamespace, runCommand, waitUntil } from "../support/netns";
import type { Scratch } from "./checkers";
import { LabProcess } from "./powerdns-lab";

/** Upper bound for BIRD to answer on its socket. */
const START_TIMEOUT_MS = 10_000;

/** Joins `a` and `b` with a veth pair: `aIf` with `aAddress` in `a`, `bIf` with `bAddress` in `b`. */
export function linkNamespaces(
  a: NetworkNamespace,
  aIf: string,
  aAddress: string,
  b: NetworkNamespace,
  bIf: string,
  bAddress: string,
): void {
  for (const cidr of [aAddress, bAddress]) {
    if (!cidr.startsWith("198.18.") && !cidr.startsWith("198.19."))
      throw new Error(`${cidr} is outside 198.18.0.0/15`);
  }
  must("ip", ["-n", a.name, "link", "add", aIf, "type", "veth", "peer", "name", bIf, "netns", b.name]);
  must("ip", ["-n", a.name, "addr", "add", aAddress, "dev", aIf]);
  must("ip", ["-n", b.name, "addr", "add", bAddress, "dev", bIf]);
  must("ip", ["-n", a.name, "link", "set", aIf, "up"]);
  must("ip", ["-n", b.name, "link", "set", bIf, "up"]);
}

function must(command: string, args: readonly string[]): CommandResult {
  const r = runCommand(command, args);
  if (r.status !== 0) throw new Error(`${r.command} failed: ${r.lines.join(" | ")}`);
  return r;
}

/** A BIRD daemon in a namespace. */
export class Bird {
  public readonly socket: string;
  public readonly process: LabProcess;
  /** The config file BIRD started with. */
  public readonly confPath: string;

  constructor(
    public readonly ns: NetworkNamespace,
    scratch: Scratch,
    public readonly name: string,
    conf: string,
  ) {
    const path = scratch.write(`${name}.bird.conf`, conf);
    this.confPath = path;
    this.socket = join(scratch.dir, `${name}.ctl`);
    this.process = new LabProcess(
      ns,
      `bird ${name}`,
      ["bird", "-f", "-c", path, "-s", this.socket],
      join(scratch.dir, `${name}.bird.log`),
    );
    waitUntil(
      `BIRD ${name} to answer on ${this.socket}`,
      () => this.birdc("show", "status").status === 0,
      START_TIMEOUT_MS,
    );
  }

  /** Runs `birdc -s <socket> ARGS...` inside the namespace. */
  public birdc(...args: string[]): CommandResult {
    return this.ns.exec("birdc", ["-s", this.socket, ...args]);
  }

  /** Protocol name → state ("up", "down", "start") as `show protocols` prints them. */
  public protocols(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const line of this.birdc("show", "protocols").lines.slice(2)) {
      const [name, , , state] = line.trim().split(/\s+/);
      if (name !== undefined && state !== undefined) states[name] = state;
    }
    return states;
  }

  /** The `Info` column of a BGP protocol, e.g. "Established". */
  public bgpInfo(protocol: string): string {
    const line = this.birdc("show", "protocols", protocol).lines.find((l) => l.startsWith(`${protocol} `));
    return line?.trim().split(/\s+/).slice(5).join(" ") ?? "";
  }

  /**
   * How many routes `protocol`'s import filter refused so far: the "filtered" column of its
   * "Import updates" line in `show protocols all`; -1 when BIRD printed no such line.
   */
  public importFiltered(protocol: string): number {
    const row = this.birdc("show", "protocols", "all", protocol).lines.find((l) =>
      l.trim().startsWith("Import updates:"),
    );
    const counts = row?.replace("Import updates:", "").trim().split(/\s+/).map(Number) ?? [];
    // received, rejected, filtered, ignored, accepted
    return counts.length === 5 && Number.isFinite(counts[2]) ? (counts[2] as number) : -1;
  }

  /** Loads another config file (`birdc configure "<path>"`); true when BIRD took it. */
  public configure(path: string): boolean {
    return this.birdc("configure", `"${path}"`).lines.some((l) =>
      /Reconfigured|Reconfiguration in progress/.test(l),
    );
  }

  public stop(): void {
    this.process.kill("SIGTERM");
  }
}

/** The next hops (gateway addresses, sorted) of the kernel route to `prefix` in `ns`; [] when none. */
export function nextHops(ns: NetworkNamespace, prefix: string): string[] {
  const r = ns.exec("ip", ["-j", "route", "show", prefix]);
  const routes = JSON.parse(r.stdout || "[]") as Array<{
    gateway?: string;
    nexthops?: Array<{ gateway?: string }>;
  }>;
  return routes
    .flatMap((route) => (route.nexthops ? route.nexthops.map((n) => n.gateway) : [route.gateway]))
    .filter((g): g is string => g !== undefined)
    .sort();
}

/** A stub `ipvsadm` in its own directory: prints `state` (rewritten by `set`) like `ipvsadm -Ln`. */
export class IpvsStub {
  public readonly dir: string;
  private readonly statePath: string;
  private readonly callsPath: string;

  constructor(scratch: Scratch, name: string) {
    const script = scratch.write(`${name}-ipvsadm`, "", 0o755);
    this.dir = `${script}.d`;
    runCommand("mkdir", ["-p", this.dir]);
    this.statePath = join(this.dir, "state");
    writeFileSync(this.statePath, "");
    this.callsPath = join(this.dir, "calls");
    writeFileSync(this.callsPath, "");
    this.heal();
  }

  /** From now on `ipvsadm` fails as it does without IPVS, until `heal`. */
  public fail(): void {
    writeFileSync(
      join(this.dir, "ipvsadm"),
      "#!/bin/sh\necho 'Can't initialize ipvs: Protocol not available' >&2\nexit 2\n",
      { mode: 0o755 },
    );
  }

  /** `ipvsadm` prints the state again (and counts its calls). */
  public heal(): void {
    writeFileSync(join(this.dir, "ipvsadm"), `#!/bin/sh\necho >>${this.callsPath}\ncat ${this.statePath}\n`, {
      mode: 0o755,
    });
  }

  /**
   * A file laid out as the kernel's IPVS table as far as a running gate looks at it (the kind,
   * the service and each real server's weight in the same columns): what `set` wrote.
   */
  public get table(): string {
    return this.statePath;
  }

  /** How often `ipvsadm` ran since the last call (the gate's full rounds). */
  public takeCalls(): number {
    const n = readFileSync(this.callsPath, "utf8").length;
    writeFileSync(this.callsPath, "");
    return n;
  }

  /** What `ipvsadm -Ln` prints from now on: each virtual service with its real servers' weights. */
  public set(services: Record<string, readonly number[]>): void {
    const out = ["IP Virtual Server version 1.2.1 (size=4096)", "Prot LocalAddress:Port Scheduler Flags"];
    out.push("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn");
    for (const [service, weights] of Object.entries(services)) {
      out.push(`${service} mh (mh-port)`);
      weights.forEach((w, i) => {
        out.push(`  -> 198.18.2.${11 + i}:80              Tunnel  ${w}      0          0`);
      });
    }
    writeFileSync(this.statePath, `${out.join("\n")}\n`);
  }

  /** The environment's PATH with the stub first. */
  public get path(): string {
    return `${this.dir}:${process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"}`;
  }
}

/** Runs the gate once (`ha-l4-gate once`) in `ns` with the stub first on PATH. */
export function gateOnce(ns: NetworkNamespace, gate: string, stub: IpvsStub): CommandResult {
  return ns.exec("env", [`PATH=${stub.path}`, "bash", gate, "once"]);
}

/** Starts the gate (`ha-l4-gate run`) in `ns` with the stub first on PATH; logs to the scratch dir. */
export function startGate(
  ns: NetworkNamespace,
  scratch: Scratch,
  name: string,
  gate: string,
  stub: IpvsStub,
): LabProcess {
  return new LabProcess(
    ns,
    `gate ${name}`,
    ["env", `PATH=${stub.path}`, "bash", gate, "run"],
    join(scratch.dir, `${name}.gate.log`),
  );
}
