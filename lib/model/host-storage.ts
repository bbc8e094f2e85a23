import { type ErrorLocation, invalid } from "../errors";
import { assertFilePath, assertIntegerInRange, assertName } from "./config-text";

/**
 * A secret as a host spec names it: the platform that made it (`IPlatform.addSecret`) knows how
 * to deliver it. Its value exists only at deploy time.
 */
export interface HostSecret {
  /** The secret's construct path: unique in the app. */
  readonly secretId: string;
  /** Its length in characters (letters and digits only). */
  readonly length: number;
}

/**
 * Data that outlives the host: a replaced container or instance finds it again. Docker: a named
 * volume; AWS: an encrypted EBS volume in the host's zone, formatted on first boot.
 */
export interface HostVolume {
  /** Short name, unique on the host (names the volume: `<prefix>-<hostname>-<name>`). */
  readonly name: string;
  /** Absolute path the volume is mounted at. */
  readonly mountPath: string;
  /**
   * Size in GiB, where the platform sizes volumes (EBS); a Docker volume grows with its disk.
   * @default 10
   */
  readonly sizeGiB?: number;
  /**
   * `user` or `user:group` that owns the mount point, set before the host's processes start.
   * @default - root
   */
  readonly owner?: string;
}

/** A secret delivered to a host as a file (never an environment variable). */
export interface HostSecretFile {
  /** Absolute path of the file. */
  readonly path: string;
  readonly secret: HostSecret;
  /**
   * Octal file mode; the owner may read, the group at most read, others nothing.
   * @default "0400"
   */
  readonly mode?: string;
  /**
   * `user` or `user:group` that owns the file, set before the host's processes start.
   * @default - root
   */
  readonly owner?: string;
}

/** The default mode of a secret file: its owner reads it, nobody else. */
export const DEFAULT_SECRET_MODE = "0400";
/** The default size of a volume where the platform sizes volumes. */
export const DEFAULT_VOLUME_GIB = 10;

const OWNER = /^[a-z_][a-z0-9_-]{0,31}(?::[a-z_][a-z0-9_-]{0,31})?$/;
const MODE = /^0?[0-7]{3}$/;

/** A `user` or `user:group` name (POSIX portable, as useradd accepts them). */
export function assertOwner(where: ErrorLocation, what: string, value: string): string {
  if (typeof value !== "string" || !OWNER.test(value)) {
    invalid(where, what, value, 'use "user" or "user:group" (lower-case letters, digits, "_" and "-")');
  }
  return value;
}

/** A restrictive octal mode: no write or execute for the group, nothing for others. */
export function assertSecretMode(where: ErrorLocation, what: string, value: string): string {
  if (typeof value !== "string" || !MODE.test(value) || (Number.parseInt(value, 8) & 0o037) !== 0) {
    invalid(
      where,
      what,
      value,
      'use an octal mode that gives others nothing and the group at most read, e.g. "0400", "0440" or "0600"',
    );
  }
  return value.padStart(4, "0");
}

/**
 * Checks a host's volumes and secret files: paths absolute, names unique, no file inside a
 * volume (a volume would hide it), sizes 1-16384 GiB.
 */
export function assertHostStorage(
  where: ErrorLocation,
  volumes: readonly HostVolume[],
  secretFiles: readonly HostSecretFile[],
): void {
  const names = new Set<string>();
  const paths = new Set<string>();
  for (const v of volumes) {
    assertName(where, "volume name", v.name);
    if (names.has(v.name)) invalid(where, "volume name", v.name, "give each volume of a host its own name");
    names.add(v.name);
    assertFilePath(where, `volume ${v.name} mountPath`, v.mountPath);
    if (v.sizeGiB !== undefined) assertIntegerInRange(where, `volume ${v.name} sizeGiB`, v.sizeGiB, 1, 16384);
    if (v.owner !== undefined) assertOwner(where, `volume ${v.name} owner`, v.owner);
    claimPath(where, paths, v.mountPath);
  }
  for (const f of secretFiles) {
    assertFilePath(where, "secret file path", f.path);
    if (f.mode !== undefined) assertSecretMode(where, `secret file ${f.path} mode`, f.mode);
    if (f.owner !== undefined) assertOwner(where, `secret file ${f.path} owner`, f.owner);
    const inside = volumes.find((v) => f.path.startsWith(`${v.mountPath.replace(/\/$/, "")}/`));
    if (inside) {
      invalid(
        where,
        "secret file path",
        f.path,
        `place it outside volume ${inside.name} (${inside.mountPath}), which would hide it`,
      );
    }
    claimPath(where, paths, f.path);
  }
}

function claimPath(where: ErrorLocation, paths: Set<string>, path: string): void {
  if (paths.has(path))
    invalid(where, "path", path, "give each volume and secret file of a host its own path");
  paths.add(path);
}
