import { gzipSync } from "node:zlib";
import {
  HOST_HEALTH_SCRIPT,
  HOST_HEALTH_SERVICE,
  HOST_HEALTH_TIMER,
  type HostHealthOptions,
  renderHostHealthScript,
  renderHostHealthService,
  renderHostHealthTimer,
} from "./host-health";
import { generatedHeader, lines } from "./text";
import { blockOrQuoted, quoted } from "./yaml-text";

export interface CloudInitFile {
  readonly path: string;
  readonly content: string;
  readonly executable: boolean;
  /** Octal mode, when set: it has precedence over `executable`. */
  readonly mode?: string;
  /** Ship the file gzipped and base64-encoded (cloud-init's `gz+b64`), to stay under the 16 KiB user-data limit. */
  readonly compress?: boolean;
}

export interface CloudInitOptions {
  /** Debian packages to install. */
  readonly packages: readonly string[];
  readonly files: readonly CloudInitFile[];
  /** Kernel parameters, persisted in /etc/sysctl.d. */
  readonly sysctls: Readonly<Record<string, string>>;
  /**
   * The supervisor to run as a systemd service, with the names of the processes it starts: the
   * distribution's own units of the same names are disabled so that only the supervisor runs them.
   */
  readonly supervisor?: { readonly path: string; readonly processes: readonly string[] };
  /** Environment of the supervised processes. */
  readonly environment?: Readonly<Record<string, string>>;
  /** A health check run by a systemd timer (see render/host-health). */
  readonly healthCheck?: HostHealthOptions;
  /** systemd units among `files` to enable and start once everything is written (e.g. "x.service"). */
  readonly services?: readonly string[];
}

export const SYSCTL_FILE = "/etc/sysctl.d/90-cdktf-ha.conf";
export const SUPERVISOR_UNIT = "/etc/systemd/system/ha-supervise.service";
/** Keeps package installs from starting services with the distribution's configuration. */
export const POLICY_RC_D = "/usr/sbin/policy-rc.d";

function systemdUnit(supervisorPath: string, environment: Readonly<Record<string, string>>): string {
  return lines(
    generatedHeader("#"),
    "[Unit]",
    "Description=cdktf-ha-topologies process supervisor",
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    ...Object.entries(environment)
      .sort()
      // A JSON string is a C-quoted systemd string; '%' starts a specifier there, so it is doubled.
      .map(([k, v]) => `Environment=${JSON.stringify(`${k}=${v}`).replace(/%/g, "%%")}`),
    `ExecStart=${supervisorPath}`,
    "Restart=always",
    "RestartSec=2",
    "KillMode=mixed",
    "TimeoutStopSec=20",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  );
}

/**
 * Renders a `#cloud-config` document for a Debian 12 instance: the packages (installed with
 * service start-up suppressed), the host's files, persistent sysctls, and the supervisor as a
 * systemd service. File contents may hold Terraform interpolations; YAML block scalars keep
 * them verbatim.
 */
export function renderCloudInit(options: CloudInitOptions): string {
  const { files, runcmd } = filesAndCommands(options);
  const out = ["#cloud-config", generatedHeader("#"), "package_update: true", "packages:"];
  for (const pkg of [...options.packages].sort()) out.push(`  - ${quoted(pkg)}`);
  out.push("write_files:");
  for (const f of files) {
    out.push(`  - path: ${quoted(f.path)}`);
    if (f.encoding) out.push(`    encoding: ${quoted(f.encoding)}`);
    out.push(`    content:${blockOrQuoted(f.content, 4)}`);
    out.push(`    permissions: ${quoted(f.permissions)}`, `    owner: ${quoted(f.owner)}`);
  }
  out.push("runcmd:");
  for (const cmd of runcmd) out.push(`  - [${cmd.map(quoted).join(", ")}]`);
  return `${out.join("\n")}\n`;
}

/** One `write_files` entry. */
interface WrittenFile {
  readonly path: string;
  readonly content: string;
  readonly encoding?: string;
  readonly permissions: string;
  readonly owner: string;
}

function written(path: string, content: string, executable = false, mode?: string): WrittenFile {
  return { path, content, permissions: mode ?? (executable ? "0755" : "0644"), owner: "root:root" };
}

/** The files cloud-init writes and the commands it runs after, in order. */
function filesAndCommands(options: CloudInitOptions): { files: WrittenFile[]; runcmd: string[][] } {
  const files: WrittenFile[] = [
    written(POLICY_RC_D, "#!/bin/sh\nexit 101\n", true),
    ...options.files.map((f) =>
      f.compress
        ? {
            ...written(
              f.path,
              gzipSync(Buffer.from(f.content, "utf8"), { level: 9 }).toString("base64"),
              f.executable,
              f.mode,
            ),
            encoding: "gz+b64",
          }
        : written(f.path, f.content, f.executable, f.mode),
    ),
  ];
  const runcmd: string[][] = [];
  const sysctlKeys = Object.keys(options.sysctls).sort();
  if (sysctlKeys.length) {
    files.push(
      written(
        SYSCTL_FILE,
        lines(
          generatedHeader("#"),
          sysctlKeys.map((k) => `${k} = ${options.sysctls[k]}`),
        ),
      ),
    );
    runcmd.push(["sysctl", "--load", SYSCTL_FILE]);
  }
  if (options.supervisor) {
    files.push(written(SUPERVISOR_UNIT, systemdUnit(options.supervisor.path, options.environment ?? {})));
    for (const name of options.supervisor.processes) {
      runcmd.push(["sh", "-c", `systemctl disable --now ${name}.service 2>/dev/null || true`]);
    }
    runcmd.push(["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", "ha-supervise.service"]);
  }
  const health = options.healthCheck;
  if (health) {
    files.push(
      written(HOST_HEALTH_SCRIPT, renderHostHealthScript(health), true),
      written(HOST_HEALTH_SERVICE, renderHostHealthService()),
      written(HOST_HEALTH_TIMER, renderHostHealthTimer(health.intervalSeconds)),
    );
    runcmd.push(["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", "ha-health.timer"]);
  }
  if (options.services?.length) {
    runcmd.push(["systemctl", "daemon-reload"]);
    for (const unit of options.services) runcmd.push(["systemctl", "enable", "--now", unit]);
  }
  runcmd.push(["rm", "-f", POLICY_RC_D]);
  return { files, runcmd };
}
