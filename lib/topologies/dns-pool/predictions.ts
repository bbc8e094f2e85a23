import { type AllUnhealthy, AllUnhealthyKind } from "../../model/all-unhealthy";
import type { FailurePrediction } from "../../model/availability";
import type { HealthCheckedNameBinding } from "../../platforms/health-checked-name";

const seconds = (ms: number) => Math.round(ms) / 1000;

/** What a health-checked name predicts for its members' failures. */
export function memberPredictions(
  binding: HealthCheckedNameBinding,
  ttlSeconds: number,
  allUnhealthy: AllUnhealthy,
): FailurePrediction[] {
  const cached = `clients that resolved the name before keep the dead address for up to the TTL (${ttlSeconds} s) more, as long as their resolvers honour it; a client that tries the next address of the answer moves at once`;
  return [
    {
      fault: "member-proxy-death",
      recoverySeconds: seconds(binding.refusedRemoval.ms),
      clientsMoveSeconds: seconds(binding.refusedRemoval.ms) + ttlSeconds,
      failedRequests: `connections to the dead member's address (refused at once) until it leaves the answers; ${cached}`,
      basis: `out of every server's answers: ${binding.refusedRemoval.arithmetic}; clients: + TTL ${ttlSeconds} s`,
    },
    {
      fault: "member-blackhole",
      recoverySeconds: seconds(binding.silentRemoval.ms),
      clientsMoveSeconds: seconds(binding.silentRemoval.ms) + ttlSeconds,
      failedRequests: `connections to the silent member time out (not refused) until it leaves the answers; ${cached}`,
      basis: `out of every server's answers: ${binding.silentRemoval.arithmetic}; clients: + TTL ${ttlSeconds} s`,
    },
    {
      fault: "member-return",
      recoverySeconds: seconds(binding.return.ms),
      failedRequests: "none: the member serves before it is answered again",
      basis: `back in the answers: ${binding.return.arithmetic}`,
    },
    {
      fault: "all-members-down",
      recoverySeconds: seconds(binding.refusedRemoval.ms),
      failedRequests: allUnhealthyBehaviour(allUnhealthy),
      basis: `the all-unhealthy answer shows once the last member fails its check: ${binding.refusedRemoval.arithmetic}`,
    },
  ];
}

/** The report's words for the all-unhealthy answer. */
export function allUnhealthyBehaviour(choice: AllUnhealthy): string {
  if (choice.kind === AllUnhealthyKind.ANSWER_ALL) {
    return "fail open: the name answers with every member; connections fail until one serves again, and nothing changes for clients if only the checker is cut off";
  }
  if (choice.kind === AllUnhealthyKind.ANSWER_NONE) {
    return `fail closed: the name answers with no address (NOERROR, empty), which resolvers cache for the zone's negative TTL (its SOA minimum); clients fail fast`;
  }
  return `fallback: the name answers with ${choice.addresses.join(", ")} (not checked) until a member serves again`;
}
