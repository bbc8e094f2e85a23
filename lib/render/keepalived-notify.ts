import { generatedHeader, lines } from "./text";
import { claimPath } from "./vip-claim";
import { moverPath } from "./vip-mover";

/** Where nodes keep keepalived's generic notify script. */
export const KEEPALIVED_NOTIFY_PATH = "/etc/keepalived/ha-notify.sh";

/**
 * keepalived's generic notify script: logs each transition and records the state in
 * `/run/ha/vrrp-<instance>.state`, where operators and drills can read it. Where the platform
 * moves the address through an API, it runs the instance's mover on becoming MASTER; where the
 * node adds the address itself after an ARP probe, it runs the instance's claim script on every
 * transition (`renderVipClaim`). keepalived calls it as `ha-notify.sh TYPE NAME STATE PRIORITY`.
 */
export function renderKeepalivedNotifyScript(): string {
  return lines(
    "#!/bin/sh",
    generatedHeader("#"),
    'type="$1"; name="$2"; state="$3"; priority="$4"',
    'case "$name" in *[!A-Za-z0-9_.-]*|"") exit 0 ;; esac',
    "mkdir -p /run/ha",
    'printf \'%s\\n\' "$state" > "/run/ha/vrrp-$name.state"',
    'echo "ha-notify: $type $name is now $state (priority $priority)" >&2',
    "# Where the platform moves the address through an API, the instance's mover claims it.",
    `mover="${moverPath("")}$name"`,
    'if [ "$state" = MASTER ] && [ -x "$mover" ]; then "$mover" master; fi',
    "# Where the node adds the address itself once no other node answers for it, it claims or drops it.",
    `claim="${claimPath("")}$name"`,
    'if [ -x "$claim" ]; then',
    '  case "$state" in MASTER) "$claim" master ;; BACKUP) "$claim" backup ;; FAULT) "$claim" fault ;; STOP) "$claim" stop ;; esac',
    "fi",
  );
}
