/**
 * A split lab: the hosts that need a full kernel (IPVS, ipip: `LabOptions.fullKernelHosts`, as
 * the topology's drill names them) run in a VM with the Debian kernel, every other host, the
 * client places and the networks' gateways in namespaces on this machine, with this machine's
 * CPU and timing. Each network those hosts attach to has two halves, a bridge here and one in
 * the VM, joined by one of the VM's network devices (a tap device on this bridge): one segment,
 * one subnet, as on a Docker host. Only the VM's hosts run on an emulated CPU (`emulatedCpuHosts`).
 *
 * The VM half is a namespace lab served by `lab-server.ts` in the VM over its standard input and
 * output; its hosts' logs go to a folder of this lab's work directory shared into the VM.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { GuestProcess } from "../vm/guest-process";
import { LineBuffer, PendingReplies } from "../vm/line-requests";
import { TIMED_GUEST_NICENESS, VirtualMachine } from "../vm/virtual-machine";
import { DrillError } from "./drill-error";
import { logFileTail } from "./host-logs";
import type { CpuStallReport, Lab, LabClientPlace, LabFactory, LabInterface, LabOptions } from "./lab";
import { LAB_SERVER_CONFIG_ENV, type LabReply, type LabServerConfig, type ServedMethod } from "./lab-server";
import { NamespaceLab } from "./namespace-lab";
import { PathMeter, type PathReading } from "./path-meter";
import { nowMs, type RunOptions, type RunResult } from "./proc";
import type { DrillContainer, DrillStack } from "./stack";
import { onThisClock, StallMeter, type StallReading } from "./stall-meter";

/** The package's root (where bin/ and lib/ or dist/ are): the VM shares it at its own path. */
const PACKAGE_ROOT = path.resolve(__dirname, "..", "..", "..");

/** How long a request to the VM half may take beyond its own command's limit. */
const REQUEST_SLACK_MS = 60_000;
/** Starting a host in the VM: namespaces and the host's staging run on an emulated CPU. */
const START_LIMIT_MS = 180_000;

/** The lab methods of one host that its half of the lab answers. */
type HostMethod = Exclude<ServedMethod, "teardown" | "stalls">;

/** The machine's end of the VM half's JSON lines. */
class VmHalf {
  private readonly lines = new LineBuffer();
  private readonly pending = new PendingReplies<unknown>();
  /** Settles with the VM half's first line (id 0: its lab is made), or fails when it ends. */
  private readonly made: Promise<void>;
  private markMade: () => void = () => undefined;
  private markGone: (e: Error) => void = () => undefined;
  /** The VM's hosts running after the last reply. */
  public running: ReadonlySet<string> = new Set();

  public constructor(private readonly server: GuestProcess) {
    this.made = new Promise((resolve, reject) => {
      this.markMade = resolve;
      this.markGone = reject;
    });
    this.made.catch(() => undefined);
    server.onOutput((stream, text) => {
      if (stream === "stdout") this.receive(text);
    });
    void server.exited.then((e) =>
      this.fail(
        new DrillError(
          `the VM's half of the lab ended (${e.code ?? e.signal}): ${server.stderr.trim().slice(-2000)}`,
        ),
      ),
    );
  }

  /** Resolves when the VM half has made its lab (at most `timeoutMs`). */
  public ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DrillError(`the VM's half of the lab was not ready within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([this.made, late]).finally(() => clearTimeout(timer));
  }

  private receive(text: string): void {
    for (const line of this.lines.push(text)) {
      if (!line.trim().startsWith("{")) continue;
      const reply = JSON.parse(line) as LabReply;
      this.running = new Set(reply.running);
      if (reply.id === 0) this.markMade();
      else if (reply.error !== undefined)
        this.pending.reject(reply.id, reply.drill ? new DrillError(reply.error) : new Error(reply.error));
      else this.pending.resolve(reply.id, reply.value);
    }
  }

  private fail(e: Error): void {
    this.markGone(e);
    this.pending.failAll(e);
  }

  public call<T>(method: ServedMethod, args: readonly unknown[], timeoutMs: number): Promise<T> {
    if (this.pending.closedWith) return Promise.reject(this.pending.closedWith);
    const { id, reply } = this.pending.open(
      timeoutMs,
      () => new DrillError(`the VM's half of the lab gave no answer to ${method} within ${timeoutMs} ms`),
    );
    this.server.write(`${JSON.stringify({ id, method, args })}\n`).catch((e: Error) => this.fail(e));
    return reply as Promise<T>;
  }
}

export class SplitLab implements Lab {
  public readonly emulatedCpuHosts: readonly string[];
  private readonly inVm: ReadonlySet<string>;
  private tearingDown: Promise<string[]> | undefined;
  /** This machine's side: what a thread here at the local hosts' niceness waited. */
  private readonly hostMeter = StallMeter.start();
  /** The way into the VM: how late its hosts answer an echo from here (see `path-meter.ts`). */
  private readonly pathMeter: PathMeter;

  private constructor(
    private readonly local: NamespaceLab,
    private readonly vm: VirtualMachine,
    private readonly half: VmHalf,
    private readonly vmWorkDir: string,
    vmHosts: readonly string[],
  ) {
    this.inVm = new Set(vmHosts);
    this.emulatedCpuHosts = [...vmHosts];
    // Each VM host's first address, from the client place on its network.
    const targets = vmHosts.flatMap((host) => {
      const first = local.interfaces(host)[0];
      return first ? [{ host, address: first.address, place: local.clientOn(first.network).place }] : [];
    });
    this.pathMeter = PathMeter.start((place, argv, label) => local.spawn(place, argv, label), targets);
  }

  /**
   * A lab for `stack` with `options.fullKernelHosts` in a VM (a plain namespace lab when there
   * are none). `stackFile` is the stack's `cdk.tf.json`, which the VM half reads itself.
   */
  public static async create(stack: DrillStack, options: LabOptions, stackFile: string): Promise<Lab> {
    const vmHosts = [...new Set(options.fullKernelHosts ?? [])];
    if (vmHosts.length === 0) return NamespaceLab.create(stack, options);
    for (const h of vmHosts) {
      if (!stack.containers.some((c) => c.hostname === h))
        throw new DrillError(`no host ${h} in the stack to run in a VM`);
    }
    const local = await NamespaceLab.create(stack, { ...options, remoteHosts: vmHosts });
    let vm: VirtualMachine | undefined;
    try {
      const networks = [
        ...new Set(
          stack.containers
            .filter((c) => vmHosts.includes(c.hostname))
            .flatMap((c) => c.attachments.map((a) => a.network)),
        ),
      ];
      const vmWorkDir = path.join(local.workDir, "vm");
      fs.mkdirSync(path.join(vmWorkDir, "logs"), { recursive: true, mode: 0o700 });
      const configFile = path.join(vmWorkDir, "lab.json");
      const config: LabServerConfig = {
        stackFile: path.resolve(stackFile),
        hosts: vmHosts,
        workDir: "/tmp/ha-lab",
        logDir: path.join(vmWorkDir, "logs"),
        uplinks: Object.fromEntries(networks.map((n, i) => [n, `eth${i}`])),
        secrets: Object.fromEntries(local.secretValues),
        standInPorts: Object.fromEntries(options.standInPorts ?? []),
      };
      fs.writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
      const stackDir = path.dirname(path.resolve(stackFile));
      vm = await VirtualMachine.boot({
        hostname: "ha-lab",
        memoryMb: 2048,
        cpus: 2,
        niceness: TIMED_GUEST_NICENESS,
        nics: networks.map((n, i) => ({
          tap: `${local.prefix}v${i}`,
          namespace: local.bridgeNamespace(n),
          bridge: "br0",
        })),
        shares: [
          { hostPath: PACKAGE_ROOT, guestPath: PACKAGE_ROOT, readOnly: true },
          ...(stackDir === PACKAGE_ROOT || stackDir.startsWith(`${PACKAGE_ROOT}/`)
            ? []
            : [{ hostPath: stackDir, guestPath: stackDir, readOnly: true }]),
          { hostPath: vmWorkDir, guestPath: vmWorkDir, readOnly: false },
        ],
      });
      const server = await vm.spawn(
        [
          process.execPath,
          "-e",
          `require(${JSON.stringify(path.join(PACKAGE_ROOT, "bin", "run-entry.js"))})("lab-server", "drill/core/lab-server")`,
        ],
        { env: { [LAB_SERVER_CONFIG_ENV]: configFile }, cwd: PACKAGE_ROOT, stdin: true },
      );
      const half = new VmHalf(server);
      await half.ready(START_LIMIT_MS);
      return new SplitLab(local, vm, half, vmWorkDir, vmHosts);
    } catch (e) {
      await vm?.shutdown();
      await local.teardown();
      throw e;
    }
  }

  public get stack(): DrillStack {
    return this.local.stack;
  }

  public get workDir(): string {
    return this.local.workDir;
  }

  private call<T>(method: ServedMethod, args: readonly unknown[], timeoutMs = REQUEST_SLACK_MS): Promise<T> {
    return this.half.call<T>(method, args, timeoutMs);
  }

  public hostnames(): readonly string[] {
    return this.local.hostnames();
  }

  public container(hostname: string): DrillContainer {
    return this.local.container(hostname);
  }

  public isStandIn(hostname: string): boolean {
    return this.local.isStandIn(hostname);
  }

  /**
   * `method` of `hostname`'s half of the lab: a request to the VM half (answered within
   * `timeoutMs`) for a host in the VM, this machine's namespace lab otherwise. JSON has no
   * `undefined`: trailing ones are left out, so that the VM half's defaults apply.
   */
  private onHost<M extends HostMethod>(
    hostname: string,
    method: M,
    args: Parameters<NamespaceLab[M]>,
    timeoutMs = REQUEST_SLACK_MS,
  ): ReturnType<NamespaceLab[M]> {
    if (!this.inVm.has(hostname)) {
      return (this.local[method] as (...a: unknown[]) => ReturnType<NamespaceLab[M]>).apply(this.local, args);
    }
    const sent: unknown[] = [...args];
    while (sent.length > 0 && sent.at(-1) === undefined) sent.pop();
    return this.call(method, sent, timeoutMs) as ReturnType<NamespaceLab[M]>;
  }

  public startHost(hostname: string): Promise<void> {
    return this.onHost(hostname, "startHost", [hostname], START_LIMIT_MS);
  }

  public stopHost(hostname: string, graceMs = 5000): Promise<void> {
    return this.onHost(hostname, "stopHost", [hostname, graceMs], graceMs + REQUEST_SLACK_MS);
  }

  public killHost(hostname: string): Promise<void> {
    return this.onHost(hostname, "killHost", [hostname]);
  }

  public isRunning(hostname: string): boolean {
    return this.inVm.has(hostname) ? this.half.running.has(hostname) : this.local.isRunning(hostname);
  }

  public exec(hostname: string, argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.onHost(
      hostname,
      "exec",
      [hostname, argv, options],
      (options?.timeoutMs ?? 10_000) + REQUEST_SLACK_MS,
    );
  }

  public async readFile(hostname: string, file: string): Promise<string | undefined> {
    // The VM half's "no such file" comes as null.
    return (await this.onHost(hostname, "readFile", [hostname, file])) ?? undefined;
  }

  public writeFile(hostname: string, file: string, content: string): Promise<void> {
    return this.onHost(hostname, "writeFile", [hostname, file, content]);
  }

  public killProcessTree(hostname: string, pid: number): Promise<number> {
    return this.onHost(hostname, "killProcessTree", [hostname, pid]);
  }

  public interfaces(hostname: string): readonly LabInterface[] {
    return this.local.interfaces(hostname);
  }

  public addresses(hostname: string, iface?: string): Promise<string[]> {
    return this.onHost(hostname, "addresses", [hostname, iface]);
  }

  public setLink(hostname: string, iface: string, up: boolean): Promise<void> {
    return this.onHost(hostname, "setLink", [hostname, iface, up]);
  }

  public applyNft(hostname: string, ruleset: string): Promise<void> {
    return this.onHost(hostname, "applyNft", [hostname, ruleset]);
  }

  public removeNft(hostname: string, family: string, table: string): Promise<void> {
    return this.onHost(hostname, "removeNft", [hostname, family, table]);
  }

  public clientOn(network: string): LabClientPlace {
    return this.local.clientOn(network);
  }

  public spawn(place: string, argv: readonly string[], label: string): ChildProcess {
    if (this.inVm.has(place)) {
      throw new DrillError(
        `${place} runs in the VM: a helper (${label}) can start only in a host or client place on this machine`,
      );
    }
    return this.local.spawn(place, argv, label);
  }

  public logTail(hostname: string, lines = 40): string {
    if (!this.inVm.has(hostname)) return this.local.logTail(hostname, lines);
    return logFileTail(path.join(this.vmWorkDir, "logs", `${hostname}.log`), lines);
  }

  /**
   * The times the VM's CPU left a ready thread waiting (see `stall-meter.ts`), since the VM half
   * started, on the drill's clock (`nowMs`): the emulated CPU's own account of the timings it
   * spoiled.
   */
  public async cpuStalls(): Promise<CpuStallReport> {
    const askedMs = nowMs();
    const reading = await this.call<StallReading>("stalls", [], 30_000);
    const answeredMs = nowMs();
    const here = await this.hostMeter.read();
    const hereAt = nowMs();
    return {
      thresholdMs: reading.thresholdMs,
      stalls: onThisClock(reading, askedMs, answeredMs),
      hostStalls: onThisClock(here, hereAt, hereAt),
    };
  }

  /**
   * The stretches in which the VM's hosts answered an echo from here late (see `path-meter.ts`),
   * since the lab was made, on the drill's clock: the way into the emulated guest held back.
   */
  public pathStalls(): PathReading {
    return this.pathMeter.read();
  }

  /** Tears the VM half down (its lab, then the VM), then this machine's half. */
  public teardown(): Promise<string[]> {
    this.tearingDown ??= this.doTeardown();
    return this.tearingDown;
  }

  private async doTeardown(): Promise<string[]> {
    const problems: string[] = [];
    try {
      problems.push(...(await this.call<string[]>("teardown", [], 120_000)).map((p) => `in the VM: ${p}`));
    } catch (e) {
      problems.push(`the VM's half of the lab: ${(e as Error).message}`);
    }
    await this.vm.shutdown();
    await this.hostMeter.stop();
    problems.push(...(await this.local.teardown()));
    return problems;
  }
}

/** The lab factory of `ha-drill --vm-hosts`: split labs of the stack read from `stackFile`. */
export function splitLabFactory(stackFile: string): LabFactory {
  return (stack, options) => SplitLab.create(stack, options, stackFile);
}
