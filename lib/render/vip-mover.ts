import { IMDS_FUNCTION } from "./imds";
import { generatedHeader, lines } from "./text";

/** Where a node keeps the script that moves the address of VRRP instance `instance`, if any. */
export function moverPath(instance: string): string {
  return `/usr/local/sbin/ha-move-${instance}`;
}

/** How the mover claims the address. */
export type VipMoverAction =
  | { readonly kind: "secondary-private-ip"; readonly address: string }
  | { readonly kind: "route-table"; readonly address: string; readonly routeTableIds: readonly string[] }
  | { readonly kind: "elastic-ip"; readonly allocationId: string };

export interface VipMoverOptions {
  /** keepalived instance the script serves (for logs and its lock). */
  readonly instance: string;
  readonly action: VipMoverAction;
  /** API attempts before giving up. */
  readonly attempts: number;
  /** First retry delay in seconds; doubles each attempt. */
  readonly firstDelaySeconds: number;
}

/** The script's settings for `action`: the address or allocation and the route tables. */
function actionSettings(a: VipMoverAction): string[] {
  if (a.kind === "secondary-private-ip") return [`address=${shellWord(a.address)}`];
  if (a.kind === "route-table") {
    return [`address=${shellWord(a.address)}`, `route_tables=${shellWord(a.routeTableIds.join(" "))}`];
  }
  return [`allocation_id=${shellWord(a.allocationId)}`];
}

/** The `claim` function: the one EC2 call that moves the address to this node's interface. */
function claimFunction(a: VipMoverAction): string[] {
  if (a.kind === "secondary-private-ip") {
    return [
      "claim() {",
      '  retry aws ec2 assign-private-ip-addresses --region "$region" --network-interface-id "$eni" \\',
      '    --private-ip-addresses "$address" --allow-reassignment',
      "}",
    ];
  }
  if (a.kind === "route-table") {
    return [
      "claim() {",
      "  local table status=0",
      "  for table in $route_tables; do",
      '    retry aws ec2 replace-route --region "$region" --route-table-id "$table" \\',
      '      --destination-cidr-block "$address/32" --network-interface-id "$eni" || status=1',
      "  done",
      '  return "$status"',
      "}",
    ];
  }
  return [
    "claim() {",
    "  local private_ip",
    "  private_ip=$(retry imds local-ipv4) || return 1",
    '  retry aws ec2 associate-address --region "$region" --allocation-id "$allocation_id" \\',
    '    --network-interface-id "$eni" --private-ip-address "$private_ip" --allow-reassociation',
    "}",
  ];
}

/**
 * Renders the script that moves a floating address to this node through the EC2 API. keepalived
 * runs it (through ha-notify.sh) when the node becomes MASTER, and again when a MASTER sees a
 * lower-priority MASTER (`notify_master_rx_lower_pri`: a restarted peer briefly claimed the
 * address). It reads its own network interface from the instance metadata with IMDSv2, retries
 * each call with exponential backoff, serializes runs with a lock, and logs every step.
 * Values may be Terraform interpolations resolved at deploy time; they are plain ids or
 * addresses, single-quoted where assigned and double-quoted where used.
 */
export function renderVipMover(options: VipMoverOptions): string {
  const a = options.action;
  const config = actionSettings(a);
  const move = claimFunction(a);
  return lines(
    "#!/bin/bash",
    generatedHeader("#"),
    `# Moves the floating address of ${options.instance} to this node (${a.kind}).`,
    "set -u",
    `instance="${options.instance}"`,
    ...config,
    `attempts=${options.attempts}`,
    `first_delay=${options.firstDelaySeconds}`,
    "reason=master",
    'if [ "$#" -gt 0 ]; then reason="$1"; fi',
    "",
    "log() {",
    '  logger -t "ha-move-$instance" -- "$*" 2>/dev/null || true',
    '  printf \'%s ha-move-%s: %s\\n\' "$(date -u +%FT%TZ)" "$instance" "$*" >&2',
    "}",
    "",
    "# retry COMMAND...: runs COMMAND until it succeeds, at most $attempts times, doubling the delay.",
    "# Logs name the whole command: under set -u a fixed $3 would abort a two-word one (imds mac).",
    "retry() {",
    '  local attempt=1 delay="$first_delay"',
    '  until "$@"; do',
    '    if [ "$attempt" -ge "$attempts" ]; then',
    '      log "giving up after $attempt attempts: $*"',
    "      return 1",
    "    fi",
    '    log "attempt $attempt failed: $*; retrying in $delay s"',
    '    sleep "$delay"',
    '    delay=$(awk -v d="$delay" \'BEGIN { printf "%.2f", d * 2 }\')',
    "    attempt=$((attempt + 1))",
    "  done",
    "}",
    "",
    ...IMDS_FUNCTION,
    "",
    ...move,
    "",
    "mkdir -p /run/ha",
    'exec 9>"/run/ha/move-$instance.lock"',
    'if ! flock -w 60 9; then log "another move is still running; giving up"; exit 1; fi',
    'log "claiming the address ($reason)"',
    'mac=$(retry imds mac) || { log "no MAC address from the instance metadata"; exit 1; }',
    'eni=$(retry imds "network/interfaces/macs/$mac/interface-id") || { log "no interface id"; exit 1; }',
    'region=$(retry imds placement/region) || { log "no region"; exit 1; }',
    'if claim; then log "address now on $eni"; else log "FAILED to move the address to $eni"; exit 1; fi',
  );
}

/** A value as one single-quoted shell word, whatever it holds (Terraform fills `${...}` in first). */
function shellWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
