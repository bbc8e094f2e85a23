/**
 * The VM image: the unpacked guest kernel and an initramfs holding a static busybox, the
 * modules that reach the root, both init stages and the agent. The root itself is the host's,
 * shared read-only, so there is nothing else to build. The image is cached under the hash of
 * its inputs (kernel, busybox, modules, scripts), made under the cache folder's lock, and made
 * again when an input changes.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { registerCleanup } from "../core/cleanup-registry";
import { lockOwner, releaseLock, takeLock } from "../engine/cache-lock";
import { type CpioEntry, cpioArchive } from "./cpio";
import { GUEST_AGENT } from "./guest-agent";
import { GUEST_DIR, STAGE1, STAGE2 } from "./guest-init";
import { findGuestKernel, type GuestKernel, unpackGuestKernel } from "./guest-kernel";
import { loadOrder, readModuleIndex } from "./kernel-modules";
import { VmError } from "./vm-error";

/** Modules stage 1 inserts to reach the root and the command channel. */
export const BOOT_MODULES: readonly string[] = [
  "virtio_pci",
  "9pnet_virtio",
  "9p",
  "overlay",
  "virtio_console",
];

/** Where the static busybox comes from (Debian's busybox-static). */
export const BUSYBOX = "/bin/busybox";

/** A built image, ready to boot. */
export interface VmImage {
  readonly kernelVersion: string;
  /** The kernel's module folder on the host (the guest loads its modules from there). */
  readonly modulesDir: string;
  /** The unpacked (ELF) kernel. */
  readonly kernel: string;
  readonly initrd: string;
  readonly key: string;
  /** `cache` when it was there, `built` when this call made it. */
  readonly source: "cache" | "built";
  /** Time spent making it (0 from the cache). */
  readonly buildMs: number;
}

/** Where the image comes from and goes. */
export interface VmImageOptions {
  /** @default defaultVmCacheDir() */
  readonly cacheDir?: string;
  /** Root holding boot/ and lib/modules/. @default "/" */
  readonly kernelRoot?: string;
  /** @default BUSYBOX */
  readonly busybox?: string;
  /** How long to wait for another process building into the same folder. @default 300_000 */
  readonly lockWaitMs?: number;
}

/**
 * The cache folder: `$HA_VM_CACHE`, else `$XDG_CACHE_HOME/cdktf-ha-topologies/vm`, else
 * `~/.cache/cdktf-ha-topologies/vm`.
 */
export function defaultVmCacheDir(): string {
  if (process.env.HA_VM_CACHE) return resolve(process.env.HA_VM_CACHE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "cdktf-ha-topologies", "vm");
}

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Whether the ELF file `data` names a program interpreter (is dynamically linked). */
export function isDynamicElf(data: Buffer): boolean {
  if (data.length < 64 || data.readUInt32BE(0) !== 0x7f454c46 || data[4] !== 2) return true;
  const phoff = Number(data.readBigUInt64LE(0x20));
  const size = data.readUInt16LE(0x36);
  const count = data.readUInt16LE(0x38);
  for (let i = 0; i < count; i++) {
    if (phoff + i * size + 4 > data.length) return true;
    if (data.readUInt32LE(phoff + i * size) === 3) return true;
  }
  return false;
}

function readBusybox(path: string): Buffer {
  if (!existsSync(path)) throw new VmError(`${path} is missing: install busybox-static`);
  const data = readFileSync(path);
  if (isDynamicElf(data)) throw new VmError(`${path} is not a static 64-bit busybox: install busybox-static`);
  return data;
}

/** What the image is made of: the key and the files of its initramfs. */
interface Inputs {
  readonly key: string;
  readonly entries: readonly CpioEntry[];
}

function inputs(kernel: GuestKernel, busybox: Buffer): Inputs {
  const order = loadOrder(readModuleIndex(kernel.modulesDir), BOOT_MODULES);
  const dirs = new Set<string>(["bin", "modules", GUEST_DIR]);
  for (const file of order) {
    for (let d = dirname(file); d !== "."; d = dirname(d)) dirs.add(`modules/${d}`);
  }
  const entries: CpioEntry[] = [
    ...[...dirs].sort().map((path) => ({ path })),
    { path: "bin/busybox", data: busybox, mode: 0o755 },
    { path: "init", data: Buffer.from(STAGE1), mode: 0o755 },
    { path: `${GUEST_DIR}/stage2`, data: Buffer.from(STAGE2), mode: 0o755 },
    { path: `${GUEST_DIR}/agent.py`, data: Buffer.from(GUEST_AGENT) },
    { path: "modules.order", data: Buffer.from(`${order.join("\n")}\n`) },
    ...order.map((file) => ({ path: `modules/${file}`, data: readFileSync(join(kernel.modulesDir, file)) })),
  ];
  const key = sha256(
    JSON.stringify({
      steps: 1,
      version: kernel.version,
      image: sha256(readFileSync(kernel.image)),
      entries: entries.map((e) => [e.path, e.mode, e.data ? sha256(e.data) : null]),
    }),
  ).slice(0, 16);
  return { key, entries };
}

async function withLock<T>(cacheDir: string, waitMs: number, work: () => T): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const owner = lockOwner(cacheDir);
    if (owner === undefined || owner === process.pid) {
      try {
        takeLock(cacheDir);
        break;
      } catch (e) {
        // Another process took it between the look and the take: wait for it like any owner.
        const taker = lockOwner(cacheDir);
        if (taker === undefined || taker === process.pid) throw e;
      }
    }
    if (Date.now() >= deadline) throw new VmError(`PID ${owner} holds ${cacheDir} for over ${waitMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const unregister = registerCleanup(`lock of ${cacheDir}`, () => releaseLock(cacheDir));
  try {
    return work();
  } finally {
    releaseLock(cacheDir);
    unregister();
  }
}

function build(kernel: GuestKernel, made: Inputs, dir: string): void {
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    writeFileSync(join(partial, "vmlinux"), unpackGuestKernel(kernel));
    writeFileSync(join(partial, "initrd.cpio"), cpioArchive(made.entries));
    writeFileSync(
      join(partial, "image.json"),
      `${JSON.stringify({ key: made.key, kernel: kernel.version })}\n`,
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/** The image for the host's kernel: from the cache, or made now (about 1 s) and cached. */
export async function ensureVmImage(options: VmImageOptions = {}): Promise<VmImage> {
  const cacheDir = resolve(options.cacheDir ?? defaultVmCacheDir());
  const kernel = findGuestKernel(options.kernelRoot);
  const made = inputs(kernel, readBusybox(options.busybox ?? BUSYBOX));
  const dir = join(cacheDir, `${kernel.version}-${made.key}`);
  const image = (source: VmImage["source"], buildMs: number): VmImage => ({
    kernelVersion: kernel.version,
    modulesDir: kernel.modulesDir,
    kernel: join(dir, "vmlinux"),
    initrd: join(dir, "initrd.cpio"),
    key: made.key,
    source,
    buildMs,
  });
  if (existsSync(join(dir, "image.json"))) return image("cache", 0);
  return withLock(cacheDir, options.lockWaitMs ?? 300_000, () => {
    if (existsSync(join(dir, "image.json"))) return image("cache", 0);
    const t0 = Date.now();
    build(kernel, made, dir);
    return image("built", Date.now() - t0);
  });
}
