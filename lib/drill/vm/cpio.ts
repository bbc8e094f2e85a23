/**
 * A `newc` cpio archive written in memory: what the kernel unpacks as its initramfs. Only
 * directories and regular files, owned by root, so the archive depends on nothing but its
 * entries (the same entries make the same bytes).
 */
import { VmError } from "./vm-error";

/** One entry: a directory, or a file with its content and mode. */
export interface CpioEntry {
  /** Path inside the archive, without a leading `/` (e.g. `bin/busybox`). */
  readonly path: string;
  /** Absent for a directory. */
  readonly data?: Buffer;
  /** Permission bits. @default 0o755 for directories and 0o644 for files */
  readonly mode?: number;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

function pad4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function record(ino: number, mode: number, name: string, data: Buffer): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const header = Buffer.from(
    [
      "070701",
      hex8(ino),
      hex8(mode),
      hex8(0),
      hex8(0),
      hex8(1),
      hex8(0),
      hex8(data.length),
      hex8(0),
      hex8(0),
      hex8(0),
      hex8(0),
      hex8(nameBytes.length),
      hex8(0),
    ].join(""),
  );
  const head = Buffer.concat([header, nameBytes]);
  return Buffer.concat([head, pad4(head.length), data, pad4(data.length)]);
}

/** The archive of `entries`, in their order (a directory must come before what it holds). */
export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts = entries.map((e, i) => {
    const path = e.path.replace(/^\/+/, "");
    if (path === "" || path.split("/").includes("..")) throw new VmError(`bad cpio path ${e.path}`);
    const type = e.data === undefined ? 0o040000 : 0o100000;
    const mode = type | (e.mode ?? (e.data === undefined ? 0o755 : 0o644));
    return record(i + 1, mode, path, e.data ?? Buffer.alloc(0));
  });
  parts.push(record(0, 0, "TRAILER!!!", Buffer.alloc(0)));
  return Buffer.concat(parts);
}
