import type { HealthCheckedNameBinding } from "../../health-checked-name";
import type { Route53Plan } from "./limits";

/**
 * Time from a health check's change of status to Route 53's name servers answering by it. AWS
 * documents no figure for it: this is an estimate, said so in every arithmetic that uses it.
 */
export const STATUS_PROPAGATION_MS = 10_000;

/**
 * How long a probe that gets no answer takes to fail ("How Amazon Route 53 determines whether a
 * health check is healthy"): HTTP must connect within 4 s (then get a status within 2 s more,
 * which a silent member never reaches), TCP within 10 s.
 */
export function silentProbeMs(plan: Route53Plan): number {
  return plan.probe.type === "HTTP" ? 4_000 : 10_000;
}

type Timings = Pick<HealthCheckedNameBinding, "refusedRemoval" | "silentRemoval" | "return">;

/**
 * Worst-case removal and return times of a member.
 *
 * Public zones, as each checker location sees it:
 * `request_interval` is the time from a probe's answer to the next probe, so a member that
 * refuses (or answers with an error) fails `failure_threshold` probes within threshold ×
 * interval; a silent one makes each probe wait for its timeout too: threshold × (interval +
 * timeout). It returns after threshold passing probes. Then the status reaches the name servers
 * (an estimate, see STATUS_PROPAGATION_MS). Checker locations do not coordinate, and the check
 * turns unhealthy once no more than 18% of them report healthy, so the figures are those of the
 * slower locations.
 *
 * Private zones: the host publishes one value per period of `request_interval` seconds and the
 * alarm goes off after threshold periods below 1. The period in which the member fails may
 * still hold a passing value, so threshold + 1 periods, plus (silent) the probe's own timeout;
 * a dead host publishes nothing, which counts as failing. Back after threshold + 1 periods.
 *
 * Resolvers' caches (the TTL) come on top, for the topology to add.
 */
export function route53Timings(plan: Route53Plan): Timings {
  return plan.mode === "endpoint" ? endpointTimings(plan) : alarmTimings(plan);
}

function endpointTimings(plan: Route53Plan): Timings {
  const interval = plan.intervalSeconds * 1000;
  const n = plan.failureThreshold;
  const p = STATUS_PROPAGATION_MS;
  const timeout = silentProbeMs(plan);
  const propagation = `${p} ms for the status to reach the name servers (an estimate: AWS documents no figure)`;
  return {
    refusedRemoval: {
      ms: n * interval + p,
      arithmetic: `${n} failed probes (failure_threshold) × ${interval} ms (request_interval) + ${propagation} = ${n * interval + p} ms`,
    },
    silentRemoval: {
      ms: n * (interval + timeout) + p,
      arithmetic: `${n} failed probes × (${interval} ms request_interval + ${timeout} ms for a ${plan.probe.type} probe to time out) + ${propagation} = ${n * (interval + timeout) + p} ms`,
    },
    return: {
      ms: n * interval + p,
      arithmetic: `${n} passing probes (Route 53 uses failure_threshold both ways) × ${interval} ms + ${propagation} = ${n * interval + p} ms`,
    },
  };
}

function alarmTimings(plan: Route53Plan): Timings {
  const period = plan.intervalSeconds * 1000;
  const n = plan.failureThreshold;
  const p = STATUS_PROPAGATION_MS;
  const timeout = plan.probeTimeoutSeconds * 1000;
  const windows = (n + 1) * period;
  const propagation = `${p} ms for the alarm's state to reach Route 53's name servers (an estimate: AWS documents no figure)`;
  return {
    refusedRemoval: {
      ms: windows + p,
      arithmetic: `(${n} alarm periods below 1 + 1 period that may still hold a passing value) × ${period} ms + ${propagation} = ${windows + p} ms`,
    },
    silentRemoval: {
      ms: windows + timeout + p,
      arithmetic: `(${n} + 1) × ${period} ms + ${timeout} ms for the host's probe to time out (a dead host publishes nothing: missing data counts as failing) + ${propagation} = ${windows + timeout + p} ms`,
    },
    return: {
      ms: windows + p,
      arithmetic: `(${n} healthy periods + 1) × ${period} ms + ${propagation} = ${windows + p} ms`,
    },
  };
}
