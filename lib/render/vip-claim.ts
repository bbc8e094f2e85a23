import { generatedHeader, lines, seconds, shellQuote } from "./text";

/** Where a node keeps the script that claims the addresses of VRRP instance `instance`, if any. */
export function claimPath(instance: string): string {
  return `/usr/local/sbin/ha-claim-${instance}`;
}

export interface VipClaimOptions {
  /** keepalived instance the script serves (its state file, lock and logs). */
  readonly instance: string;
  /** The interface the addresses go on. */
  readonly device: string;
  /** Addresses with prefix length, e.g. 198.18.0.10/24 (no spaces: a space-separated list in the script). */
  readonly addresses: readonly string[];
  /** How long to wait for another holder to answer the ARP probe, in milliseconds. */
  readonly probeMs: number;
  /** Pause between probes while another node answers, in milliseconds (one advert interval). */
  readonly retryMs: number;
  /**
   * Where keepalived's notify script writes the state files; the lock goes there too.
   * @default "/run/ha"
   */
  readonly runDir?: string;
}

/**
 * Renders the script that adds a floating address on a node that became MASTER only once no
 * other node answers for it, instead of keepalived adding it at once. keepalived cannot tell a
 * partition (the master is alive but its adverts are lost) from a dead master; an ARP probe for
 * the address (duplicate address detection, `arping -D`) can, when ARP still crosses the cut.
 * `ha-claim-<instance> master` probes each address; while another node answers it adds nothing
 * and probes again every `retryMs`, for as long as the instance stays MASTER, so the clients stay
 * with the node that holds the address; once the address is free (at the first probe, or on 3
 * in a row once another node has answered twice) it adds it and announces it by gratuitous ARP. `announce` repeats
 * the announcement (keepalived runs it when a MASTER hears a lower-priority one: a healed
 * partition, whose other side may have pulled clients over). `backup`, `fault` and `stop` stop those announcements and remove the addresses. keepalived's notify script
 * runs it on every transition; runs are serialized by a lock, and the state file written by the
 * notify script tells a probing run that the node is no longer MASTER.
 */
export function renderVipClaim(options: VipClaimOptions): string {
  return lines(
    "#!/bin/bash",
    generatedHeader("#"),
    "set -u -f",
    `instance=${shellQuote(options.instance)}`,
    `device=${shellQuote(options.device)}`,
    `addresses=${shellQuote(options.addresses.join(" "))}`,
    `probe=${seconds(options.probeMs)}`,
    `retry=${seconds(options.retryMs)}`,
    `run_dir=${shellQuote(options.runDir ?? "/run/ha")}`,
    'state_file="$run_dir/vrrp-$instance.state"',
    'log() { echo "ha-claim: $instance: $*" >&2; }',
    'is_master() { [ "$(cat "$state_file" 2>/dev/null)" = MASTER ]; }',
    'held() { ip -o -4 addr show dev "$device" | grep -qF " $1/"; }',
    "",
    "# Gratuitous ARPs at 0, 1 and 2 s, in the background, without the lock; pids kept to stop them.",
    'garp_pids="$run_dir/claim-$instance.garp"',
    "announce() {",
    '  arping -U -q -c 3 -I "$device" "$1" >/dev/null 2>&1 9>&- &',
    '  echo $! >> "$garp_pids"',
    "}",
    "stop_announcing() {",
    '  [ -f "$garp_pids" ] && xargs -r kill < "$garp_pids" 2>/dev/null',
    '  rm -f "$garp_pids"',
    "}",
    "",
    "# answered IP: another node answers an ARP probe for IP within the probe time.",
    "answered() {",
    '  timeout "$probe" arping -D -q -c 1 -I "$device" "$1"',
    "  [ $? -eq 1 ]",
    "}",
    "",
    'mkdir -p "$run_dir"',
    'exec 9>"$run_dir/claim-$instance.lock"',
    "flock 9",
    "[ $# -eq 1 ] || set -- usage",
    'case "$1" in',
    "  master)",
    "    # Until every address is here, or the node is no longer MASTER. Once another node has",
    "    # answered twice (a partition, not a handover), the addresses must be free on 3 probes in a",
    "    # row: a probe slowed by load may miss.",
    "    seen=0 free=0",
    "    while is_master; do",
    "      missing=''",
    "      for a in $addresses; do",
    '        IFS=/ read -r ip _ <<< "$a"',
    '        held "$ip" || missing="$missing $a"',
    "      done",
    '      [ -n "$missing" ] || exit 0',
    "      answer=''",
    "      for a in $missing; do",
    '        IFS=/ read -r ip _ <<< "$a"',
    '        if answered "$ip"; then answer=$ip; break; fi',
    "      done",
    '      if [ -n "$answer" ]; then',
    '        [ "$seen" -gt 0 ] || log "another node answers for $answer: not taking it (partition?)"',
    "        seen=$((seen + 1)) free=0",
    "      else",
    "        free=$((free + 1))",
    '        if [ "$seen" -lt 2 ] || [ "$free" -ge 3 ]; then',
    "          for a in $missing; do",
    '            IFS=/ read -r ip _ <<< "$a"',
    '            ip addr add "$a" dev "$device" && log "added $a"',
    '            announce "$ip"',
    "          done",
    "          exit 0",
    "        fi",
    "      fi",
    '      sleep "$retry"',
    "    done",
    "    ;;",
    "  announce)",
    "    # A MASTER that hears a lower-priority MASTER (a healed partition) re-announces its addresses.",
    "    stop_announcing",
    "    for a in $addresses; do",
    '      IFS=/ read -r ip _ <<< "$a"',
    '      held "$ip" && announce "$ip"',
    "    done",
    "    ;;",
    "  backup | fault | stop)",
    "    stop_announcing",
    "    for a in $addresses; do",
    '      IFS=/ read -r ip _ <<< "$a"',
    '      held "$ip" && ip addr del "$a" dev "$device" && log "removed $a"',
    "    done",
    "    ;;",
    '  *) log "usage: $0 master|announce|backup|fault|stop"; exit 2 ;;',
    "esac",
    "exit 0",
  );
}
