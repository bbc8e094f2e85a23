/**
 * Stages one host of a namespace lab: its uploaded files in overlay layers (one per directory
 * they land in), its /etc/hosts, /etc/resolv.conf and /etc/hostname, and the script that mounts
 * them and execs the container's command with Docker's capabilities and the container's environment.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DrillError } from "./drill-error";
import { renderHosts, renderResolvConf } from "./etc-files";
import { shellQuote } from "./proc";
import type { DrillContainer, DrillUpload } from "./stack";
import { STAND_IN_PATH, STAND_IN_PY } from "./stand-in";

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
export const RESERVED_PREFIXES = ["/proc", "/sys", "/dev", "/run", "/tmp"];

/** What staging needs to know about a host. */
export interface StagedHost {
  readonly container: DrillContainer;
  /** true when the lab runs the stand-in server instead of a command. */
  readonly standIn: boolean;
}

/** Where a host is staged, and the tag its private /run and /tmp mounts carry (`<tag>-run`). */
export interface StageSite {
  readonly workDir: string;
  /** The lab's prefix: a leak check finds a lab's hosts by their mounts. */
  readonly mountTag: string;
  /** The lab's value of each `random_password`, by key. */
  readonly secrets?: ReadonlyMap<string, string>;
  /** The lab's directory of a `docker_volume`, by key: it outlives the host's restarts. */
  readonly volumeDir?: (key: string) => string;
}

/** Throws for uploads under the paths the lab mounts itself. */
export function checkUploadsPlaceable(container: DrillContainer): void {
  for (const file of [...container.uploads.map((u) => u.file), ...container.mounts.map((m) => m.target)]) {
    if (RESERVED_PREFIXES.some((p) => file === p || file.startsWith(`${p}/`))) {
      throw new DrillError(`${container.key}: uploads and mounts under ${file} are not supported by drills`);
    }
  }
}

/** The deepest existing directory on this machine that contains `dir` (or `dir` itself). */
function existingAncestor(dir: string): string {
  let current = dir;
  while (current !== "/" && !fs.existsSync(current)) current = path.dirname(current);
  return current;
}

function uploadsOf(h: StagedHost): DrillUpload[] {
  const uploads = [...h.container.uploads];
  if (h.standIn) uploads.push({ file: STAND_IN_PATH, content: STAND_IN_PY, executable: true });
  return uploads;
}

/** The layers of a host's overlays, one per directory of this machine they cover. */
class Layers {
  private readonly byDir = new Map<string, string>();

  constructor(
    private readonly key: string,
    private readonly stage: string,
  ) {}

  /** The path in a layer that shows at `file` once the overlays are mounted. */
  public place(file: string): string {
    const mountDir = existingAncestor(path.dirname(file));
    if (!fs.statSync(mountDir).isDirectory()) {
      throw new DrillError(`${this.key}: ${mountDir} exists on this machine but is not a directory`);
    }
    let layer = this.byDir.get(mountDir);
    if (!layer) {
      layer = path.join(this.stage, `layer${this.byDir.size}`);
      fs.mkdirSync(layer, { mode: 0o755 });
      fs.chmodSync(layer, fs.statSync(mountDir).mode & 0o7777);
      this.byDir.set(mountDir, layer);
    }
    const target = path.join(layer, path.relative(mountDir, file));
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    return target;
  }

  /** `mount -t overlay` lines, shortest path first. */
  public mounts(): string[] {
    return [...this.byDir.entries()]
      .sort((a, b) => a[0].length - b[0].length)
      .map(([dir, layer]) => `mount -t overlay drill -o ro,lowerdir=${layer}:${dir} ${dir}`);
  }
}

function writeFile(file: string, content: string, mode: number): void {
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

/**
 * Writes the uploads into layers, and a mount point there for each volume and secret file.
 * Returns the overlay mounts, then the bind mounts of the volumes' directories and the secret
 * files (written beside the layers, so that a chown or chmod inside the host changes the lab's
 * copy and nothing of this machine's).
 */
function stageLayers(h: StagedHost, stage: string, site: StageSite): string[] {
  const layers = new Layers(h.container.key, stage);
  const binds: string[] = [];
  uploadsOf(h).forEach((u, i) => {
    const placed = layers.place(u.file);
    // As the Docker provider writes an upload: `permissions`, else 0744 executable, 0644 not.
    const mode = u.mode ?? (u.executable ? 0o744 : 0o644);
    if (u.secret === undefined) {
      writeFile(placed, u.content, mode);
      return;
    }
    const value = site.secrets?.get(u.secret);
    if (value === undefined)
      throw new DrillError(`${h.container.key}: no value for random_password.${u.secret}`);
    writeFile(placed, "", 0o600);
    const staged = path.join(stage, `secret${i}`);
    writeFile(staged, value, mode);
    binds.push(`mount --bind ${shellQuote(staged)} ${shellQuote(u.file)}`);
  });
  for (const m of h.container.mounts) {
    fs.mkdirSync(layers.place(`${m.target}/.`), { recursive: true, mode: 0o755 });
    const dir = site.volumeDir?.(m.volume);
    if (dir === undefined)
      throw new DrillError(`${h.container.key}: no directory for docker_volume.${m.volume}`);
    binds.push(`mount --bind ${shellQuote(dir)} ${shellQuote(m.target)}`);
  }
  return [...layers.mounts(), ...binds];
}

/** Writes /etc/hosts, resolv.conf and hostname; returns `mount --bind` lines. */
function stageEtc(h: StagedHost, stage: string, containers: readonly DrillContainer[]): string[] {
  const etc: Record<string, string> = {
    "/etc/hosts": renderHosts(h.container, containers),
    "/etc/resolv.conf": renderResolvConf(h.container),
    "/etc/hostname": `${h.container.hostname}\n`,
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
  return binds;
}

/**
 * Stages a host under `workDir/hosts/<hostname>` and returns the path of its start script, which
 * runs as PID 1 of the host's PID, mount and UTS namespaces and takes the command as arguments.
 */
export function stageHost(h: StagedHost, site: StageSite, containers: readonly DrillContainer[]): string {
  const c = h.container;
  const stage = path.join(site.workDir, "hosts", c.hostname);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true, mode: 0o755 });
  const overlays = stageLayers(h, stage, site);
  const binds = stageEtc(h, stage, containers);
  const caps = [...new Set([...DOCKER_DEFAULT_CAPABILITIES, ...c.capabilities])]
    .map((cap) => `+${cap.toLowerCase()}`)
    .join(",");
  const env = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${c.hostname}`, "HOME=/root", ...c.env];
  const script = [
    "#!/bin/sh",
    `# ha-drill: container ${c.key} as PID 1 of its own PID, mount and UTS namespaces`,
    "set -eu",
    `hostname ${shellQuote(c.hostname)}`,
    // sysfs of this network namespace, and private /run and /tmp as in a container. /tmp last:
    // the staged files may live under it.
    "mount -t sysfs -o ro sysfs /sys",
    `mount -t tmpfs -o mode=0755,size=16m ${site.mountTag}-run /run`,
    ...binds,
    ...overlays,
    `mount -t tmpfs -o mode=1777,size=64m ${site.mountTag}-tmp /tmp`,
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
