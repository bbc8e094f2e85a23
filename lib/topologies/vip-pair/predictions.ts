import type { FailurePrediction } from "../../model/availability";
import type { HealthCheck } from "../../model/health-check";
import type { HaproxyProxy } from "../parts/haproxy-proxy";
import {
  masterDownBasis,
  masterDownSeconds,
  probeBasis,
  probeSeconds,
  roundSeconds,
  skewSeconds,
  type VrrpTiming,
} from "../parts/vrrp-timing";

/** Time the platform adds to move the address after the election (an API call), if any. */
export interface AddressMove {
  readonly seconds: number;
  /** How the figure was derived, appended to each basis. */
  readonly basis: string;
}

/** What a self-managed VIP pair predicts for the loss of a node, of its proxy, and a partition. */
export function vipPairPredictions(
  timing: VrrpTiming,
  proxy: HaproxyProxy,
  move: AddressMove | undefined,
): FailurePrediction[] {
  const masterDown = masterDownSeconds(timing);
  // The ARP probe and the platform's move both come after the election.
  const moveSeconds = probeSeconds(timing) + (move?.seconds ?? 0);
  const moveBasis = `${probeBasis(timing)}${move ? ` + ${move.basis}` : ""}`;
  const track = proxy.trackScript;
  return [
    {
      fault: "node-loss",
      recoverySeconds: roundSeconds(masterDown + moveSeconds),
      failedRequests: "connections open on the lost node; new connections fail until the VIP moves",
      basis: `${masterDownBasis(timing)}${moveBasis}`,
    },
    {
      fault: "proxy-process-death",
      recoverySeconds: roundSeconds(skewSeconds(timing) + moveSeconds),
      failedRequests:
        "connections to the dead proxy, and those sent between the master's FAULT and the backup's gratuitous ARP",
      basis: `the supervisor rewrites ${proxy.exitTrackFile.path} the moment HAProxy exits; keepalived reads it through inotify (milliseconds), enters FAULT and sends a priority-0 advert, after which the backup takes over within its skew (256 − ${timing.backupPriority}) / 256 × advert ${timing.advertIntervalMs} ms${moveBasis}`,
    },
    {
      fault: "proxy-hang",
      recoverySeconds: roundSeconds(proxy.trackDetectionSeconds + skewSeconds(timing) + moveSeconds),
      failedRequests: "requests to the hung proxy time out until the VIP moves",
      basis: `a proxy that runs but does not answer: track script fall ${track.fall} × interval ${track.intervalSeconds} s + timeout ${track.timeoutSeconds} s, then FAULT and a priority-0 advert, and the backup takes over after its skew${moveBasis}`,
    },
    timing.addressProbeMs
      ? {
          fault: "partition-between-nodes",
          recoverySeconds: 0,
          failedRequests:
            "none while ARP crosses the cut: the master keeps the VIP and the clients; a cut that also drops ARP splits the brain after the master-down interval, as without the probe",
          basis: `the cut-off backup becomes MASTER after the ${masterDownBasis(timing)}, but its ARP probe (${timing.addressProbeMs} ms) finds the master answering for the VIP, so it adds nothing and probes again every advert until the cut heals or the master goes`,
        }
      : {
          fault: "partition-between-nodes",
          splitBrainAfterSeconds: roundSeconds(masterDown),
          failedRequests:
            "none refused, but split brain: VRRP cannot tell a partition from a failure, so after the master-down interval every side holds the VIP and the clients follow the latest gratuitous ARP (the side that took over) until the partition heals; then the highest priority keeps it",
          basis: `VRRP has no quorum; each side promotes itself after the ${masterDownBasis(timing)}`,
        },
  ];
}

/** What HAProxy's checks and retries predict for the death of one backend. */
export function backendDeathBehindProxy(proxy: HaproxyProxy, check: HealthCheck): FailurePrediction {
  return {
    fault: "backend-process-death",
    recoverySeconds: 0,
    failedRequests: "none: a refused connection is retried on another backend (retries + option redispatch)",
    basis: `passive check marks the backend down after ${proxy.passiveErrorLimit} errors; active check after ${check.unhealthyThreshold} × ${check.intervalMs} ms`,
  };
}

/** What a managed load balancer's target checks predict for the death of one backend. */
export function backendDeathBehindManaged(targetDetectionSeconds: number): FailurePrediction {
  return {
    fault: "backend-process-death",
    recoverySeconds: targetDetectionSeconds,
    failedRequests:
      "requests sent to the dead target until the load balancer's health check marks it unhealthy",
    basis: `target-group health check: ${targetDetectionSeconds} s (interval × unhealthy threshold)`,
  };
}
