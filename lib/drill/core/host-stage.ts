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
}

/** Throws for uploads under the paths the lab mounts itself. */
export function checkUploadsPlaceable(container: DrillContainer): void {
  for (const u of container.uploads) {
    if (RESERVED_PREFIXES.some((p) => u.file === p || u.file.startsWith(`${p}/`))) {
      throw new DrillError(`${container.key}: uploads under ${u.file} are not supported by drills`);
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

/** Writes the uploads into layers; returns `mount -t overlay` lines, shortest path first. */
function stageLayers(h: StagedHost, stage: string): string[] {
  const mounts = new Map<string, string>();
  for (const u of uploadsOf(h)) {
    const mountDir = existingAncestor(path.dirname(u.file));
    if (!fs.statSync(mountDir).isDirectory()) {
      throw new DrillError(`${h.container.key}: ${mountDir} exists on this machine but is not a directory`);
    }
    let layer = mounts.get(mountDir);
    if (!layer) {
      layer = path.join(stage, `layer${mounts.size}`);
      fs.mkdirSync(layer, { mode: 0o755 });
      fs.chmodSync(layer, fs.statSync(mountDir).mode & 0o7777);
      mounts.set(mountDir, layer);
    }
    const target = path.join(layer, path.relative(mountDir, u.file));
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.writeFileSync(target, u.content, { mode: u.executable ? 0o755 : 0o644 });
    fs.chmodSync(target, u.executable ? 0o755 : 0o644);
  }
  return [...mounts.entries()]
    .sort((a, b) => a[0].length - b[0].length)
    .map(([dir, layer]) => `mount -t overlay drill -o ro,lowerdir=${layer}:${dir} ${dir}`);
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
  const overlays = stageLayers(h, stage);
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
