import { Construct } from "constructs";
import { invalid } from "../../errors";
import { AllUnhealthyKind } from "../../model/all-unhealthy";
import { type IpFamily, ipFamily } from "../../model/dns-text";
import type { HealthCheckedNameBinding, HealthCheckedNameRequest } from "../health-checked-name";
import type { AwsPlatform } from "./aws-platform";
import { beforeSynthesis } from "./route53/before-synthesis";
import { admitRoute53Checkers, publicAddressOf } from "./route53/checker-access";
import { endpointHealthCheck } from "./route53/health-checks";
import { MULTIVALUE_MAX_ANSWERS, planRoute53Name, type Route53Plan } from "./route53/limits";
import { fallbackRecords, multivalueRecord } from "./route53/records";
import { route53Timings } from "./route53/timing";
import { type Route53ZoneRef, route53Zone } from "./route53/zone";

/** A member name as the contract gives it: letters, digits and '-'. */
const MEMBER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})$/;

/**
 * Health-checked names on AWS: a Route 53 hosted zone (one per zone name on the platform, or an
 * existing one), an endpoint health check per member from Route 53's checker locations, one
 * multivalue answer record per member tied to its check, and the members' security groups open
 * to the checkers' published ranges on the probe port only. A fallback for when every member is
 * down becomes a failover pair in front of the members' records.
 *
 * Everything the request alone decides is checked now (a ValidationError at `scope`); the
 * members are read at synthesis, as the request says, and what they decide is checked then.
 * Made under `<scope>/<id>`: `Member-<name>/HealthCheck` and `/Record` per member, and
 * `Failover-A` (or `-AAAA`) with a fallback.
 */
export function addRoute53Name(
  platform: AwsPlatform,
  scope: Construct,
  id: string,
  request: HealthCheckedNameRequest,
): HealthCheckedNameBinding {
  const plan = planRoute53Name(scope, request);
  const zone = route53Zone(platform, scope, request.zone, plan.zoneName);
  const holder = new Construct(scope, id);
  beforeSynthesis(holder, () => addMembers(platform, scope, holder, request, plan, zone));
  const probe = plan.probe;
  const what =
    probe.type === "HTTP" ? `HTTP GET ${probe.path} on port ${probe.port}` : `TCP port ${probe.port}`;
  return {
    fqdn: plan.fqdn,
    nameServers: zone.nameServers,
    servers: [],
    checker: `Route 53 checkers from published ranges: ${what} every ${plan.intervalSeconds} s from each checker location, unhealthy after ${plan.failureThreshold} failures`,
    ...route53Timings(plan),
    notes: [...plan.notes, ...notesOf(request, plan, zone)],
  };
}

/** Per member: its check, its record, and the checkers let in; then the fallback, if any. */
function addMembers(
  platform: AwsPlatform,
  scope: Construct,
  holder: Construct,
  request: HealthCheckedNameRequest,
  plan: Route53Plan,
  zone: Route53ZoneRef,
): void {
  const members = request.members();
  if (members.length !== request.memberCount) {
    invalid(scope, "members", members.length, `the request announced ${request.memberCount} members`);
  }
  const names = new Set<string>();
  for (const m of members) {
    if (typeof m.name !== "string" || !MEMBER_NAME.test(m.name) || names.has(m.name)) {
      invalid(
        scope,
        "member name",
        m.name,
        "give each member a unique name of letters, digits and '-' (1-63)",
      );
    }
    names.add(m.name);
  }
  const membersName = plan.fallback.length > 0 ? `_members.${plan.fqdn}` : plan.fqdn;
  const families = new Set<IpFamily>();
  for (const member of members) {
    const target = publicAddressOf(platform, scope, member);
    admitRoute53Checkers(platform, scope, member, plan.probe.port);
    const group = new Construct(holder, `Member-${member.name}`);
    const check = endpointHealthCheck(
      group,
      "HealthCheck",
      plan,
      { name: member.name, address: target.address },
      `${platform.namePrefix}-${plan.fqdn}-${member.name}`,
    );
    multivalueRecord(group, "Record", zone, membersName, request.ttlSeconds, {
      name: member.name,
      address: target.address,
      family: target.family,
      healthCheckId: check.id,
    });
    families.add(target.family);
  }
  if (plan.fallback.length > 0) {
    fallbackRecords(
      holder,
      zone,
      plan.fqdn,
      membersName,
      request.ttlSeconds,
      fallbackByFamily(scope, plan, families),
    );
  }
}

/** The fallback addresses per record type: one family of them for each family of members, and no other. */
function fallbackByFamily(
  scope: Construct,
  plan: Route53Plan,
  families: ReadonlySet<IpFamily>,
): Map<IpFamily, string[]> {
  const byFamily = new Map<IpFamily, string[]>();
  for (const address of plan.fallback) {
    const family = ipFamily(address);
    byFamily.set(family, [...(byFamily.get(family) ?? []), address]);
  }
  const word = (f: IpFamily) => (f === 4 ? "IPv4 (A)" : "IPv6 (AAAA)");
  for (const family of families) {
    if (!byFamily.has(family)) {
      invalid(
        scope,
        "AllUnhealthy.fallback addresses",
        plan.fallback,
        `members answer ${word(family)} records, and Route 53 fails over per record type: give a fallback address of that family too`,
      );
    }
  }
  for (const family of byFamily.keys()) {
    if (!families.has(family)) {
      invalid(
        scope,
        "AllUnhealthy.fallback addresses",
        plan.fallback,
        `no member answers ${word(family)} records, so Route 53 would never fail over to them: give fallback addresses of the members' family`,
      );
    }
  }
  return byFamily;
}

/** What the report should say about the zone, the answers and the fail-open/closed choice. */
function notesOf(request: HealthCheckedNameRequest, plan: Route53Plan, zone: Route53ZoneRef): string[] {
  const max = MULTIVALUE_MAX_ANSWERS;
  const notes = [
    zone.created
      ? `hosted zone ${zone.name} is made by the stack: delegate it to its four name servers (nameServers) at the parent zone`
      : `hosted zone ${zone.name} exists already (${request.zone.zoneId}): its name servers and delegation are its own`,
    `Route 53 answers with every healthy member up to ${max}, a different pick of ${max} for different resolvers when more are healthy`,
    "members the platform made, if any, are checked and answered on their instances' public IPs, which change when an instance is stopped and started (the next apply updates checks and records)",
  ];
  if (request.allUnhealthy.kind === AllUnhealthyKind.ANSWER_ALL) {
    notes.push(
      `when every member is unhealthy Route 53 answers with up to ${max} of them anyway (fail open), as multivalue answers do`,
    );
  } else {
    notes.push(
      `when every member is unhealthy a failover record answers with ${plan.fallback.join(", ")} (not checked); the members' records are _members.${plan.fqdn}`,
    );
  }
  return notes;
}
