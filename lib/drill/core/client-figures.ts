/** The figures every run reports from its client's records, whatever the topology. */
import type { ProbeRecord } from "../clients/client";
import {
  countRequests,
  failoverSeconds,
  longestGapSeconds,
  type RequestCounts,
  restoredSeconds,
} from "./measure";

export interface ClientFigures {
  /** Fault → first successful answer through another node (null: none). */
  readonly failoverSeconds: number | null;
  /** Fault → first success after the last failure (0: nothing failed; null: not restored). */
  readonly restoredSeconds: number | null;
  readonly longestGapSeconds: number;
  readonly requests: RequestCounts;
}

/** The client's figures over the requests that ended after the fault and started before `endMs`. */
export function clientFigures(
  records: readonly ProbeRecord[],
  faultMs: number,
  endMs: number,
  answeredBefore: string | undefined,
): ClientFigures {
  const window = records.filter((r) => r.endMs >= faultMs && r.startMs <= endMs);
  return {
    failoverSeconds: answeredBefore === undefined ? null : failoverSeconds(window, faultMs, answeredBefore),
    restoredSeconds: restoredSeconds(window, faultMs),
    longestGapSeconds: longestGapSeconds(window, faultMs, endMs),
    requests: countRequests(window),
  };
}
