/**
 * A health-checked name request checked against what PowerDNS on Docker can serve, before any
 * resource is made: every refusal is a ValidationError at the request's scope.
 */
import type { Construct } from "constructs";
import { invalid } from "../../errors";
import { assertIntegerInRange, assertPort } from "../../model/config-text";
import { assertDnsTtl, assertRelativeDnsName } from "../../model/dns-text";
import { DnsZoneKind } from "../../model/dns-zone";
import type { PowerDnsAllUnhealthy, PowerDnsProbe, PowerDnsSelection } from "../../render/powerdns-lua";
import { powerDnsAllUnhealthy, powerDnsProbe, powerDnsSelection } from "../../render/powerdns-policy";
import { type PowerDnsCheckTiming, powerDnsCheckTiming } from "../../render/powerdns-timing";
import type { HealthCheckedNameRequest } from "../health-checked-name";

/** Most members one name may have: an answer of every member must fit a UDP answer. */
export const MAX_POWERDNS_MEMBERS = 64;
/** Most servers one zone may have (ns1 .. ns9). */
export const MAX_POWERDNS_SERVERS = 9;
/**
 * Longest TTL of a health-checked record: a day. Resolvers keep answering a removed member for
 * up to the TTL, so a pool wants seconds; more than a day defeats the checks altogether.
 */
export const MAX_POWERDNS_RECORD_TTL_SECONDS = 86_400;

/** A request as PowerDNS serves it. */
export interface PowerDnsNameRequest {
  /** Where errors point, and the first request's servers live. */
  readonly scope: Construct;
  readonly id: string;
  /** The zone, lower case, without a final dot. */
  readonly zone: string;
  /** Relative to the zone, lower case, or "@". */
  readonly recordName: string;
  /** The fully qualified name, without a final dot. */
  readonly fqdn: string;
  readonly ttlSeconds: number;
  readonly serverCount: number;
  readonly probe: PowerDnsProbe;
  readonly selection: PowerDnsSelection;
  readonly allUnhealthy: PowerDnsAllUnhealthy;
  readonly timing: PowerDnsCheckTiming;
  readonly request: HealthCheckedNameRequest;
}

/** Checks `request` and returns it in PowerDNS's terms; throws a ValidationError at `scope`. */
export function checkPowerDnsRequest(
  scope: Construct,
  id: string,
  request: HealthCheckedNameRequest,
): PowerDnsNameRequest {
  if (request.zone.kind === DnsZoneKind.EXISTING) {
    invalid(
      scope,
      "zone",
      `DnsZone.existing(${JSON.stringify(request.zone.name)}, ...)`,
      "use DnsZone.create(name) on Docker: the PowerDNS servers the platform runs own their zone",
    );
  }
  const zone = request.zone.validate(scope);
  const recordName = assertRelativeDnsName(scope, "record name", request.recordName).toLowerCase();
  const fqdn = recordName === "@" ? zone : `${recordName}.${zone}`;
  if (fqdn.length > 253) {
    invalid(scope, "record name", request.recordName, `use a shorter name: ${fqdn} is over 253 characters`);
  }
  const ttlSeconds = assertDnsTtl(scope, "TTL", request.ttlSeconds, MAX_POWERDNS_RECORD_TTL_SECONDS);
  assertIntegerInRange(scope, "member count", request.memberCount, 1, MAX_POWERDNS_MEMBERS);
  if (request.serverCount === undefined) {
    invalid(
      scope,
      "serverCount",
      request.serverCount,
      `give the number of PowerDNS servers to run, 1-${MAX_POWERDNS_SERVERS} (2 or more survive a server's loss)`,
    );
  }
  const serverCount = assertIntegerInRange(
    scope,
    "serverCount",
    request.serverCount,
    1,
    MAX_POWERDNS_SERVERS,
  );
  const servicePort = assertPort(scope, "service port", request.servicePort);
  const timing = powerDnsCheckTiming(scope, request.healthCheck);
  return {
    scope,
    id,
    zone,
    recordName,
    fqdn,
    ttlSeconds,
    serverCount,
    probe: powerDnsProbe(scope, request.healthCheck, { servicePort, hostName: fqdn }),
    selection: powerDnsSelection(scope, request.selection),
    allUnhealthy: powerDnsAllUnhealthy(scope, request.allUnhealthy),
    timing,
    request,
  };
}
