/**
 * A fake installed kernel for the image tests: a bzImage-like file (junk, a false xz magic,
 * then a real xz stream of a small "ELF" file) and a module folder holding every module stage 1
 * inserts, so the image is made without a real kernel and in milliseconds.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The ELF the fake bzImage carries. */
export function fakeElf(tag: string): Buffer {
  return Buffer.concat([
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]),
    Buffer.from(`fake kernel ${tag}`.repeat(50)),
  ]);
}

/** `elf` packed like a bzImage: a setup header, a false xz magic, the xz stream, padding. */
export function fakeBzImage(elf: Buffer): Buffer {
  const xz = spawnSync("xz", ["-c"], { input: elf });
  if (xz.status !== 0) throw new Error(`xz: ${xz.stderr}`);
  const falseStart = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3]);
  return Buffer.concat([Buffer.alloc(512, 0x4d), falseStart, xz.stdout, Buffer.alloc(100)]);
}

const MODULES = [
  "kernel/drivers/virtio/virtio_ring.ko:",
  "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko",
  "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko",
  "kernel/net/9p/9pnet.ko:",
  "kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko",
  "kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko",
  "kernel/fs/overlayfs/overlay.ko:",
  "kernel/drivers/char/virtio_console.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko",
];

/** Installs kernel `version` under `root` (boot/vmlinuz-<v>, lib/modules/<v>/). */
export function installFakeKernel(root: string, version: string, tag = version): void {
  mkdirSync(join(root, "boot"), { recursive: true });
  writeFileSync(join(root, "boot", `vmlinuz-${version}`), fakeBzImage(fakeElf(tag)));
  const modules = join(root, "lib/modules", version);
  for (const line of MODULES) {
    const file = line.slice(0, line.indexOf(":"));
    mkdirSync(join(modules, file, ".."), { recursive: true });
    writeFileSync(join(modules, file), `module ${file}`);
  }
  writeFileSync(join(modules, "modules.dep"), `${MODULES.join("\n")}\n`);
}

/** A 64-bit ELF header without program headers: static, as far as the busybox check can tell. */
export function fakeStaticElf(): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b.writeBigUInt64LE(64n, 0x20);
  b.writeUInt16LE(56, 0x36);
  b.writeUInt16LE(0, 0x38);
  return b;
}
