/**
 * The lab: a synthesized Docker stack brought up as Linux namespaces.
 *
 * - one network namespace per `docker_network`, holding a bridge `br0` with the gateway address;
 * - one network namespace per `docker_container`, with `eth0` (a veth whose peer is a bridge
 *   port) carrying the container's static address, and the container's sysctls;
 * - per container, its command run as PID 1 of its own PID, mount and UTS namespaces, with the
 *   uploaded files overlaid at their paths, a private /run and /tmp, Docker's default
 *   capabilities plus the added ones, and the container's environment.
 *
 * Nothing is attached to the machine's own network namespace. Every namespace and process the
 * lab makes is recorded when it is made, and `teardown` removes exactly those.
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEMO_BACKEND_PATH, renderDemoBackend } from "../render/demo-backend";
import {
  childrenOf,
  killPid,
  nowMs,
  outerPid,
  ProcessRegistry,
  pidAlive,
  processTree,
  type RunOptions,
  type RunResult,
  shellQuote,
  sleep,
} from "./proc";
import {
  type DrillContainer,
  DrillError,
  type DrillNetwork,
  type DrillStack,
  type DrillUpload,
} from "./stack";

/** Docker's default capability set; `capabilities.add` extends it. */
export const DOCKER_DEFAULT_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
] as const;

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Paths a drill cannot overlay files onto: the lab mounts its own there. */
const RESERVED_PREFIXES = ["/proc", "/sys", "/dev", "/run", "/tmp"];

/** One container of the stack in the lab. */
export interface LabHost {
  readonly container: DrillContainer;
  readonly hostname: string;
  readonly address: string;
  /** Network namespace name. */
  readonly netns: string;
  readonly network: LabNetwork;
  /** Name of this host's bridge port (in the network's namespace). */
  readonly bridgePort: string;
  /** The command run as PID 1 (the container's, or the stand-in server's). */
  readonly command: readonly string[];
  /** true when the container had no command and runs the stand-in HTTP server. */
  readonly standIn: boolean;
  readonly logFile: string;
}

/** One network of the stack in the lab. */
export interface LabNetwork {
  readonly network: DrillNetwork;
  /** Network namespace holding the bridge. */
  readonly netns: string;
}

interface Running {
  /** The launcher (unshare) process. */
  readonly child: ChildProcess;
  /** PID 1 of the host's PID namespace, as seen from here. */
  readonly initPid: number;
  readonly startedAt: number;
}

export interface LabOptions {
  /** Port the stand-in server listens on, per container key, for containers without a command. */
  readonly standInPorts?: ReadonlyMap<string, number>;
  /** Directory for logs and staged files. @default - a new directory under the OS temp dir */
  readonly workDir?: string;
  /** Keep the work directory (logs) after teardown. @default false */
  readonly keepWorkDir?: boolean;
}

/** Short random prefix for the lab's namespace names. */
function labPrefix(): string {
  return `hd${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3)
    .toString(36)
    .padStart(3, "0")}`;
}

function prefixLength(net: DrillNetwork): number {
  return net.subnet.prefixLength;
}

/** The deepest existing directory on this machine that contains `dir` (or `dir` itself). */
function existingAncestor(dir: string): string {
  let current = dir;
  while (current !== "/" && !fs.existsSync(current)) current = path.dirname(current);
  return current;
}

export class Lab {
  public readonly prefix: string;
  public readonly workDir: string;
  public readonly networks: readonly LabNetwork[];
  public readonly hosts: ReadonlyMap<string, LabHost>;
  /** Client namespace per network key. */
  public readonly clients: ReadonlyMap<string, { netns: string; address: string; network: LabNetwork }>;
  public readonly procs = new ProcessRegistry();
  private readonly keepWorkDir: boolean;
  /** Namespaces this lab created and has not deleted yet, in creation order. */
  private readonly namespaces: string[] = [];
  private readonly running = new Map<string, Running>();
  private readonly exitHandler = () => this.teardownSync();
  private torn = false;
  private tearingDown: Promise<string[]> | undefined;

  private constructor(stack: DrillStack, clientAddresses: ReadonlyMap<string, string>, options: LabOptions) {
    this.prefix = labPrefix();
    this.workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "ha-drill-"));
    this.keepWorkDir = options.keepWorkDir ?? false;
    fs.mkdirSync(path.join(this.workDir, "logs"), { recursive: true });
    this.networks = stack.networks.map((network, i) => ({ network, netns: `${this.prefix}-net${i}` }));
    const hosts = new Map<string, LabHost>();
    stack.containers.forEach((container, i) => {
      const network = this.networks.find((n) => n.network.key === container.network) as LabNetwork;
      const standInPort = options.standInPorts?.get(container.key);
      const command =
        container.command ??
        (standInPort !== undefined
          ? ["/usr/bin/python3", DEMO_BACKEND_PATH, String(standInPort), container.hostname]
          : undefined);
      if (!command) {
        throw new DrillError(
          `${container.key} has no command and no load balancer sends traffic to it: the drill cannot stand in for its image`,
        );
      }
      for (const u of container.uploads) {
        if (RESERVED_PREFIXES.some((p) => u.file === p || u.file.startsWith(`${p}/`))) {
          throw new DrillError(`${container.key}: uploads under ${u.file} are not supported by drills`);
        }
      }
      hosts.set(container.hostname, {
        container,
        hostname: container.hostname,
        address: container.address,
        netns: `${this.prefix}-${container.hostname}`,
        network,
        bridgePort: `p${i}`,
        command,
        standIn: container.command === undefined,
        logFile: path.join(this.workDir, "logs", `${container.hostname}.log`),
      });
    });
    this.hosts = hosts;
    this.clients = new Map(
      this.networks.map((n, i) => [
        n.network.key,
        {
          netns: `${this.prefix}-client${i}`,
          address: clientAddresses.get(n.network.key) as string,
          network: n,
        },
      ]),
    );
  }

  /**
   * Creates the namespaces, bridges and links of `stack` (processes are started separately).
   * On failure everything made so far is removed before the error is thrown.
   */
  public static async create(
    stack: DrillStack,
    clientAddresses: ReadonlyMap<string, string>,
    options: LabOptions = {},
  ): Promise<Lab> {
    const lab = new Lab(stack, clientAddresses, options);
    process.on("exit", lab.exitHandler);
    try {
      await lab.build();
    } catch (e) {
      await lab.teardown();
      throw e;
    }
    return lab;
  }

  public host(hostname: string): LabHost {
    const h = this.hosts.get(hostname);
    if (!h) throw new DrillError(`no host ${hostname} in the lab`);
    return h;
  }

  /** Runs a short command (bounded). */
  public run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.procs.run(argv, options);
  }

  /** Runs `ip -n <netns> -batch -` with the given commands. */
  private ipBatch(netns: string | undefined, commands: readonly string[]): Promise<RunResult> {
    return this.run(["ip", ...(netns ? ["-n", netns] : []), "-batch", "-"], {
      input: `${commands.join("\n")}\n`,
    });
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
    for (const n of this.networks) {
      await this.addNamespace(n.netns);
      await this.ipBatch(n.netns, [
        "link set lo up",
        "link add br0 type bridge stp_state 0 mcast_snooping 0",
        `addr add ${n.network.gateway}/${prefixLength(n.network)} dev br0`,
        "link set br0 up",
      ]);
    }
    for (const h of this.hosts.values()) await this.buildHostNetwork(h);
    let i = 0;
    for (const c of this.clients.values()) {
      await this.buildEndpoint(c.netns, c.network, `c${i++}`, c.address, {});
    }
  }

  private async buildEndpoint(
    netns: string,
    network: LabNetwork,
    port: string,
    address: string,
    sysctls: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.addNamespace(netns);
    await this.ipBatch(network.netns, [
      `link add ${port} type veth peer name eth0 netns ${netns}`,
      `link set ${port} master br0`,
      `link set ${port} up`,
    ]);
    // Sysctls first: daemons read some of them (ip_nonlocal_bind) when they start.
    for (const [key, value] of Object.entries(sysctls)) {
      await this.run([
        "nsenter",
        `--net=/run/netns/${netns}`,
        "--",
        "/bin/sh",
        "-c",
        'printf "%s\\n" "$2" > "$1"',
        "sh",
        `/proc/sys/${key.replace(/\./g, "/")}`,
        value,
      ]);
    }
    await this.ipBatch(netns, [
      "link set lo up",
      `addr add ${address}/${prefixLength(network.network)} dev eth0`,
      "link set eth0 up",
      `route add default via ${network.network.gateway}`,
    ]);
  }

  private buildHostNetwork(h: LabHost): Promise<void> {
    return this.buildEndpoint(h.netns, h.network, h.bridgePort, h.address, h.container.sysctls);
  }

  /** The uploads of a host, plus the stand-in server for a container without a command. */
  private uploadsOf(h: LabHost): DrillUpload[] {
    const uploads = [...h.container.uploads];
    if (h.standIn && !uploads.some((u) => u.file === DEMO_BACKEND_PATH)) {
      uploads.push({ file: DEMO_BACKEND_PATH, content: renderDemoBackend(), executable: true });
    }
    return uploads;
  }

  /**
   * Writes the host's files to a staging tree (one per directory they land in) and the script
   * that mounts them and execs the command. Returns the script's path.
   */
  private stageHost(h: LabHost): string {
    const stage = path.join(this.workDir, "hosts", h.hostname);
    fs.rmSync(stage, { recursive: true, force: true });
    fs.mkdirSync(stage, { recursive: true, mode: 0o755 });
    const mounts = new Map<string, string>();
    for (const u of this.uploadsOf(h)) {
      const mountDir = existingAncestor(path.dirname(u.file));
      if (!fs.statSync(mountDir).isDirectory()) {
        throw new DrillError(`${h.container.key}: ${mountDir} exists on this machine but is not a directory`);
      }
      let layer = mounts.get(mountDir);
      if (!layer) {
        layer = path.join(stage, `layer${mounts.size}`);
        fs.mkdirSync(layer, { mode: 0o755 });
        fs.chmodSync(layer, fs.statSync(mountDir).mode & 0o7777);
        mounts.set(mountDir, layer);
      }
      const target = path.join(layer, path.relative(mountDir, u.file));
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
      fs.writeFileSync(target, u.content, { mode: u.executable ? 0o755 : 0o644 });
      fs.chmodSync(target, u.executable ? 0o755 : 0o644);
    }
    // Name resolution as in a container on a user-defined Docker network: the stack's containers
    // by host name and container name; no DNS server is reachable, so resolv.conf points at
    // loopback, where a query fails at once instead of timing out (e.g. Python's HTTPServer
    // looks up the FQDN of its bind address before it listens).
    const peers = [...this.hosts.values()].filter((p) => p.network === h.network);
    const etc: Record<string, string> = {
      "/etc/hosts": [
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        ...peers.map((p) => `${p.address}\t${[...new Set([p.hostname, p.container.name])].join(" ")}`),
        "",
      ].join("\n"),
      "/etc/resolv.conf":
        "# ha-drill: no DNS server in the lab\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
      "/etc/hostname": `${h.hostname}\n`,
    };
    const binds: string[] = [];
    for (const [file, content] of Object.entries(etc)) {
      let regular = false;
      try {
        regular = fs.lstatSync(file).isFile();
      } catch {
        regular = false;
      }
      if (!regular) continue;
      const staged = path.join(stage, `etc-${path.basename(file)}`);
      fs.writeFileSync(staged, content, { mode: 0o644 });
      binds.push(`mount --bind ${staged} ${file}`);
    }
    const caps = [...new Set([...DOCKER_DEFAULT_CAPABILITIES, ...h.container.capabilities])]
      .map((c) => `+${c.toLowerCase()}`)
      .join(",");
    const env = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${h.hostname}`, "HOME=/root", ...h.container.env];
    const overlays = [...mounts.entries()]
      .sort((a, b) => a[0].length - b[0].length)
      .map(([dir, layer]) => `mount -t overlay drill -o ro,lowerdir=${layer}:${dir} ${dir}`);
    const script = [
      "#!/bin/sh",
      `# ha-drill: container ${h.container.key} as PID 1 of its own PID, mount and UTS namespaces`,
      "set -eu",
      `hostname ${shellQuote(h.hostname)}`,
      // sysfs of this network namespace, and private /run and /tmp as in a container. /tmp last:
      // the staged files may live under it.
      "mount -t sysfs -o ro sysfs /sys",
      "mount -t tmpfs -o mode=0755,size=16m drill-run /run",
      ...binds,
      ...overlays,
      "mount -t tmpfs -o mode=1777,size=64m drill-tmp /tmp",
      // A container starts in its WORKDIR, / by default; the drill's own working directory may
      // lie under the /tmp just hidden (HAProxy, for one, returns to its start directory).
      "cd /",
      `exec setpriv --bounding-set -all,${caps} -- env -i ${env.map(shellQuote).join(" ")} "$@"`,
      "",
    ].join("\n");
    const file = path.join(stage, "start.sh");
    fs.writeFileSync(file, script, { mode: 0o755 });
    return file;
  }

  /** Starts a host's command as PID 1 of new PID, mount and UTS namespaces in its netns. */
  public async startHost(hostname: string): Promise<void> {
    const h = this.host(hostname);
    if (this.running.has(hostname)) throw new DrillError(`${hostname} is already running`);
    const script = this.stageHost(h);
    fs.appendFileSync(h.logFile, `\n==== ha-drill: starting ${h.command.join(" ")}\n`);
    const log = fs.openSync(h.logFile, "a");
    let child: ChildProcess;
    try {
      child = this.procs.spawn(
        [
          "nsenter",
          `--net=/run/netns/${h.netns}`,
          "--",
          "unshare",
          "--pid",
          "--fork",
          "--kill-child",
          "--mount-proc",
          "--uts",
          "--propagation",
          "private",
          "--",
          "/bin/sh",
          script,
          ...h.command,
        ],
        `host ${hostname}`,
        { stdio: ["ignore", log, log] },
      );
    } finally {
      fs.closeSync(log);
    }
    const launcher = child.pid as number;
    const deadline = nowMs() + 5000;
    let initPid: number | undefined;
    while (nowMs() < deadline) {
      initPid = childrenOf(launcher)[0];
      if (initPid !== undefined || child.exitCode !== null || child.signalCode !== null) break;
      await sleep(10);
    }
    if (initPid === undefined) {
      killPid(launcher);
      throw new DrillError(`${hostname} did not start:\n${this.logTail(hostname)}`);
    }
    this.running.set(hostname, { child, initPid, startedAt: nowMs() });
  }

  /** true while the host's PID 1 runs. */
  public isRunning(hostname: string): boolean {
    const r = this.running.get(hostname);
    return r !== undefined && pidAlive(r.initPid);
  }

  /** PID 1 of a running host, as seen from here. */
  public initPid(hostname: string): number {
    const r = this.running.get(hostname);
    if (!r) throw new DrillError(`${hostname} is not running`);
    return r.initPid;
  }

  /** A path inside a running host's mount namespace, reachable from here. */
  public hostPath(hostname: string, file: string): string {
    return `/proc/${this.initPid(hostname)}/root${file}`;
  }

  /** Reads a file inside a host; undefined when it is missing. */
  public readHostFile(hostname: string, file: string): string | undefined {
    try {
      return fs.readFileSync(this.hostPath(hostname, file), "utf8");
    } catch {
      return undefined;
    }
  }

  /** Creates a file inside a host (e.g. a supervisor hold file). */
  public writeHostFile(hostname: string, file: string, content: string): void {
    const p = this.hostPath(hostname, file);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }

  /**
   * The PID (as seen from here) of a supervised process of a host, from its pidfile
   * `/run/ha/<name>.pid`; undefined when there is none.
   */
  public supervisedPid(hostname: string, name: string): number | undefined {
    const text = this.readHostFile(hostname, `/run/ha/${name}.pid`);
    const inner = Number(text?.trim());
    if (!Number.isInteger(inner) || inner <= 0) return undefined;
    return outerPid(this.initPid(hostname), inner);
  }

  /** SIGKILLs a process and all its descendants (e.g. HAProxy's master and workers). */
  public killTree(pid: number): number[] {
    const tree = processTree(pid);
    for (const p of tree) killPid(p);
    return tree;
  }

  /**
   * Kills every process of a host at once: SIGKILL to PID 1 of its PID namespace makes the
   * kernel kill all the others. Waits (bounded) until the launcher has exited.
   */
  public async killHost(hostname: string): Promise<void> {
    const r = this.running.get(hostname);
    if (!r) return;
    await this.stopRunning(r);
    this.running.delete(hostname);
    if (r.child.exitCode === null && r.child.signalCode === null) {
      throw new DrillError(`${hostname}: its processes did not exit within 5 s of SIGKILL`);
    }
  }

  /**
   * SIGKILL to PID 1 of the host's PID namespace only: the launcher (unshare) reaps it and exits,
   * so no zombie is left to the machine's init. The launcher is killed only if it lingers.
   */
  private async stopRunning(r: Running): Promise<void> {
    killPid(r.initPid);
    if (!(await ProcessRegistry.waitExit(r.child, 3000))) {
      killPid(r.child.pid as number);
      await ProcessRegistry.waitExit(r.child, 2000);
    }
  }

  /** Sets a host's eth0 up or down. */
  public async setLink(hostname: string, up: boolean): Promise<void> {
    const h = this.host(hostname);
    await this.run(["ip", "-n", h.netns, "link", "set", "eth0", up ? "up" : "down"]);
  }

  /**
   * Replaces a stopped host's network namespace with a fresh one (as a restarted container gets):
   * no addresses left over from before, the same static address and sysctls.
   */
  public async recreateHostNetwork(hostname: string): Promise<void> {
    const h = this.host(hostname);
    if (this.running.has(hostname)) throw new DrillError(`${hostname} must be stopped first`);
    // Deleting the bridge port removes its veth peer at once; the old namespace itself is
    // freed by the kernel later.
    await this.run(["ip", "-n", h.network.netns, "link", "del", h.bridgePort], { allowFailure: true });
    await this.deleteNamespace(h.netns);
    await this.buildHostNetwork(h);
  }

  /** IPv4 addresses on a namespace's eth0. */
  public async addresses(netns: string): Promise<string[]> {
    const r = await this.run(["ip", "-n", netns, "-o", "-4", "addr", "show", "dev", "eth0"], {
      allowFailure: true,
      timeoutMs: 3000,
    });
    return [...r.stdout.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1] as string);
  }

  /**
   * Spawns a long-running helper in a namespace (monitors, the client). Tracked by PID and
   * killed at teardown.
   */
  public spawnIn(netns: string, argv: readonly string[], label: string): ChildProcess {
    return this.procs.spawn(["nsenter", `--net=/run/netns/${netns}`, "--", ...argv], label, {
      stdio: ["pipe", "pipe", "pipe"],
    });
  }

  /** The last lines of a host's log (daemon output). */
  public logTail(hostname: string, lines = 40): string {
    try {
      const text = fs.readFileSync(this.host(hostname).logFile, "utf8");
      return text.split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Full log of a host. */
  public log(hostname: string): string {
    try {
      return fs.readFileSync(this.host(hostname).logFile, "utf8");
    } catch {
      return "";
    }
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
    const problems: string[] = [];
    await Promise.all([...this.running.values()].map((r) => this.stopRunning(r)));
    problems.push(...(await this.procs.killAll()).map((p) => `process ${p} did not exit`));
    this.running.clear();
    for (const ns of [...this.namespaces].reverse()) {
      const r = await this.run(["ip", "netns", "delete", ns], { allowFailure: true, timeoutMs: 5000 });
      if (r.code !== 0 && fs.existsSync(`/run/netns/${ns}`))
        problems.push(`namespace ${ns}: ${r.stderr.trim()}`);
    }
    this.namespaces.length = 0;
    // `ip netns delete` itself is a tracked process; nothing else may be left.
    problems.push(...(await this.procs.killAll()).map((p) => `process ${p} did not exit`));
    process.removeListener("exit", this.exitHandler);
    if (!this.keepWorkDir) fs.rmSync(this.workDir, { recursive: true, force: true });
    return problems;
  }

  /** Last resort at process exit: synchronous kills and namespace removal. */
  private teardownSync(): void {
    if (this.torn) return;
    this.torn = true;
    for (const r of this.running.values()) killPid(r.initPid);
    this.procs.killAllSync();
    for (const ns of [...this.namespaces].reverse()) {
      spawnSync("ip", ["netns", "delete", ns], { timeout: 5000, stdio: "ignore" });
    }
    if (!this.keepWorkDir) fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
