/**
 * A Linux VM under qemu for tests and drills that need a full kernel (IPVS, netem, dummy
 * devices, module loading). It boots the host's Debian kernel on an emulated CPU with the
 * host's root shared read-only beneath a tmpfs overlay, so every daemon the host has is there;
 * commands go over a virtio-serial channel to the guest's agent. qemu is killed by PID on
 * `shutdown()`, by the cleanup registry if the process ends or is interrupted first, and by its
 * parent-death signal if the process is killed outright.
 * Timings inside come from an emulated CPU: a process start costs 0.2-2 s.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { registerCleanup } from "../core/cleanup-registry";
import { isAlive, signal, waitGone, waitGoneSync } from "../engine/host-commands";
import { CommandChannel, type GuestMessage } from "./command-channel";
import { GuestProcess } from "./guest-process";
import { loadOrder, readModuleIndex } from "./kernel-modules";
import { qemuArguments, type VmDisk, type VmShare } from "./qemu-command";
import { makeRunDir } from "./run-dir";
import { placeTaps, type TapPlacement } from "./tap-devices";
import { VmError } from "./vm-error";
import { ensureVmImage, type VmImage, type VmImageOptions } from "./vm-image";

/** Modules loaded at boot unless told otherwise: IPVS with Maglev, tunnels, netem, devices. */
/**
 * The niceness of a guest whose daemons are timed (the split lab's VM, the engine VM): ahead of
 * other work on this machine, since a guest starved for a moment shows as the service failing.
 * Under two busy loops at niceness 0 a split-lab drain saw 265 new connections fail for 8 s and,
 * in another run, both of the node's BGP sessions drop (BFD, 300 ms); at -10 two runs under the
 * same load passed. It does not make a guest immune: the engine VM at -10 still lost every BGP
 * session and its gateway to VRRP flaps in one CI run of two here.
 */
export const TIMED_GUEST_NICENESS = -10;

export const DEFAULT_GUEST_MODULES: readonly string[] = [
  "ip_vs",
  "ip_vs_mh",
  "ip_vs_sh",
  "ip_vs_rr",
  "ipip",
  "sch_netem",
  "dummy",
  "veth",
  "bridge",
  "nf_tables",
];

/** How to boot a VM. */
export interface VmBootOptions extends VmImageOptions {
  /** @default 512 */
  readonly memoryMb?: number;
  /** @default 1 */
  readonly cpus?: number;
  /** Modules to load at boot. @default DEFAULT_GUEST_MODULES */
  readonly modules?: readonly string[];
  /** Network devices (`eth0`, `eth1`, ... in the guest). @default none */
  readonly nics?: readonly TapPlacement[];
  readonly shares?: readonly VmShare[];
  /** Raw ext4 images mounted in the guest (`makeScratchDisk`). @default none */
  readonly disks?: readonly VmDisk[];
  /** @default "ha-vm" */
  readonly hostname?: string;
  /** From qemu's start until the agent answers. @default 120_000 */
  readonly bootTimeoutMs?: number;
  /** @default "qemu-system-x86_64" */
  readonly qemu?: string;
  /**
   * The emulator's scheduling niceness, -20 to 19: above 0, the guest yields to the host's own
   * work (other labs beside it) and its timings suffer instead; below 0 (root only) it takes the
   * CPU first, for a guest whose daemons are timed from outside it.
   * @default 0 - a niced guest on a busy host froze for seconds (a drained L4 node took 7.9 s
   * to leave the routes), worse for the drills in it than the contention it spares the host
   */
  readonly niceness?: number;
}

/** Options of one command. */
export interface VmExecOptions {
  /** @default 60_000 */
  readonly timeoutMs?: number;
  readonly stdin?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** How a command ended and what it printed. */
export interface VmExecResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `name` itself when it is a path, else where PATH has it; throws VmError naming the package. */
function executable(name: string, pkg: string): string {
  const dirs = name.includes("/") ? [""] : (process.env.PATH ?? "/usr/bin:/bin").split(":");
  for (const dir of dirs) {
    const path = dir ? join(dir, name) : name;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  throw new VmError(`${name} is not installed: install ${pkg}`);
}

function text(m: GuestMessage, key: string): string {
  return typeof m[key] === "string" ? Buffer.from(m[key] as string, "base64").toString("utf8") : "";
}

/** A running VM. */
export class VirtualMachine {
  /** Boots a VM: image from the cache (or made), qemu started, taps placed, agent ready. */
  public static async boot(options: VmBootOptions = {}): Promise<VirtualMachine> {
    const image = await ensureVmImage(options);
    const nics = options.nics ?? [];
    const disks = options.disks ?? [];
    const modules = [
      ...(options.modules ?? DEFAULT_GUEST_MODULES),
      ...(nics.length ? ["virtio_net"] : []),
      ...(disks.length ? ["virtio_blk", "ext4"] : []),
    ];
    // An unknown module fails here, not after a boot.
    loadOrder(readModuleIndex(image.modulesDir), modules);
    const qemu = executable(options.qemu ?? "qemu-system-x86_64", "qemu-system-x86");
    const setpriv = executable("setpriv", "util-linux");
    const nice = executable("nice", "coreutils");
    const niceness = options.niceness ?? 0;
    if (!Number.isInteger(niceness) || niceness < -20 || niceness > 19) {
      throw new VmError(`niceness ${niceness}: give a whole number from -20 to 19`);
    }
    const runDir = makeRunDir();
    let args: string[];
    try {
      args = qemuArguments({
        kernel: image.kernel,
        initrd: image.initrd,
        memoryMb: options.memoryMb ?? 512,
        cpus: options.cpus ?? 1,
        modules,
        nics,
        shares: options.shares ?? [],
        disks,
        hostname: options.hostname ?? "ha-vm",
        consoleLog: join(runDir, "console.log"),
        controlSocket: join(runDir, "control.sock"),
      });
    } catch (e) {
      rmSync(runDir, { recursive: true, force: true });
      throw e;
    }
    const t0 = Date.now();
    // nice and setpriv (util-linux) exec qemu in place, with the niceness and a parent-death
    // signal: qemu keeps the PID, every thread it starts inherits the niceness, and it dies with
    // this process even when it is killed with SIGKILL and no cleanup runs.
    const child = spawn(nice, ["-n", String(niceness), setpriv, "--pdeathsig", "KILL", "--", qemu, ...args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    // A missing binary is reported by the missing PID below; the event must not go unhandled.
    child.on("error", () => undefined);
    const vm = new VirtualMachine(child, image, runDir);
    try {
      await vm.start(nics, options.bootTimeoutMs ?? 120_000);
    } catch (e) {
      const log = vm.consoleLog().split("\n").slice(-15).join("\n");
      await vm.shutdown();
      throw new VmError(`${(e as Error).message}\nqemu: ${vm.qemuErrors.trim()}\nconsole:\n${log}`);
    }
    vm.bootMs = Date.now() - t0;
    return vm;
  }

  /** qemu's PID on the host. */
  public readonly pid: number;
  /** From qemu's start until the agent answered. */
  public bootMs = 0;
  /** The guest's uptime when its agent announced itself, in seconds. */
  public guestUptime = 0;
  private qemuErrors = "";
  private readonly exited: Promise<string>;
  private channel: CommandChannel | undefined;
  private readonly unregister: () => void;

  private constructor(
    private readonly child: ChildProcess,
    readonly image: VmImage,
    private readonly runDir: string,
  ) {
    if (child.pid === undefined) {
      rmSync(runDir, { recursive: true, force: true });
      throw new VmError("setpriv did not start (is util-linux installed?)");
    }
    this.pid = child.pid;
    this.exited = new Promise((resolve) => child.once("exit", (code, sig) => resolve(String(code ?? sig))));
    child.stderr?.on("data", (d: Buffer) => {
      if (this.qemuErrors.length < 16_384) this.qemuErrors += d.toString("utf8");
    });
    const pid = this.pid;
    this.unregister = registerCleanup(`VM (qemu PID ${pid})`, () => {
      signal(pid, "SIGKILL");
      waitGoneSync(pid, 5_000);
      rmSync(runDir, { recursive: true, force: true });
    });
  }

  private async start(nics: readonly TapPlacement[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const alive = () => this.running;
    this.channel = await CommandChannel.connect(join(this.runDir, "control.sock"), timeoutMs, alive);
    await placeTaps(nics, alive);
    const exited = this.exited.then((how) => {
      throw new VmError(`qemu ended (${how}) before the guest was up`);
    });
    exited.catch(() => undefined);
    const ready = await Promise.race([this.channel.ready, exited, this.timeout(deadline - Date.now())]);
    this.guestUptime = Number(ready.uptime ?? 0);
    const bootErrors = String(ready.bootErrors ?? "").trim();
    if (bootErrors) throw new VmError(`the guest's stage 2 failed: ${bootErrors}`);
  }

  private timeout(ms: number): Promise<never> {
    return new Promise((_, reject) => {
      setTimeout(() => reject(new VmError(`the guest's agent did not start within ${ms} ms`)), ms).unref();
    });
  }

  /** Whether qemu still runs. */
  public get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && isAlive(this.pid);
  }

  /** What the guest printed on its console so far. */
  public consoleLog(): string {
    try {
      return readFileSync(join(this.runDir, "console.log"), "utf8");
    } catch {
      return "";
    }
  }

  private get ch(): CommandChannel {
    if (!this.channel || !this.running) throw new VmError(`the VM (qemu PID ${this.pid}) is not running`);
    return this.channel;
  }

  /** Runs `argv` in the guest (no shell) and returns how it ended; throws VmError on timeout. */
  public async exec(argv: readonly string[], options: VmExecOptions = {}): Promise<VmExecResult> {
    if (argv.length === 0) throw new VmError("VM exec needs a command");
    const timeoutMs = options.timeoutMs ?? 60_000;
    const stdin = options.stdin === undefined ? undefined : Buffer.from(options.stdin).toString("base64");
    const m = await this.ch.request(
      { op: "exec", argv, stdin, env: options.env ?? {}, cwd: options.cwd, timeoutMs },
      timeoutMs + 15_000,
    );
    const result: VmExecResult = {
      code: (m.code as number | null) ?? null,
      signal: (m.signal as string | null) ?? null,
      stdout: text(m, "stdout"),
      stderr: text(m, "stderr"),
    };
    if (m.timedOut === true) {
      throw new VmError(
        `${argv.join(" ")} ran over ${timeoutMs} ms in the VM; it printed: ${result.stdout}${result.stderr}`,
      );
    }
    return result;
  }

  /** Runs `argv` and returns its standard output; throws VmError unless it exits 0. */
  public async mustExec(argv: readonly string[], options: VmExecOptions = {}): Promise<string> {
    const r = await this.exec(argv, options);
    if (r.code !== 0) {
      throw new VmError(
        `${argv.join(" ")} failed in the VM (${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim()}`,
      );
    }
    return r.stdout;
  }

  /** Writes `content` to `path` in the guest (its folder made if missing; the overlay is in memory). */
  public async writeFile(path: string, content: string | Buffer, mode = "0644"): Promise<void> {
    if (!path.startsWith("/"))
      throw new VmError(`VM writeFile needs an absolute path, not ${JSON.stringify(path)}`);
    if (!/^[0-7]{3,4}$/.test(mode))
      throw new VmError(`VM writeFile mode ${JSON.stringify(mode)} is not octal (e.g. 0644)`);
    const script = 'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"';
    await this.mustExec(["sh", "-c", script, "sh", path, mode], { stdin: content });
  }

  /**
   * Starts `argv` in the guest and returns at once; it ends with the VM at the latest. With
   * `stdin: true` its standard input is a pipe that `GuestProcess.write` feeds.
   */
  public async spawn(
    argv: readonly string[],
    options: Omit<VmExecOptions, "timeoutMs" | "stdin"> & { readonly stdin?: boolean } = {},
  ): Promise<GuestProcess> {
    if (argv.length === 0) throw new VmError("VM spawn needs a command");
    const p = new GuestProcess(this.ch, argv);
    const m = await this.ch.request(
      { op: "spawn", argv, env: options.env ?? {}, cwd: options.cwd, stdin: options.stdin === true },
      30_000,
      p.listener,
    );
    p.handle = m.id as number;
    p.pid = m.pid as number;
    return p;
  }

  /** Stops the VM: SIGTERM to qemu, SIGKILL after 3 s, by PID; safe to call twice. */
  public async shutdown(): Promise<void> {
    this.channel?.close();
    if (isAlive(this.pid)) {
      signal(this.pid, "SIGTERM");
      if (!(await waitGone(this.pid, 3_000))) {
        signal(this.pid, "SIGKILL");
        await waitGone(this.pid, 5_000);
      }
    }
    rmSync(this.runDir, { recursive: true, force: true });
    this.unregister();
  }
}
