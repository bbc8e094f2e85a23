import type { Construct } from "constructs";
import { invalid } from "../../../errors";
import { AllUnhealthyKind } from "../../../model/all-unhealthy";
import { DnsAnswerSelectionKind } from "../../../model/dns-answer-selection";
import { assertDnsName, assertDnsTtl, assertRelativeDnsName } from "../../../model/dns-text";
import { HealthCheckKind } from "../../../model/health-check";
import type { HealthCheckedNameRequest } from "../../health-checked-name";

/** Most healthy records one multivalue answer holds (Route 53 Developer Guide, "Multivalue answer routing"). */
export const MULTIVALUE_MAX_ANSWERS = 8;
/** The only check intervals Route 53 offers, in seconds. */
export const ROUTE53_INTERVALS_SECONDS: readonly number[] = [10, 30];

/**
 * Who checks the members: Route 53's checker locations over the internet (public zones), or
 * CloudWatch alarms over a metric each member's host publishes (private zones, whose members
 * the outside checkers cannot reach).
 */
export type Route53CheckerMode = "endpoint" | "alarm";

/** What Route 53 will do for a request, once the request fits its limits. */
export interface Route53Plan {
  readonly mode: Route53CheckerMode;
  /** The zone's name, lower case, without the final dot. */
  readonly zoneName: string;
  /** The record's fully qualified name, lower case, without the final dot. */
  readonly fqdn: string;
  /** `request_interval` of every check, in seconds. */
  readonly intervalSeconds: number;
  /** `failure_threshold` of every check: consecutive probes to turn unhealthy, and healthy again. */
  readonly failureThreshold: number;
  /** What each checker probes. */
  readonly probe: { readonly type: "HTTP" | "TCP"; readonly port: number; readonly path?: string };
  /** The portable check's timeout in whole seconds (at least 1): the host's own probe honours it. */
  readonly probeTimeoutSeconds: number;
  /** The fallback addresses (normal form) when every member is down; empty without a fallback. */
  readonly fallback: readonly string[];
  /** How Route 53's checks differ from the portable one. */
  readonly notes: readonly string[];
}

/**
 * Checks a request against what Route 53 health checks and multivalue answer records can do,
 * throwing a ValidationError at `scope` for anything they cannot, and says how they will do the
 * rest. Runs when the name is asked for, before synthesis.
 */
export function planRoute53Name(scope: Construct, request: HealthCheckedNameRequest): Route53Plan {
  const zoneName = request.zone.validate(scope);
  const recordName = assertRelativeDnsName(scope, "record name", request.recordName).toLowerCase();
  const fqdn = assertDnsName(
    scope,
    "record name",
    recordName === "@" ? zoneName : `${recordName}.${zoneName}`,
  );
  // Route 53 takes TTLs from 0 to 2^31 - 1 seconds, RFC 2181's range.
  assertDnsTtl(scope, "ttlSeconds", request.ttlSeconds);
  if (!Number.isInteger(request.memberCount) || request.memberCount < 1) {
    invalid(scope, "member count", request.memberCount, "give at least one member");
  }
  if (request.serverCount !== undefined) {
    invalid(
      scope,
      "serverCount",
      request.serverCount,
      "Route 53's name servers are managed by AWS (four per hosted zone): leave serverCount unset on AWS",
    );
  }
  checkSelection(scope, request);
  const fallback = checkAllUnhealthy(scope, request);
  const mode: Route53CheckerMode = request.zone.isPrivate ? "alarm" : "endpoint";
  const checked = checkHealthCheck(scope, request, mode);
  return { mode, zoneName, fqdn, fallback, ...checked };
}

/** Multivalue answers hold every healthy record up to 8, picked at random beyond 8: nothing else. */
function checkSelection(scope: Construct, request: HealthCheckedNameRequest): void {
  const { selection, memberCount } = request;
  selection.validate(scope);
  const max = MULTIVALUE_MAX_ANSWERS;
  if (selection.kind === DnsAnswerSelectionKind.HASHED) {
    invalid(
      scope,
      "answer selection",
      "hashedByClient",
      `Route 53 multivalue answers pick up to ${max} healthy records at random for each resolver and cannot pin a client to one member: use DnsAnswerSelection.all() (up to ${max} members) or DnsAnswerSelection.random(${max})`,
    );
  }
  if (selection.kind === DnsAnswerSelectionKind.ALL && memberCount > max) {
    invalid(
      scope,
      "answer selection all() with member count",
      memberCount,
      `Route 53 multivalue answers hold at most ${max} healthy records, picked at random when more are healthy: use DnsAnswerSelection.random(${max}), or at most ${max} members`,
    );
  }
  if (selection.kind === DnsAnswerSelectionKind.RANDOM) {
    const count = selection.count as number;
    if (count > max) {
      invalid(
        scope,
        "DnsAnswerSelection.random count",
        count,
        `Route 53 multivalue answers hold at most ${max} healthy records: use random(n) with n <= ${max}`,
      );
    }
    // Route 53 answers with min(healthy, 8) records: it cannot cut an answer to fewer.
    const answered = Math.min(memberCount, max);
    if (count < answered) {
      invalid(
        scope,
        "DnsAnswerSelection.random count",
        count,
        `Route 53 multivalue answers hold every healthy record up to ${max} and cannot be limited to fewer, so with ${memberCount} members an answer holds up to ${answered}: use random(${answered}) or all()${memberCount > max ? "" : ", or fewer members"}`,
      );
    }
  }
}

/** answerAll is multivalue's own behaviour; a fallback becomes failover records; answerNone has no mapping. */
function checkAllUnhealthy(scope: Construct, request: HealthCheckedNameRequest): readonly string[] {
  const kind = request.allUnhealthy.kind;
  if (kind === AllUnhealthyKind.ANSWER_NONE) {
    invalid(
      scope,
      "allUnhealthy",
      "answerNone",
      `Route 53 has no empty answer for a name with records: when every multivalue record is unhealthy it answers with up to ${MULTIVALUE_MAX_ANSWERS} unhealthy ones, and a failover pair answers with its primary when both are unhealthy. Use AllUnhealthy.answerAll() or AllUnhealthy.fallback(address)`,
    );
  }
  return request.allUnhealthy.validate(scope);
}

/** The portable check as Route 53's, or a ValidationError for what Route 53 cannot do. */
function checkHealthCheck(
  scope: Construct,
  request: HealthCheckedNameRequest,
  mode: Route53CheckerMode,
): Pick<Route53Plan, "intervalSeconds" | "failureThreshold" | "probe" | "probeTimeoutSeconds" | "notes"> {
  const check = request.healthCheck;
  check.validate(scope);
  if (check.kind === HealthCheckKind.SCRIPT) {
    invalid(
      scope,
      "health check",
      "script",
      "Route 53 checks an endpoint by HTTP or TCP (the hosts' own probe of a private zone too): use HealthCheck.http() or HealthCheck.tcp()",
    );
  }
  if (!ROUTE53_INTERVALS_SECONDS.map((s) => s * 1000).includes(check.intervalMs)) {
    invalid(
      scope,
      "health check intervalMs",
      check.intervalMs,
      mode === "endpoint"
        ? "Route 53 checks every 10 s or every 30 s (request_interval): use intervalMs 10000 or 30000"
        : "the hosts publish their health as a high-resolution metric whose alarms have periods of 10 s or 30 s: use intervalMs 10000 or 30000",
    );
  }
  // HealthCheck.validate keeps unhealthyThreshold to 1-10: Route 53's failure_threshold range.
  const status = check.expectedStatus;
  if (check.kind === HealthCheckKind.HTTP && (status === undefined || status < 200 || status > 399)) {
    invalid(
      scope,
      "health check expectedStatus",
      status,
      "Route 53 (and curl --fail on the hosts) counts any 2xx or 3xx answer as healthy and every other as failing: expect a status from 200 to 399",
    );
  }
  const port = check.port ?? request.servicePort;
  return {
    intervalSeconds: check.intervalMs / 1000,
    failureThreshold: check.unhealthyThreshold,
    probe:
      check.kind === HealthCheckKind.HTTP
        ? { type: "HTTP", port, path: check.path as string }
        : { type: "TCP", port },
    probeTimeoutSeconds: Math.max(1, Math.ceil(check.timeoutMs / 1000)),
    notes: mode === "endpoint" ? endpointNotes(request) : alarmNotes(request),
  };
}

/** How Route 53's outside checkers differ from the portable check. */
function endpointNotes(request: HealthCheckedNameRequest): string[] {
  const check = request.healthCheck;
  const n = check.unhealthyThreshold;
  return [
    // "How Amazon Route 53 determines whether a health check is healthy": HTTP checks must
    // connect within 4 s and get a 2xx or 3xx status within 2 s after connecting; TCP checks
    // must connect within 10 s.
    check.kind === HealthCheckKind.HTTP
      ? `Route 53 counts any 2xx or 3xx status as healthy (the check asks for ${check.expectedStatus}) and gives each probe 4 s to connect and 2 s more for the status, whatever timeoutMs says (${check.timeoutMs} ms)`
      : `Route 53 gives each TCP probe 10 s to connect, whatever timeoutMs says (${check.timeoutMs} ms)`,
    `Route 53 uses one failure_threshold (${n}) both ways: a member returns after ${n} passing probes, not healthyThreshold (${check.healthyThreshold})`,
    // Same page: each checker judges on its own; the check is healthy while more than 18% say so.
    "each Route 53 checker location judges the member on its own; the check counts as healthy while more than 18% of the checkers report it healthy",
  ];
}

/** How the hosts' own probe and the alarms differ from the portable check. */
function alarmNotes(request: HealthCheckedNameRequest): string[] {
  const check = request.healthCheck;
  const n = check.unhealthyThreshold;
  return [
    `each member's host probes its own address every ${check.intervalMs / 2000} s (twice per ${check.intervalMs / 1000} s alarm period) and publishes 1 or 0 to CloudWatch; an alarm per member goes off after ${n} periods below 1 (missing data counts as failing: a dead host publishes nothing), and the Route 53 check follows the alarm (insufficient data is unhealthy, so members count as down until their hosts first publish)`,
    `the alarm uses ${n} periods both ways: a member returns after ${n} healthy periods, not healthyThreshold (${check.healthyThreshold})`,
    "the probe runs on the member itself: a member whose host still answers itself but is cut off from its clients stays healthy; the hosts must reach the CloudWatch API (a public IP, a NAT gateway or a VPC endpoint), or every member turns unhealthy",
    ...(check.kind === HealthCheckKind.HTTP
      ? [
          `the hosts' probe (curl --fail) counts any 2xx or 3xx status as healthy (the check asks for ${check.expectedStatus})`,
        ]
      : []),
  ];
}
