/**
 * PowerDNS 4.7's health-check timing for a portable `HealthCheck`, and the removal time it gives.
 *
 * PowerDNS counts in whole seconds and has no rise/fall thresholds: one failed probe takes a member
 * out of the answers, one passing probe brings it back. The checker probes every check of every
 * record once per round; a round starts `interval` after the previous one started, or when its
 * slowest probe ends if that is later (a silent member holds the round for the whole timeout).
 */
import { type ErrorLocation, invalid } from "../errors";
import { type HealthCheck, HealthCheckKind } from "../model/health-check";

export interface PowerDnsCheckTiming {
  /** `lua-health-checks-interval`: the portable interval rounded down to whole seconds, at least 1. */
  readonly intervalSeconds: number;
  /**
   * The records' `timeout` option: the portable timeout rounded up to whole seconds, at least 1
   * (0 would mean no timeout at all for HTTP probes).
   */
  readonly timeoutSeconds: number;
  /**
   * Worst case from a member's death until it leaves the answers: the longest a round can take
   * plus the failing probe's own timeout (a member that refuses connections leaves within about
   * one interval; one that drops them silently takes the timeout longer).
   */
  readonly removalTimeMs: number;
  /**
   * Worst case for a member that refuses connections (its process died, the host answers): the
   * longest a round can take, its probe failing at once.
   */
  readonly refusedRemovalTimeMs: number;
}

/**
 * The timing PowerDNS uses for `check`. The interval is rounded down so that PowerDNS probes at
 * least as often as asked: with one probe deciding, `unhealthyThreshold x intervalMs` stays an
 * upper bound of the detection time whenever the interval is 1 s or more.
 */
export function powerDnsCheckTiming(where: ErrorLocation, check: HealthCheck): PowerDnsCheckTiming {
  if (check.kind === HealthCheckKind.SCRIPT) {
    invalid(
      where,
      "health check",
      check.kind,
      "use HealthCheck.http() or HealthCheck.tcp(): PowerDNS probes members by TCP or HTTP only",
    );
  }
  const intervalSeconds = Math.max(1, Math.floor(check.intervalMs / 1000));
  const timeoutSeconds = Math.max(1, Math.ceil(check.timeoutMs / 1000));
  const roundSeconds = Math.max(intervalSeconds, timeoutSeconds);
  return {
    intervalSeconds,
    timeoutSeconds,
    removalTimeMs: (roundSeconds + timeoutSeconds) * 1000,
    refusedRemovalTimeMs: roundSeconds * 1000,
  };
}

/**
 * How long a check may go without queries before PowerDNS stops it. Long: after expiry the next
 * query finds the check unrun and gets the all-unhealthy answer; a member removed from the zone is
 * probed until the server restarts with the new zone, which every deploy does.
 */
export const POWERDNS_CHECK_EXPIRE_SECONDS = 7 * 24 * 3600;
