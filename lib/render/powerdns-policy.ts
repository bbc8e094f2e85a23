/**
 * The portable pool vocabulary (`HealthCheck`, `DnsAnswerSelection`, `AllUnhealthy`) as PowerDNS
 * LUA record options, refusing what PowerDNS 4.7 cannot do.
 */
import { type ErrorLocation, invalid } from "../errors";
import { type AllUnhealthy, AllUnhealthyKind } from "../model/all-unhealthy";
import { assertPort } from "../model/config-text";
import { type DnsAnswerSelection, DnsAnswerSelectionKind } from "../model/dns-answer-selection";
import { assertDnsName } from "../model/dns-text";
import { type HealthCheck, HealthCheckKind } from "../model/health-check";
import type { PowerDnsAllUnhealthy, PowerDnsProbe, PowerDnsSelection } from "./powerdns-lua";
import { powerDnsCheckTiming } from "./powerdns-timing";

/** The PowerDNS selection for `selection`. */
export function powerDnsSelection(where: ErrorLocation, selection: DnsAnswerSelection): PowerDnsSelection {
  selection.validate(where);
  if (selection.kind === DnsAnswerSelectionKind.RANDOM)
    return { kind: "random", count: selection.count as number };
  if (selection.kind === DnsAnswerSelectionKind.HASHED) return { kind: "hashed" };
  return { kind: "all" };
}

/** The PowerDNS all-unhealthy answer for `choice`. */
export function powerDnsAllUnhealthy(where: ErrorLocation, choice: AllUnhealthy): PowerDnsAllUnhealthy {
  const addresses = choice.validate(where);
  if (choice.kind === AllUnhealthyKind.FALLBACK) return { kind: "fallback", addresses };
  return choice.kind === AllUnhealthyKind.ANSWER_NONE ? { kind: "none" } : { kind: "all" };
}

/** Where the members serve. */
export interface PowerDnsProbeTarget {
  /** The members' service port, probed unless the check names its own port. */
  readonly servicePort: number;
  /** Host name an HTTP probe sends (the URL's host; the request goes to each member's address). */
  readonly hostName: string;
}

/**
 * The probe PowerDNS runs for `check`: `ifportup` for TCP, `ifurlup` for HTTP. PowerDNS counts only
 * HTTP 200 as up, and cannot run a script.
 */
export function powerDnsProbe(
  where: ErrorLocation,
  check: HealthCheck,
  target: PowerDnsProbeTarget,
): PowerDnsProbe {
  check.validate(where);
  const { timeoutSeconds } = powerDnsCheckTiming(where, check);
  const port = assertPort(where, "health check port", check.port ?? target.servicePort);
  if (check.kind === HealthCheckKind.TCP) return { kind: "tcp", port, timeoutSeconds };
  if (check.expectedStatus !== 200) {
    invalid(
      where,
      "health check expectedStatus",
      check.expectedStatus,
      "use 200: PowerDNS counts only an HTTP 200 answer as healthy",
    );
  }
  const hostName = assertDnsName(where, "health check host name", target.hostName);
  return { kind: "http", hostName, port, path: check.path as string, timeoutSeconds };
}
