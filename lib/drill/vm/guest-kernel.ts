/**
 * The guest kernel: the newest Debian kernel installed on the host (`linux-image-amd64` puts
 * it in /boot with its modules in /lib/modules), unpacked from its bzImage into the plain ELF
 * image qemu boots directly (PVH). The bzImage would unpack itself inside the guest, which
 * under an emulated CPU costs about 4 s of every boot; unpacking it once on the host costs 0.7 s.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { VmError } from "./vm-error";

/** An installed kernel: its version, bzImage and module folder. */
export interface GuestKernel {
  readonly version: string;
  readonly image: string;
  readonly modulesDir: string;
}

function versionParts(v: string): number[] {
  return v.split(/[.-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : 0));
}

function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The newest kernel under `root` (`/` unless told) that has both `boot/vmlinuz-<v>` and
 * `lib/modules/<v>/modules.dep`; throws naming the package to install when there is none.
 */
export function findGuestKernel(root = "/"): GuestKernel {
  const boot = join(root, "boot");
  const versions = (existsSync(boot) ? readdirSync(boot) : [])
    .filter((f) => f.startsWith("vmlinuz-"))
    .map((f) => f.slice("vmlinuz-".length))
    .filter((v) => existsSync(join(root, "lib/modules", v, "modules.dep")))
    .sort(compareVersions);
  const version = versions.at(-1);
  if (version === undefined) {
    throw new VmError(
      `no kernel with modules under ${root} (boot/vmlinuz-* and lib/modules/*/modules.dep): install linux-image-amd64`,
    );
  }
  return { version, image: join(boot, `vmlinuz-${version}`), modulesDir: join(root, "lib/modules", version) };
}

/** Compressions a bzImage may carry its kernel in: the stream's magic and the tool that unpacks it. */
const COMPRESSIONS: readonly { readonly magic: Buffer; readonly tool: readonly string[] }[] = [
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: ["xz", "-dc"] },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: ["zstd", "-dcq"] },
  { magic: Buffer.from([0x1f, 0x8b, 0x08]), tool: ["gzip", "-dc"] },
];

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * The ELF kernel inside the bzImage `bzImage`: the first compressed stream (tried at each of
 * its magic's offsets, as the kernel's extract-vmlinux does) that unpacks to an ELF file.
 */
export function unpackKernel(bzImage: Buffer): Buffer {
  if (bzImage.subarray(0, 4).equals(ELF)) return bzImage;
  for (const { magic, tool } of COMPRESSIONS) {
    let at = bzImage.indexOf(magic);
    for (let tries = 0; at >= 0 && tries < 8; tries++) {
      const r = spawnSync(tool[0] as string, tool.slice(1), {
        input: bzImage.subarray(at),
        maxBuffer: 512 * 1024 * 1024,
        timeout: 60_000,
      });
      // A stream followed by padding makes the tool complain after writing the whole kernel.
      if (r.stdout && r.stdout.length > 4 && r.stdout.subarray(0, 4).equals(ELF)) return r.stdout;
      at = bzImage.indexOf(magic, at + 1);
    }
  }
  throw new VmError("no xz, zstd or gzip stream in the kernel image unpacks to an ELF kernel");
}

/** Reads and unpacks the kernel of `kernel`. */
export function unpackGuestKernel(kernel: GuestKernel): Buffer {
  return unpackKernel(readFileSync(kernel.image));
}
