/**
 * The health gate of an L4 node (`ha-l4-gate`, POSIX sh): it announces a service address while
 * the node can serve it and withdraws it otherwise, by enabling or disabling the BIRD static
 * protocol that carries the address's /32 (`serviceProtocolName` in `bird-l4.ts`; `birdc enable`
 * and `birdc disable`).
 *
 * An address is announced while
 * - the drain file does not exist (an operator drains the node with `touch /run/ha/drain` and
 *   brings it back with `rm /run/ha/drain`), and
 * - IPVS has, for each of the address's virtual services (or for at least one of them, with
 *   `announceWhen: "any-port-healthy"`), a real server of weight above 0: keepalived sets a
 *   failed real server's weight to 0 (`inhibit_on_failure`), so a weight above 0 is an L7 node
 *   whose health check passes. `ipvsadm -Ln` failing (no IPVS, keepalived not started) counts
 *   as no live real server, and
 * - keepalived has run for at least `holdDownSeconds` (read from its pid file): until its first
 *   health checks have run it counts every real server up (it adds them at their configured
 *   weight, see `ipvs-keepalived.ts`), so a node that starts, or whose keepalived restarts, waits;
 * - and the node has not got its BGP sessions back, after losing every one it had, less than
 *   `cutOffHoldDownMs` ago: a node cut off for less than its checks take to fail (a blip, a
 *   cable pulled and put back) still holds its real servers up when its sessions return,
 *   although check attempts begun while it was cut off may still fail; it withdraws while cut
 *   off and waits until those attempts have ended, and then the weights decide. Only that long:
 *   a blip that takes every L4 node's sessions at once (seen in the drills when the VM that runs
 *   them stalled past BFD's detection time) would otherwise leave no node announcing for a full
 *   round of checks. (Marker files `<stateFile>.peered` and `.isolated`, so that `once` rounds
 *   share it.)
 *
 * `ha-l4-gate run` (the default) looks every `intervalMs` until it is stopped; on SIGTERM or
 * SIGINT it withdraws every address before it exits, so a stopped gate never leaves a stale
 * announcement. `ha-l4-gate once` decides once and exits: keepalived's `quorum_up`/`quorum_down`
 * call it so that a change acts at once rather than at the next look.
 *
 * A decision (a full round) costs one `birdc show protocols`, one `ipvsadm -Ln` and one awk;
 * `birdc` runs again only to change a protocol's state, and only changes are logged (to stderr).
 * A running gate makes one only when what it decides from may have changed: each look reads, with
 * shell builtins and no process, the drain file, the kernel's IPVS table (`/proc/net/ip_vs`: every
 * real server's weight) and its TCP tables (how many connections to or from BGP's port are
 * established), and decides when that changed (and for `settleMs` after, so that a BGP session
 * that reaches Established just after its connection is seen), while a hold-down or a failed
 * round is pending, and every `resyncMs` in any case (a BIRD restarted behind its back, a
 * protocol changed by hand). It sleeps between looks by a `read` that times out (bash), not a
 * `sleep` process. On a busy host every process start counts: an emulated L4 node spent about
 * half a vCPU on the 4 processes of a round every 200 ms, before the looks.
 */
import { type ErrorLocation, invalid } from "../errors";
import { assertDistinct, assertServiceAddress } from "../model/bgp";
import { assertFilePath, assertIntegerInRange, assertPort } from "../model/config-text";
import { serviceProtocolName } from "./bird-l4";
import { generatedHeader, lines, seconds, shellQuote } from "./text";

/** Where an operator's drain file is by default: while it exists, the node announces nothing. */
export const DEFAULT_DRAIN_FILE = "/run/ha/drain";
/** keepalived's pid file on Debian. */
export const DEFAULT_KEEPALIVED_PID_FILE = "/run/keepalived.pid";
/** Prefix of the gate's marker files by default. */
export const DEFAULT_GATE_STATE = "/run/ha/l4-gate";
/** BIRD's control socket on Debian. */
export const DEFAULT_BIRD_SOCKET = "/run/bird/bird.ctl";

/** One IPVS virtual service the gate watches (as in the node's keepalived config). */
export interface L4GateVirtualServer {
  /** The service address (a /32 the node announces). */
  readonly address: string;
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
}

export interface L4GateConfig {
  /** Every virtual service of the node; the gate announces each distinct address. */
  readonly virtualServers: readonly L4GateVirtualServer[];
  /**
   * How an address with several virtual services (ports) counts as healthy.
   * "every-port-healthy": each has a live real server (the node announces only what it can
   * serve whole). "any-port-healthy": one is enough (a port whose L7 service fails everywhere
   * does not take the address's other ports down with it).
   * @default "every-port-healthy"
   */
  readonly announceWhen?: "every-port-healthy" | "any-port-healthy";
  /** @default DEFAULT_DRAIN_FILE */
  readonly drainFile?: string;
  /** @default DEFAULT_BIRD_SOCKET */
  readonly birdSocket?: string;
  /** Time between two rounds, 100 ms to 60 s: the gate's share of the time to withdraw. */
  readonly intervalMs: number;
  /**
   * Seconds keepalived must have run before anything is announced: at least the time its first
   * round of health checks takes to mark a dead L7 node (`ipvsDetectionTimeMs`), rounded up.
   * 0: no hold-down (and keepalived's pid file is not read).
   * @default 0
   */
  readonly holdDownSeconds?: number;
  /**
   * Milliseconds a node that lost every BGP session it had waits after one returns before it
   * announces again: long enough for every health check attempt begun while it was cut off to
   * have ended (an attempt's failures show in IPVS's weights only once it ends), after which the
   * weights decide. Not a full round of checks: a blip that takes every L4 node's sessions at
   * once (a switch, a stalled hypervisor) would leave no node announcing for that long.
   * 0: a node announces as soon as its sessions are back.
   * @default holdDownSeconds × 1000
   */
  readonly cutOffHoldDownMs?: number;
  /** @default DEFAULT_KEEPALIVED_PID_FILE */
  readonly keepalivedPidFile?: string;
  /** Prefix of the gate's marker files (BGP peered, cut off). @default DEFAULT_GATE_STATE */
  readonly stateFile?: string;
  /**
   * A running gate decides at least this often even when nothing it looks at changed, 0 to 1 h
   * (0: every round decides).
   * @default DEFAULT_RESYNC_MS
   */
  readonly resyncMs?: number;
  /**
   * After a change it saw, a running gate decides every round for this long, 0 to 1 min.
   * @default DEFAULT_SETTLE_MS
   */
  readonly settleMs?: number;
  /** The kernel's IPVS table, which a running gate looks at. @default "/proc/net/ip_vs" */
  readonly ipvsTableFile?: string;
  /**
   * The kernel's TCP tables, which a running gate looks at for BGP's port (179) in established
   * connections. @default ["/proc/net/tcp", "/proc/net/tcp6"]
   */
  readonly tcpTableFiles?: readonly string[];
}

/** How often a running gate decides when nothing it looks at changed. */
export const DEFAULT_RESYNC_MS = 5000;
/** How long a running gate decides every round after a change. */
export const DEFAULT_SETTLE_MS = 1000;

const WHERE = "L4 gate script";

/** The `S` lines of the script: protocol, address and the virtual services (PROTO:ADDR:PORT) it needs. */
function serviceLines(where: ErrorLocation, config: L4GateConfig): string[] {
  if (!Array.isArray(config.virtualServers) || config.virtualServers.length === 0) {
    invalid(where, "virtual servers", config.virtualServers, "give at least one virtual server");
  }
  const needs = new Map<string, string[]>();
  const keys = config.virtualServers.map((vs) => {
    const address = assertServiceAddress(where, "virtual server address", vs.address);
    assertPort(where, "virtual server port", vs.port);
    const protocol = vs.protocol ?? "TCP";
    if (protocol !== "TCP" && protocol !== "UDP") {
      invalid(where, "virtual server protocol", protocol, "use TCP or UDP");
    }
    const key = `${protocol}:${address}:${vs.port}`;
    needs.set(address, [...(needs.get(address) ?? []), key]);
    return key;
  });
  assertDistinct(where, "virtual server", keys);
  return [...needs.entries()].map(
    ([address, vss]) => `S ${serviceProtocolName(address)} ${address} ${vss.join(",")}`,
  );
}

/**
 * Renders the gate script. Pure: the same input always gives the same text.
 * @param where - where errors point (the construct that deploys the node)
 */
export function renderL4Gate(config: L4GateConfig, where: ErrorLocation = WHERE): string {
  const services = serviceLines(where, config);
  const drain = assertFilePath(where, "drain file", config.drainFile ?? DEFAULT_DRAIN_FILE);
  const socket = assertFilePath(where, "BIRD socket", config.birdSocket ?? DEFAULT_BIRD_SOCKET);
  const interval = assertIntegerInRange(where, "intervalMs", config.intervalMs, 100, 60_000);
  const holdDown = assertIntegerInRange(where, "holdDownSeconds", config.holdDownSeconds ?? 0, 0, 3600);
  const cutOffHold = assertIntegerInRange(
    where,
    "cutOffHoldDownMs",
    config.cutOffHoldDownMs ?? holdDown * 1000,
    0,
    3_600_000,
  );
  const pidFile = assertFilePath(
    where,
    "keepalived pid file",
    config.keepalivedPidFile ?? DEFAULT_KEEPALIVED_PID_FILE,
  );
  const state = assertFilePath(where, "gate state file", config.stateFile ?? DEFAULT_GATE_STATE);
  const resync = assertIntegerInRange(where, "resyncMs", config.resyncMs ?? DEFAULT_RESYNC_MS, 0, 3_600_000);
  const settle = assertIntegerInRange(where, "settleMs", config.settleMs ?? DEFAULT_SETTLE_MS, 0, 60_000);
  const ipvsTable = assertFilePath(where, "IPVS table file", config.ipvsTableFile ?? "/proc/net/ip_vs");
  const tcpFiles = config.tcpTableFiles ?? ["/proc/net/tcp", "/proc/net/tcp6"];
  if (!Array.isArray(tcpFiles)) invalid(where, "tcpTableFiles", tcpFiles, "give a list of file paths");
  const tcpTables = tcpFiles.map((f) => assertFilePath(where, "TCP table file", f));
  const rule = config.announceWhen ?? "every-port-healthy";
  if (rule !== "every-port-healthy" && rule !== "any-port-healthy") {
    invalid(where, "announceWhen", rule, 'use "every-port-healthy" or "any-port-healthy"');
  }
  return lines(
    "#!/bin/bash",
    generatedHeader("#"),
    "# Health gate of an L4 node: announces each service address (enables its BIRD static protocol)",
    "# while the node is not drained and IPVS has a live real server for it; withdraws it otherwise.",
    `# Drain: touch ${drain}   Undrain: rm ${drain}`,
    "# Usage: ha-l4-gate [run|once]",
    "set -u",
    `socket=${shellQuote(socket)}`,
    `drain_file=${shellQuote(drain)}`,
    `interval=${seconds(interval)}`,
    `rule=${rule}`,
    `hold_down=${holdDown}`,
    `cut_hold_cs=${Math.ceil(cutOffHold / 10)}`,
    `keepalived_pid=${shellQuote(pidFile)}`,
    `state=${shellQuote(state)}`,
    `resync_cs=${Math.ceil(resync / 10)}`,
    `settle_cs=${Math.ceil(settle / 10)}`,
    `ipvs_table=${shellQuote(ipvsTable)}`,
    `tcp_tables=(${tcpTables.map(shellQuote).join(" ")})`,
    "",
    'log() { printf \'%s ha-l4-gate: %s\\n\' "$(date -u +%FT%TZ)" "$*" >&2; }',
    "",
    "# S PROTOCOL ADDRESS VIRTUAL-SERVICES: the BIRD protocol announcing ADDRESS and the virtual",
    "# services (PROTO:ADDRESS:PORT, comma-separated) that must have a live real server.",
    `services='${services.join("\n")}'`,
    "",
    "# Clock ticks per second, for the process start times in /proc/PID/stat.",
    "ticks=$(getconf CLK_TCK 2>/dev/null) || ticks=100",
    "",
    "# A full round (round) runs birdc, ipvsadm and awk, and nothing else; a look (look) runs no",
    "# process at all: on a busy or slow host every process start counts. held and cut_off set",
    "# $hold (why announcements must wait) with shell builtins only.",
    "",
    '# clock: $now_cs, centiseconds since boot, from /proc/uptime ("12345.67 ...") without a process.',
    "clock() {",
    "  IFS=. read -r up frac _ </proc/uptime",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions
    "  frac=${frac%% *}; frac=${frac#0}",
    "  now_cs=$((up * 100 + frac))",
    "}",
    "",
    "# must_wait REASON: adds REASON to $hold, why announcements must wait.",
    'must_wait() { hold="$hold$*"; }',
    "",
    "# held: keepalived has run for less than the hold-down (its first health checks have not",
    "# marked the dead real servers yet), its age read from /proc as `ps -o etimes` would.",
    "held() {",
    '  [ "$hold_down" -gt 0 ] || return 0',
    '  pid=""',
    '  read -r pid 2>/dev/null <"$keepalived_pid" || true',
    '  stat=""',
    '  case "$pid" in',
    "    *[!0-9]*) ;;",
    '    ?*) read -r stat 2>/dev/null <"/proc/$pid/stat" || true ;;',
    "  esac",
    '  if [ -z "$stat" ]; then',
    '    must_wait "keepalived is not running (no process for $keepalived_pid)"',
    "    return 0",
    "  fi",
    "  # After the command name (in parentheses, which may hold spaces): the start time is field 20.",
    "  # shellcheck disable=SC2086",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
    "  set -- ${stat##*) }",
    "  IFS=. read -r now _ </proc/uptime",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's 20th positional parameter
    "  age=$((now - ${20} / ticks))",
    '  if [ "$age" -lt "$hold_down" ]; then',
    '    must_wait "keepalived up for $age s of a $hold_down s hold-down (first health checks)"',
    "  fi",
    "}",
    "",
    "# cut_off: the node lost every BGP session it had ($protocols shows none Established) or got",
    "# one back less than $cut_hold_cs centiseconds ago, while health check attempts begun when it",
    "# was cut off may still end in failure (and set an L7 node's weight to 0).",
    "cut_off() {",
    '  [ "$cut_hold_cs" -gt 0 ] || return 0',
    '  case "$protocols" in',
    "    *Established*) ;;",
    "    *)",
    '      [ -e "$state.peered" ] || return 0',
    '      if [ ! -e "$state.isolated" ]; then',
    '        : >"$state.isolated"',
    '        log "every BGP session lost: withdrawing until $((cut_hold_cs * 10)) ms after one is back"',
    "      fi",
    '      must_wait "every BGP session is down"',
    "      return 0",
    "      ;;",
    "  esac",
    '  [ -e "$state.peered" ] || : >"$state.peered"',
    '  [ -e "$state.isolated" ] || return 0',
    "  clock",
    '  back=""',
    '  read -r back <"$state.isolated" || true',
    '  if [ -z "$back" ]; then',
    "    back=$now_cs",
    '    echo "$back" >"$state.isolated"',
    "  fi",
    '  if [ $((now_cs - back)) -lt "$cut_hold_cs" ]; then',
    '    must_wait "BGP back for $(((now_cs - back) * 10)) of $((cut_hold_cs * 10)) ms (checks begun while cut off)"',
    "  else",
    '    rm -f "$state.isolated"',
    "  fi",
    "}",
    "",
    "# decide DRAINED HELD: reads `ipvsadm -Ln` on its input, BIRD's protocols from $protocols and",
    "# the services (S lines) from $services (through the environment: awk -v would take",
    "# backslashes for escapes); prints 'enable|disable PROTOCOL ADDRESS REASON' for each protocol",
    "# to change.",
    "decide() {",
    '  protocols="$protocols" services="$services" awk -v drained="$1" -v held="$2" -v rule="$rule" -v drain_file="$drain_file" \'',
    "    BEGIN {",
    '      np = split(ENVIRON["protocols"], pl, "\\n")',
    '      for (i = 1; i <= np; i++) if (split(pl[i], f, " ") >= 4) state[f[1]] = f[4]',
    '      ns = split(ENVIRON["services"], sl, "\\n")',
    '      for (i = 1; i <= ns; i++) if (split(sl[i], f, " ") == 4 && f[1] == "S") { n++; name[n] = f[2]; address[n] = f[3]; needs[n] = f[4] }',
    "    }",
    '    $1 == "TCP" || $1 == "UDP" { vs = $1 ":" $2; next }',
    '    $1 == "->" && vs != "" && $4 ~ /^[0-9]+$/ && $4 > 0 { live[vs] = 1; next }',
    "    END {",
    "      for (i = 1; i <= n; i++) {",
    '        k = split(needs[i], vss, ","); ok = 0; missing = ""',
    '        for (j = 1; j <= k; j++) if (vss[j] in live) ok++; else missing = missing " " vss[j]',
    '        if (drained == "yes") { want = "down"; why = "drained (" drain_file " exists)" }',
    '        else if (held != "") { want = "down"; why = held }',
    '        else if (ok == 0 || (rule == "every-port-healthy" && ok < k)) { want = "down"; why = "no live real server for" missing }',
    '        else { want = "up"; why = ok " of " k " virtual services have a live real server" }',
    '        if (want == "up" && state[name[i]] != "up") print "enable", name[i], address[i], why',
    '        if (want == "down" && state[name[i]] == "up") print "disable", name[i], address[i], why',
    "      }",
    "    }'",
    "}",
    "",
    "bird_down=no",
    "# round: one look at the drain file, BIRD and IPVS, and the changes that follow.",
    "round() {",
    '  if ! protocols=$(birdc -s "$socket" show protocols 2>&1); then',
    '    [ "$bird_down" = no ] && log "BIRD does not answer on $socket: $protocols"',
    "    bird_down=yes",
    "    return 1",
    "  fi",
    "  bird_down=no",
    '  drained=no; [ -e "$drain_file" ] && drained=yes',
    '  hold=""',
    "  held",
    "  cut_off",
    "  # Exits 1 when a change failed (the next look decides again).",
    '  ipvsadm -Ln 2>/dev/null | decide "$drained" "$hold" | {',
    "    failed=0",
    "    while read -r action name address why; do",
    '      if birdc -s "$socket" "$action" "$name" >/dev/null </dev/null; then',
    '        if [ "$action" = enable ]; then log "announcing $address: $why"; else log "withdrawing $address: $why"; fi',
    "      else",
    '        log "birdc $action $name failed"',
    "        failed=1",
    "      fi",
    "    done",
    '    [ "$failed" = 0 ]',
    "  }",
    "}",
    "",
    "# look: $seen, what the decision depends on that can change without a process seeing it: the",
    "# drain file, every virtual service's real servers' weights in the kernel's IPVS table",
    '# ("TCP  C612640A:0050 mh", then "  -> C6120202:0050 Tunnel 1 0 0" per real server), and how',
    "# many connections to or from BGP's port (179, 00B3 in hex) the TCP tables list established (01).",
    "look() {",
    '  seen=undrained; [ -e "$drain_file" ] && seen=drained',
    '  if [ -r "$ipvs_table" ]; then',
    "    while read -r kind key _ weight _; do",
    '      case "$kind" in',
    '        TCP) seen="$seen TCP:$key" ;;',
    '        UDP) seen="$seen UDP:$key" ;;',
    '        "->") seen="$seen,$weight" ;;',
    "      esac",
    '    done <"$ipvs_table"',
    "  else",
    '    seen="$seen no-ipvs"',
    "  fi",
    "  bgp=0",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion
    '  for table in "${tcp_tables[@]}"; do',
    '    [ -r "$table" ] || continue',
    "    while read -r _ from to st _; do",
    '      [ "$st" = 01 ] || continue',
    '      case " $from $to " in *":00B3 "*) bgp=$((bgp + 1)) ;; esac',
    '    done <"$table"',
    "  done",
    '  seen="$seen bgp=$bgp"',
    "}",
    "",
    "# withdraw_all: disables every service protocol (the gate stops: no stale announcement).",
    "withdraw_all() {",
    "  printf '%s\\n' \"$services\" | while read -r _ name address _; do",
    '    birdc -s "$socket" disable "$name" >/dev/null 2>&1 </dev/null && log "withdrawing $address: the gate stops"',
    "  done",
    "}",
    "",
    'mode=run; [ "$#" -gt 0 ] && mode=$1',
    'case "$mode" in',
    "  once)",
    "    round",
    "    ;;",
    "  run)",
    "    trap 'withdraw_all; exit 0' TERM INT",
    "    # A FIFO no one writes to, opened for reading and writing (so that opening it does not",
    "    # wait for a writer): a read on it that times out sleeps without a process. sleep only if",
    "    # the FIFO cannot be made.",
    '    pace_fifo="$state.pace"',
    '    [ -p "$pace_fifo" ] || { rm -f "$pace_fifo"; mkfifo -m 600 "$pace_fifo"; } || true',
    '    if [ -p "$pace_fifo" ] && exec {pace}<>"$pace_fifo"; then',
    '      pause() { read -r -t "$interval" -u "$pace" _ || true; }',
    "    else",
    '      log "cannot make $pace_fifo: sleeping by a process"',
    '      pause() { sleep "$interval"; }',
    "    fi",
    '    last_seen=""; last_full=0; settle_until=0; again=yes',
    "    while true; do",
    "      look",
    "      clock",
    '      if [ "$seen" != "$last_seen" ]; then',
    "        last_seen=$seen; settle_until=$((now_cs + settle_cs)); again=yes",
    "      fi",
    '      if [ "$again" = yes ] || [ "$now_cs" -lt "$settle_until" ] || [ $((now_cs - last_full)) -ge "$resync_cs" ]; then',
    "        again=no",
    '        hold=""',
    "        round || again=yes",
    '        [ -n "$hold" ] && again=yes',
    "        last_full=$now_cs",
    "      fi",
    "      pause",
    "    done",
    "    ;;",
    "  *)",
    '    echo "usage: $0 [run|once]" >&2',
    "    exit 2",
    "    ;;",
    "esac",
  );
}
