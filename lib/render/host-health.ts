import { generatedHeader, lines, shellQuote } from "./text";

/** Where hosts outside Docker keep their health checker, its state and its systemd units. */
export const HOST_HEALTH_SCRIPT = "/usr/local/sbin/ha-health";
export const HOST_HEALTH_STATE = "/run/ha/health";
export const HOST_HEALTH_SERVICE = "/etc/systemd/system/ha-health.service";
export const HOST_HEALTH_TIMER = "/etc/systemd/system/ha-health.timer";

export interface HostHealthOptions {
  /** Argument vector of the check; exit 0 means healthy. */
  readonly command: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  /** Consecutive failures before the host counts as unhealthy. */
  readonly retries: number;
}

/**
 * The health checker of a host without a container engine, with Docker's HEALTHCHECK semantics:
 * run the check with a timeout; `retries` consecutive failures make the host unhealthy, one
 * success makes it healthy again. The state is written to /run/ha/health and each change is
 * logged to the journal (`journalctl -t ha-health`); the exit status is the state.
 */
export function renderHostHealthScript(options: HostHealthOptions): string {
  const command = options.command.map(shellQuote).join(" ");
  return lines(
    "#!/bin/sh",
    generatedHeader("#"),
    `state=${HOST_HEALTH_STATE}; count=${HOST_HEALTH_STATE}.failures`,
    "mkdir -p /run/ha",
    `if timeout ${options.timeoutSeconds} ${command} >/dev/null 2>&1; then n=0; else n=$(( $(cat "$count" 2>/dev/null || echo 0) + 1 )); fi`,
    'echo "$n" > "$count"',
    `if [ "$n" -ge ${options.retries} ]; then new=unhealthy; else new=healthy; fi`,
    'old=$(cat "$state" 2>/dev/null || echo starting)',
    'if [ "$new" != "$old" ]; then',
    '  echo "$new" > "$state"',
    '  logger -t ha-health "host is $new ($n consecutive failed checks)"',
    "fi",
    '[ "$new" = healthy ]',
  );
}

/** The systemd service that runs the checker once. */
export function renderHostHealthService(): string {
  return lines(
    generatedHeader("#"),
    "[Unit]",
    "Description=cdktf-ha-topologies host health check",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${HOST_HEALTH_SCRIPT}`,
    // A failing check is the host's state, not a failure of the unit worth a restart loop.
    "SuccessExitStatus=0 1",
  );
}

/** The systemd timer that runs the checker every `intervalSeconds`. */
export function renderHostHealthTimer(intervalSeconds: number): string {
  return lines(
    generatedHeader("#"),
    "[Unit]",
    "Description=cdktf-ha-topologies host health check, every interval",
    "",
    "[Timer]",
    `OnBootSec=${intervalSeconds}s`,
    `OnUnitActiveSec=${intervalSeconds}s`,
    "AccuracySec=100ms",
    "",
    "[Install]",
    "WantedBy=timers.target",
  );
}
