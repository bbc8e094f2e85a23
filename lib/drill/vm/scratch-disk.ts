/**
 * A scratch disk for a VM: a sparse raw file holding an empty ext4 file system, made on the host
 * without mounting anything (`mkfs.ext4` on the file itself), mounted by the guest through
 * `VmBootOptions.disks`. What the guest writes there outlives the VM, such as a container
 * engine's images, which would otherwise be loaded into the guest's memory on every boot.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { mustHostCommand } from "../engine/host-commands";
import { VmError } from "./vm-error";

/**
 * Makes `path` a sparse file of `sizeMb` MiB with an ext4 file system (inode tables and journal
 * written now, so the emulated guest does not spend its CPU initialising them), empty or holding
 * a copy of the folder `from` (owners, modes, extended attributes, hard links and device nodes
 * kept, by `mkfs.ext4 -d`); replaces whatever was at `path`. Needs `mkfs.ext4` (e2fsprogs).
 */
export function makeScratchDisk(path: string, sizeMb: number, from?: string): void {
  if (!Number.isInteger(sizeMb) || sizeMb < 64 || sizeMb > 65_536)
    throw new VmError(`scratch disk size ${sizeMb} MiB is not allowed: a whole number in 64..65536`);
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  try {
    const fd = openSync(partial, "w");
    try {
      ftruncateSync(fd, sizeMb * 1024 * 1024);
    } finally {
      closeSync(fd);
    }
    mustHostCommand(
      "mkfs.ext4",
      [
        "-q",
        "-F",
        "-m",
        "0",
        "-E",
        "lazy_itable_init=0,lazy_journal_init=0",
        ...(from !== undefined ? ["-d", from] : []),
        partial,
      ],
      600_000,
    );
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
}
