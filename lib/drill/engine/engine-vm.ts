/**
 * A VM with a full Debian kernel (IPVS, ipip) that runs the engine lab inside, for stacks whose
 * containers need kernel parts this machine's kernel lacks. The host builds the stack's images
 * as the lab always does and writes them into one archive; the guest sees that archive, the
 * stack's folder and the folders asked for at their own paths (read-only), and keeps its
 * engine's data root on a scratch disk of the cache, made on this machine with the images
 * already loaded, so that no boot loads them on the emulated CPU. The lab itself (`EngineLab.up`
 * with `labOptions`) then runs in the guest, its engine isolated in a namespace of the guest.
 * Timings inside come from an emulated CPU.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { registerCleanup } from "../core/cleanup-registry";
import type { VmShare } from "../vm/qemu-command";
import { makeScratchDisk } from "../vm/scratch-disk";
import { DEFAULT_GUEST_MODULES, TIMED_GUEST_NICENESS, VirtualMachine } from "../vm/virtual-machine";
import { lockPath, releaseLock, waitForLock } from "./cache-lock";
import { EngineDaemon } from "./engine-daemon";
import { defaultCacheDir, type EngineLabOptions } from "./engine-lab";
import { type EngineStack, readEngineStack } from "./engine-stack";
import { unmountUnder } from "./host-commands";
import { type ImageArchive, imageArchiveKey, loadImageArchive, saveImageArchive } from "./stack-images";

/** Where the guest mounts its scratch disk: the engine cache of the lab in the guest. */
export const GUEST_ENGINE_DIR = "/var/lib/ha-engine";

/**
 * How much slower Docker's healthchecks run in the VM (see `scaleHealthchecks`): an exec there
 * costs 1-3 s, while the stacks' checks allow 1 s; and nine containers checked every 2 s would
 * keep the emulated CPU busy with checks alone.
 */
export const EMULATED_HEALTHCHECK_SCALE = 10;

/** Options of `EngineVm.boot`. */
export interface EngineVmOptions {
  /** The host's engine cache (build daemon, image archives, scratch disks). @default defaultCacheDir() */
  readonly cacheDir?: string;
  /** @default 3072 */
  readonly memoryMb?: number;
  /** @default 2 */
  readonly cpus?: number;
  /** Size of the scratch disk, a sparse file. @default 8192 */
  readonly diskMb?: number;
  /** More host folders the guest needs, shared read-only at their own paths (the package). */
  readonly folders?: readonly string[];
  /**
   * The emulator's scheduling niceness (see `VmOptions.niceness`).
   * @default TIMED_GUEST_NICENESS
   */
  readonly niceness?: number;
  /** How long to wait for another lab on the same cache. @default 900_000 */
  readonly lockWaitMs?: number;
  readonly log?: (line: string) => void;
}

/** How long each host-side phase of `EngineVm.boot` took, in seconds. */
export interface EngineVmTimings {
  /** Building and archiving the images (0 when the archive was cached). */
  images: number;
  /** Booting the VM until its agent answered. */
  boot: number;
  /** `made` when the scratch disk was made (its engine loads the images), else `cached`. */
  disk: "made" | "cached";
  archive: ImageArchive["source"];
}

const since = (t: number) => Math.round((Date.now() - t) / 100) / 10;

/** The scratch disk of `stackName` whose images have archive key `key`. */
function diskPath(cacheDir: string, stackName: string, key: string): string {
  return join(cacheDir, "vm-disks", `engine-${stackName}-${key}.img`);
}

/**
 * The guest's read-only shares: each folder at its own path, none inside another shared one
 * (the outer share already shows it).
 */
export function engineVmShares(folders: readonly string[]): VmShare[] {
  const sorted = [...new Set(folders.map((p) => resolve(p)))].sort();
  return sorted
    .filter((p) => !sorted.some((q) => q !== p && (q === "/" || p.startsWith(`${q}/`))))
    .map((p) => ({ hostPath: p, guestPath: p, readOnly: true }));
}

/**
 * Makes the scratch disk with the stack's images already in the guest engine's data root: a
 * daemon of this machine (the same dockerd the guest runs, from the same root) loads the archive
 * into a folder at native speed, and `mkfs.ext4 -d` copies that folder into the disk. Loading
 * in the guest instead costs minutes of emulated CPU (about 4 min for 800 MB).
 */
async function prepareDisk(
  stack: EngineStack,
  archivePath: string,
  disk: string,
  sizeMb: number,
  log: (line: string) => void,
): Promise<void> {
  const prep = join(dirname(disk), `prep-${process.pid}`);
  rmSync(prep, { recursive: true, force: true });
  const unregister = registerCleanup(`engine vm disk folder ${prep}`, () => {
    unmountUnder(prep);
    rmSync(prep, { recursive: true, force: true });
  });
  try {
    // The lab in the guest keeps its engine's data root at <cache>/run-root.
    const daemon = await EngineDaemon.start({
      dataRoot: join(prep, "run-root"),
      runDir: `/tmp/hae-p${process.pid}`,
      isolated: true,
    });
    try {
      await loadImageArchive(stack, daemon.client, archivePath, { images: {} }, log);
    } finally {
      await daemon.stop();
    }
    makeScratchDisk(disk, sizeMb, prep);
  } finally {
    unmountUnder(prep);
    rmSync(prep, { recursive: true, force: true });
    unregister();
  }
}

/** A VM ready to run the engine lab of one stack. */
export class EngineVm {
  /**
   * Archives the images of the stack at `stackPath` (building what changed), makes its scratch
   * disk when its images changed, and boots the VM. Holds the lock of the scratch disks until
   * `shutdown()`: one such VM per cache at a time.
   */
  public static async boot(stackPath: string, options: EngineVmOptions = {}): Promise<EngineVm> {
    const log = options.log ?? (() => undefined);
    const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
    const stack = readEngineStack(stackPath);
    let t = Date.now();
    const archive = await saveImageArchive(stack, {
      cacheDir,
      log,
      ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
    });
    const images = since(t);
    const disks = join(cacheDir, "vm-disks");
    await waitForLock(disks, options.lockWaitMs ?? 900_000, log);
    const unregisterLock = registerCleanup(`lock of ${disks}`, () => releaseLock(disks));
    const release = () => {
      releaseLock(disks);
      unregisterLock();
    };
    try {
      const disk = diskPath(cacheDir, stack.name, imageArchiveKey(stack));
      const made = !existsSync(disk);
      if (made) {
        for (const f of readdirSync(disks)) {
          if (f.startsWith(`engine-${stack.name}-`)) rmSync(join(disks, f), { force: true });
        }
        t = Date.now();
        await prepareDisk(stack, archive.path, disk, options.diskMb ?? 8192, log);
        log(`engine vm: made the scratch disk ${disk} with the images loaded (${since(t)} s)`);
      }
      const shares = engineVmShares([dirname(archive.path), stack.dir, ...(options.folders ?? [])]);
      t = Date.now();
      const vm = await VirtualMachine.boot({
        hostname: "ha-engine",
        memoryMb: options.memoryMb ?? 3072,
        cpus: options.cpus ?? 2,
        niceness: options.niceness ?? TIMED_GUEST_NICENESS,
        modules: DEFAULT_GUEST_MODULES,
        shares,
        disks: [{ hostPath: disk, guestPath: GUEST_ENGINE_DIR }],
      });
      const timings: EngineVmTimings = {
        images,
        boot: since(t),
        disk: made ? "made" : "cached",
        archive: archive.source,
      };
      log(`engine vm: booted in ${timings.boot} s (emulated CPU)`);
      const engineVm = new EngineVm(vm, resolve(stackPath), archive, disk, timings, release);
      try {
        // The lock of a lab of an earlier boot names a PID of that guest, which means nothing now.
        await vm.mustExec(["rm", "-f", lockPath(GUEST_ENGINE_DIR)]);
      } catch (e) {
        await engineVm.shutdown({ keepDisk: false });
        throw e;
      }
      return engineVm;
    } catch (e) {
      release();
      throw e;
    }
  }

  private constructor(
    readonly vm: VirtualMachine,
    /** The stack's `cdk.tf.json`, at the same path in the guest. */
    readonly stackPath: string,
    readonly archive: ImageArchive,
    /** The scratch disk's file on the host. */
    readonly disk: string,
    readonly timings: EngineVmTimings,
    private readonly unlock: () => void,
  ) {}

  /**
   * The options of `EngineLab.up` inside the guest: its cache on the disk, the images from the
   * archive, Docker's healthchecks on the emulated CPU's clock, and time for its daemon to start.
   */
  public get labOptions(): Pick<
    EngineLabOptions,
    "cacheDir" | "imageArchive" | "healthcheckScale" | "daemonStartTimeoutMs"
  > {
    return {
      cacheDir: GUEST_ENGINE_DIR,
      imageArchive: this.archive.path,
      healthcheckScale: EMULATED_HEALTHCHECK_SCALE,
      // 6-25 s measured on the emulated CPU, more while the machine is busy.
      daemonStartTimeoutMs: 180_000,
    };
  }

  /**
   * Flushes and unmounts the scratch disk, stops the VM (by PID, also when the guest hangs) and
   * releases the lock. `keepDisk: false` removes the disk (after a failed run, whose engine may
   * have left containers and state behind that slow its next start), so that the next boot
   * starts from a fresh one (made again in about 20 s).
   */
  public async shutdown(options: { readonly keepDisk?: boolean } = {}): Promise<void> {
    try {
      if (this.vm.running) {
        await this.vm
          .exec(["sh", "-c", `sync; umount ${GUEST_ENGINE_DIR}`], { timeoutMs: 60_000 })
          .catch(() => undefined);
      }
    } finally {
      await this.vm.shutdown();
      if (options.keepDisk === false) rmSync(this.disk, { force: true });
      this.unlock();
    }
  }
}
