import { generatedHeader, indent, lines, seconds } from "./text";

/** A `vrrp_script`: a command whose exit status tracks the health of something local. */
export interface KeepalivedTrackScript {
  readonly name: string;
  /** Argument vector; rendered as one quoted string (keepalived splits it itself, no shell). */
  readonly command: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly rise: number;
  readonly fall: number;
  /** 0: a failing script puts the instance in FAULT (gives up the VIP at once). */
  readonly weight: number;
}

/**
 * A `track_file`: a file keepalived reads through inotify whenever it changes. With weight 0, a
 * non-zero number in it puts the instances that track it in FAULT, 0 lets them run.
 */
export interface KeepalivedTrackFile {
  readonly name: string;
  readonly path: string;
  readonly weight: number;
  /** Written by keepalived at startup when the file does not exist yet (`init_file`). */
  readonly initialValue: number;
}

export interface KeepalivedVirtualAddress {
  readonly address: string;
  readonly prefixLength: number;
  readonly device: string;
}

export interface KeepalivedNotify {
  readonly master?: readonly string[];
  readonly backup?: readonly string[];
  readonly fault?: readonly string[];
  readonly stop?: readonly string[];
  /** Runs on every transition as `COMMAND TYPE NAME STATE PRIORITY`. */
  readonly generic?: readonly string[];
  /** Runs when a MASTER receives an advert of lower priority (the restart race on unicast). */
  readonly masterRxLowerPriority?: readonly string[];
}

export interface KeepalivedInstance {
  readonly name: string;
  readonly initialState: "MASTER" | "BACKUP";
  readonly interface: string;
  readonly virtualRouterId: number;
  readonly priority: number;
  readonly advertIntervalMs: number;
  /** true: `nopreempt` (the instance must then start as BACKUP). */
  readonly noPreempt: boolean;
  readonly preemptDelaySeconds: number;
  readonly virtualAddresses: readonly KeepalivedVirtualAddress[];
  /** Unicast instead of multicast adverts. */
  readonly unicast?: { readonly sourceIp: string; readonly peers: readonly string[] };
  readonly trackScripts: readonly string[];
  /** Names of the track files. @default - none */
  readonly trackFiles?: readonly string[];
  readonly notify: KeepalivedNotify;
  /** Gratuitous ARP after becoming MASTER. */
  readonly garp: {
    /** Seconds before the second burst of gratuitous ARPs. */
    readonly masterDelaySeconds: number;
    /** Gratuitous ARPs per burst. */
    readonly masterRepeat: number;
    /** Seconds between refresh bursts while MASTER (0: none). */
    readonly masterRefreshSeconds: number;
  };
}

export interface KeepalivedConfig {
  readonly routerId: string;
  readonly vrrpVersion: 2 | 3;
  readonly trackScripts: readonly KeepalivedTrackScript[];
  /** @default - none */
  readonly trackFiles?: readonly KeepalivedTrackFile[];
  readonly instances: readonly KeepalivedInstance[];
}

function quoteCommand(command: readonly string[]): string {
  // Every argument passed the COMMAND_ARG allow-list: no quotes, spaces or backslashes inside.
  return `"${command.join(" ")}"`;
}

/** Renders `keepalived.conf`. Pure: the same input always gives the same text. */
export function renderKeepalivedConf(config: KeepalivedConfig): string {
  const globals = [
    `router_id ${config.routerId}`,
    `vrrp_version ${config.vrrpVersion}`,
    // Track scripts run as root, and keepalived refuses scripts that a non-root user could edit.
    "script_user root",
    "enable_script_security",
    // Adverts go out even while the instance is busy with scripts, and a lower-priority master is
    // answered at once instead of after the next advert.
    "vrrp_higher_prio_send_advert true",
  ];
  const scripts = config.trackScripts.flatMap((s) => [
    "",
    `vrrp_script ${s.name} {`,
    ...indent([
      `script ${quoteCommand(s.command)}`,
      `interval ${s.intervalSeconds}`,
      `timeout ${s.timeoutSeconds}`,
      `rise ${s.rise}`,
      `fall ${s.fall}`,
      `weight ${s.weight}`,
    ]),
    "}",
  ]);
  const files = (config.trackFiles ?? []).flatMap((f) => [
    "",
    `track_file ${f.name} {`,
    ...indent([`file "${f.path}"`, `weight ${f.weight}`, `init_file ${f.initialValue}`]),
    "}",
  ]);
  const instances = config.instances.flatMap((i) => {
    const notify: string[] = [];
    if (i.notify.master) notify.push(`notify_master ${quoteCommand(i.notify.master)}`);
    if (i.notify.backup) notify.push(`notify_backup ${quoteCommand(i.notify.backup)}`);
    if (i.notify.fault) notify.push(`notify_fault ${quoteCommand(i.notify.fault)}`);
    if (i.notify.stop) notify.push(`notify_stop ${quoteCommand(i.notify.stop)}`);
    if (i.notify.generic) notify.push(`notify ${quoteCommand(i.notify.generic)}`);
    if (i.notify.masterRxLowerPriority) {
      notify.push(`notify_master_rx_lower_pri ${quoteCommand(i.notify.masterRxLowerPriority)}`);
    }
    const body = [
      `state ${i.initialState}`,
      `interface ${i.interface}`,
      `virtual_router_id ${i.virtualRouterId}`,
      `priority ${i.priority}`,
      `advert_int ${seconds(i.advertIntervalMs)}`,
      i.noPreempt ? "nopreempt" : `preempt_delay ${i.preemptDelaySeconds}`,
      ...(i.unicast
        ? [`unicast_src_ip ${i.unicast.sourceIp}`, "unicast_peer {", ...indent(i.unicast.peers), "}"]
        : []),
      ...(i.virtualAddresses.length
        ? [
            "virtual_ipaddress {",
            ...indent(i.virtualAddresses.map((v) => `${v.address}/${v.prefixLength} dev ${v.device}`)),
            "}",
          ]
        : []),
      ...(i.trackScripts.length ? ["track_script {", ...indent(i.trackScripts), "}"] : []),
      ...(i.trackFiles?.length ? ["track_file {", ...indent(i.trackFiles), "}"] : []),
      `garp_master_delay ${i.garp.masterDelaySeconds}`,
      `garp_master_repeat ${i.garp.masterRepeat}`,
      `garp_master_refresh ${i.garp.masterRefreshSeconds}`,
      ...notify,
    ];
    return ["", `vrrp_instance ${i.name} {`, ...indent(body), "}"];
  });
  return lines(generatedHeader("#"), "global_defs {", indent(globals), "}", scripts, files, instances);
}
