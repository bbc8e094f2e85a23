/**
 * The namespace lab: a synthesized Docker stack brought up as Linux namespaces.
 *
 * - one network namespace per `docker_network`, holding a bridge `br0` with the gateway address;
 * - one network namespace per `docker_container`, with one veth per attachment (eth0, eth1, ...
 *   in the container's order) carrying its static address, and the container's sysctls;
 * - per container, its command run as PID 1 of its own PID, mount and UTS namespaces, with the
 *   uploaded files overlaid at their paths, each `docker_volume` a directory of the lab's work
 *   directory bind-mounted at its path (kept across restarts), each secret file (an upload of a
 *   `random_password`, whose value the lab generates once) bind-mounted with its mode, /etc/hosts and /etc/resolv.conf as Docker would give
 *   them, a private /run and /tmp, Docker's default capabilities plus the added ones, and the
 *   container's environment;
 * - one client namespace per network.
 *
 * Nothing is attached to the machine's own network namespace. Every namespace and process the
 * lab makes is recorded when it is made, and `teardown` removes exactly those.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freeAddress } from "./addresses";
import { registerCleanup } from "./cleanup-registry";
import { DrillError } from "./drill-error";
import { logFileTail } from "./host-logs";
import { checkUploadsPlaceable, stageHost } from "./host-stage";
import type { Lab, LabClientPlace, LabInterface, LabOptions } from "./lab";
import { buildBridge, buildEndpoint, unwireEndpoint, type WiredAttachment } from "./namespace-network";
import { NamespaceProcesses } from "./namespace-processes";
import type { RunOptions, RunResult } from "./proc";
import type { DrillContainer, DrillNetwork, DrillStack } from "./stack";
import { standInCommand } from "./stand-in";
import { generateSecrets } from "./storage";
import { together } from "./together";

/**
 * What a lab that holds only part of the stack needs (a split lab's two halves, see
 * `split-lab.ts`): every option defaults to a whole lab.
 */
export interface NamespaceLabOptions extends LabOptions {
  /** Hosts another lab runs: not made here, their addresses still taken. @default none */
  readonly remoteHosts?: readonly string[];
  /** Make a client place per network. @default true */
  readonly clients?: boolean;
  /** Give each network's bridge the gateway address (false where another half holds it). @default true */
  readonly bridgeGateways?: boolean;
  /** Interfaces of this machine joined to a network's bridge, by network key (a VM's NIC). */
  readonly uplinks?: ReadonlyMap<string, string>;
  /** Where the hosts' output goes. @default the work directory's `logs` */
  readonly logDir?: string;
  /** The `random_password` values, when another half of the lab generated them. */
  readonly secrets?: ReadonlyMap<string, string>;
}

/** One container of the stack in the lab. */
interface NsHost {
  readonly container: DrillContainer;
  readonly netns: string;
  readonly wires: readonly WiredAttachment[];
  readonly command: readonly string[];
  readonly standIn: boolean;
  readonly logFile: string;
  /** Its network has carried a running host: the next start gets a fresh one. */
  used: boolean;
}

interface NsClient extends LabClientPlace {
  readonly wire: WiredAttachment;
}

/** Short random prefix for the lab's namespace names. */
function labPrefix(): string {
  return `hd${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3)
    .toString(36)
    .padStart(3, "0")}`;
}

function commandOf(c: DrillContainer, options: LabOptions): { command: readonly string[]; standIn: boolean } {
  if (c.command) return { command: c.command, standIn: false };
  const port = options.standInPorts?.get(c.key);
  if (port === undefined) {
    throw new DrillError(
      `${c.key} has no command and no load balancer sends traffic to it: the drill cannot stand in for its image`,
    );
  }
  return { command: standInCommand(port, c.hostname), standIn: true };
}

export class NamespaceLab implements Lab {
  public readonly prefix: string;
  public readonly workDir: string;
  private readonly bridges: ReadonlyMap<string, string>;
  private readonly hosts = new Map<string, NsHost>();
  private readonly clients = new Map<string, NsClient>();
  private readonly procs: NamespaceProcesses;
  private readonly keepWorkDir: boolean;
  /** One value per `random_password`, for as long as the lab lives. */
  private readonly secrets: ReadonlyMap<string, string>;
  /** Namespaces this lab created and has not deleted yet, in creation order. */
  private readonly namespaces: string[] = [];
  /** Unregisters the last-resort cleanup (at exit or on SIGINT/SIGTERM) once torn down. */
  private unregisterCleanup: () => void = () => undefined;
  private torn = false;
  private tearingDown: Promise<string[]> | undefined;

  /** Hosts another lab runs (not made here). */
  private readonly remote: ReadonlySet<string>;
  private readonly options: NamespaceLabOptions;

  private constructor(
    public readonly stack: DrillStack,
    options: NamespaceLabOptions,
  ) {
    this.options = options;
    this.remote = new Set(options.remoteHosts ?? []);
    this.prefix = labPrefix();
    this.workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "ha-drill-"));
    this.keepWorkDir = options.keepWorkDir ?? false;
    const logDir = options.logDir ?? path.join(this.workDir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    this.procs = new NamespaceProcesses(logDir);
    this.bridges = new Map(stack.networks.map((n, i) => [n.key, `${this.prefix}-net${i}`]));
    this.secrets = options.secrets ?? generateSecrets(stack.secrets);
    for (const v of stack.volumes) fs.mkdirSync(this.volumeDir(v.key), { recursive: true, mode: 0o755 });
    stack.containers.forEach((container, i) => {
      checkUploadsPlaceable(container);
      this.hosts.set(container.hostname, {
        container,
        netns: `${this.prefix}-${container.hostname}`,
        wires: container.attachments.map((a, j) => ({
          network: this.network(a.network),
          bridgeNetns: this.bridges.get(a.network) as string,
          port: `h${i}a${j}`,
          iface: a.interface,
          address: a.address,
        })),
        ...commandOf(container, options),
        logFile: path.join(logDir, `${container.hostname}.log`),
        used: false,
      });
    });
    const taken = [...stack.containers.flatMap((c) => c.attachments.map((a) => a.address))];
    if (options.clients === false) return;
    stack.networks.forEach((network, i) => {
      const address = freeAddress(network, [...taken, ...(options.reservedAddresses ?? [])]);
      const place = `${this.prefix}-client${i}`;
      const wire = {
        network,
        bridgeNetns: this.bridges.get(network.key) as string,
        port: `c${i}`,
        iface: "eth0",
        address,
      };
      this.clients.set(network.key, { place, network: network.key, address, wire });
    });
  }

  /**
   * Creates the namespaces, bridges and links of `stack` (processes are started separately).
   * On failure everything made so far is removed before the error is thrown.
   */
  public static async create(stack: DrillStack, options: NamespaceLabOptions = {}): Promise<NamespaceLab> {
    const lab = new NamespaceLab(stack, options);
    lab.unregisterCleanup = registerCleanup(`namespace lab ${lab.prefix}`, () => lab.teardownSync());
    try {
      await lab.build();
    } catch (e) {
      await lab.teardown();
      throw e;
    }
    return lab;
  }

  /** A volume's directory: kept across the restarts of the hosts that mount it. */
  private volumeDir(key: string): string {
    return path.join(this.workDir, "volumes", key);
  }

  private network(key: string): DrillNetwork {
    return this.stack.networks.find((n) => n.key === key) as DrillNetwork;
  }

  /** A host of the stack, wherever it runs. */
  private known(hostname: string): NsHost {
    const h = this.hosts.get(hostname);
    if (!h) throw new DrillError(`no host ${hostname} in the lab`);
    return h;
  }

  /** A host this lab runs. */
  private host(hostname: string): NsHost {
    const h = this.known(hostname);
    if (this.remote.has(hostname)) throw new DrillError(`${hostname} runs in another part of the lab`);
    return h;
  }

  private run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.procs.registry.run(argv, options);
  }

  private async addNamespace(name: string): Promise<void> {
    // Never touch a namespace this lab did not make: refuse a name that is taken. Recorded before
    // `ip netns add` runs, so that one interrupted half-way is removed too.
    if (fs.existsSync(`/run/netns/${name}`)) throw new DrillError(`namespace ${name} exists already`);
    this.namespaces.push(name);
    await this.run(["ip", "netns", "add", name]);
  }

  private async deleteNamespace(name: string): Promise<void> {
    await this.run(["ip", "netns", "delete", name], { allowFailure: true });
    const i = this.namespaces.indexOf(name);
    if (i >= 0) this.namespaces.splice(i, 1);
  }

  private async build(): Promise<void> {
    const run = this.run.bind(this);
    for (const n of this.stack.networks) {
      const netns = this.bridges.get(n.key) as string;
      await this.addNamespace(netns);
      await buildBridge(run, netns, n, this.options.bridgeGateways !== false);
      const uplink = this.options.uplinks?.get(n.key);
      if (uplink) {
        await run(["ip", "link", "set", uplink, "netns", netns]);
        await run(["ip", "-n", netns, "link", "set", uplink, "master", "br0", "up"]);
      }
    }
    // The endpoints at once (each its own namespace, on bridges made above): their commands
    // overlap instead of queueing, which on an emulated CPU is most of a lab's making. All are
    // waited for, so that create() tears down only when none is still under way.
    const endpoints = [
      ...[...this.hosts.values()]
        .filter((h) => !this.remote.has(h.container.hostname))
        .map((h) => ({
          netns: h.netns,
          wires: h.wires,
          sysctls: h.container.sysctls,
        })),
      ...[...this.clients.values()].map((c) => ({ netns: c.place, wires: [c.wire], sysctls: {} })),
    ];
    await together(
      endpoints.map(async (e) => {
        await this.addNamespace(e.netns);
        await buildEndpoint(run, e.netns, e.wires, e.sysctls);
      }),
    );
  }

  /** Replaces a host's network namespace with a fresh one, as a restarted container gets. */
  private async freshNetwork(h: NsHost): Promise<void> {
    const run = this.run.bind(this);
    await unwireEndpoint(run, h.wires);
    await this.deleteNamespace(h.netns);
    await this.addNamespace(h.netns);
    await buildEndpoint(run, h.netns, h.wires, h.container.sysctls);
  }

  public hostnames(): readonly string[] {
    return [...this.hosts.keys()];
  }

  /** The namespace holding a network's bridge `br0`. */
  public bridgeNamespace(network: string): string {
    const ns = this.bridges.get(network);
    if (!ns) throw new DrillError(`no network ${network} in the lab`);
    return ns;
  }

  /** The `random_password` values this lab gives its hosts. */
  public get secretValues(): ReadonlyMap<string, string> {
    return this.secrets;
  }

  public container(hostname: string): DrillContainer {
    return this.known(hostname).container;
  }

  public isStandIn(hostname: string): boolean {
    return this.known(hostname).standIn;
  }

  public async startHost(hostname: string): Promise<void> {
    const h = this.host(hostname);
    if (this.procs.isRunning(hostname)) throw new DrillError(`${hostname} is already running`);
    if (h.used) await this.freshNetwork(h);
    h.used = true;
    const site = {
      workDir: this.workDir,
      mountTag: this.prefix,
      secrets: this.secrets,
      volumeDir: (key: string) => this.volumeDir(key),
    };
    const script = stageHost(h, site, this.stack.containers);
    await this.procs.startHost(hostname, h.netns, script, h.command);
  }

  public stopHost(hostname: string, graceMs = 5000): Promise<void> {
    this.host(hostname);
    return this.procs.stopHost(hostname, graceMs);
  }

  public killHost(hostname: string): Promise<void> {
    this.host(hostname);
    return this.procs.stopHost(hostname, 0);
  }

  public isRunning(hostname: string): boolean {
    return this.procs.isRunning(hostname);
  }

  public exec(hostname: string, argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    const pid = this.procs.initPid(hostname);
    return this.run(["nsenter", "-t", String(pid), "-n", "-m", "-u", "-p", "--", ...argv], options);
  }

  public async readFile(hostname: string, file: string): Promise<string | undefined> {
    if (!this.procs.isRunning(hostname)) return undefined;
    try {
      return await fs.promises.readFile(this.procs.hostPath(hostname, file), "utf8");
    } catch {
      return undefined;
    }
  }

  public async writeFile(hostname: string, file: string, content: string): Promise<void> {
    const p = this.procs.hostPath(hostname, file);
    await fs.promises.mkdir(path.dirname(p), { recursive: true });
    await fs.promises.writeFile(p, content);
  }

  public async killProcessTree(hostname: string, pid: number): Promise<number> {
    return this.procs.killTree(hostname, pid);
  }

  public interfaces(hostname: string): readonly LabInterface[] {
    return this.known(hostname).wires.map((w) => ({
      name: w.iface,
      network: w.network.key,
      address: w.address,
      prefixLength: w.network.subnet.prefixLength,
    }));
  }

  public async addresses(hostname: string, iface?: string): Promise<string[]> {
    const netns = this.host(hostname).netns;
    const r = await this.run(
      ["ip", "-n", netns, "-o", "-4", "addr", "show", ...(iface ? ["dev", iface] : [])],
      {
        allowFailure: true,
        timeoutMs: 3000,
      },
    );
    return [...r.stdout.matchAll(/^\d+:\s+(\S+)\s+inet (\d+\.\d+\.\d+\.\d+)\//gm)]
      .filter((m) => m[1] !== "lo")
      .map((m) => m[2] as string);
  }

  public async setLink(hostname: string, iface: string, up: boolean): Promise<void> {
    await this.run(["ip", "-n", this.host(hostname).netns, "link", "set", iface, up ? "up" : "down"]);
  }

  public async applyNft(hostname: string, ruleset: string): Promise<void> {
    await this.run(["nsenter", `--net=/run/netns/${this.host(hostname).netns}`, "--", "nft", "-f", "-"], {
      input: ruleset,
    });
  }

  public async removeNft(hostname: string, family: string, table: string): Promise<void> {
    const netns = this.host(hostname).netns;
    await this.run(["nsenter", `--net=/run/netns/${netns}`, "--", "nft", "delete", "table", family, table]);
  }

  public clientOn(network: string): LabClientPlace {
    const c = this.clients.get(network);
    if (!c) throw new DrillError(`no network ${network} in the lab`);
    return { place: c.place, network: c.network, address: c.address };
  }

  public spawn(place: string, argv: readonly string[], label: string): ChildProcess {
    const netns = this.hosts.has(place)
      ? this.host(place).netns
      : [...this.clients.values()].find((c) => c.place === place)?.place;
    if (!netns) throw new DrillError(`no host or client place ${place} in the lab`);
    return this.procs.registry.spawn(["nsenter", `--net=/run/netns/${netns}`, "--", ...argv], label, {
      stdio: ["pipe", "pipe", "pipe"],
    });
  }

  public logTail(hostname: string, lines = 40): string {
    return logFileTail(this.host(hostname).logFile, lines);
  }

  /**
   * Stops every process (by PID) and deletes every namespace this lab made, then its work
   * directory. Safe to call more than once. Returns what could not be removed.
   */
  public teardown(): Promise<string[]> {
    // A second caller (an interrupt during the run's own cleanup) waits for the same teardown.
    this.tearingDown ??= this.doTeardown();
    return this.tearingDown;
  }

  private async doTeardown(): Promise<string[]> {
    this.torn = true;
    const problems = await this.procs.stopAll();
    for (const ns of [...this.namespaces].reverse()) {
      const r = await this.run(["ip", "netns", "delete", ns], { allowFailure: true, timeoutMs: 5000 });
      if (r.code !== 0 && fs.existsSync(`/run/netns/${ns}`))
        problems.push(`namespace ${ns}: ${r.stderr.trim()}`);
    }
    this.namespaces.length = 0;
    // `ip netns delete` itself is a tracked process; nothing else may be left.
    problems.push(...(await this.procs.registry.killAll()).map((p) => `process ${p} did not exit`));
    this.unregisterCleanup();
    if (!this.keepWorkDir) fs.rmSync(this.workDir, { recursive: true, force: true });
    return problems;
  }

  /** Last resort at process exit or on SIGINT/SIGTERM: synchronous kills and namespace removal. */
  private teardownSync(): void {
    if (this.torn) return;
    this.torn = true;
    this.procs.killAllSync();
    for (const ns of [...this.namespaces].reverse()) {
      spawnSync("ip", ["netns", "delete", ns], { timeout: 5000, stdio: "ignore" });
    }
    if (!this.keepWorkDir) fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
