import { Token } from "cdktf";
import { Construct } from "constructs";
import { invalid } from "../../errors";
import { AllUnhealthyKind } from "../../model/all-unhealthy";
import { assertIpAddress, type IpFamily, ipFamily } from "../../model/dns-text";
import type {
  HealthCheckedMember,
  HealthCheckedNameBinding,
  HealthCheckedNameRequest,
} from "../health-checked-name";
import type { AwsPlatform } from "./aws-platform";
import { beforeSynthesis } from "./route53/before-synthesis";
import { admitRoute53Checkers, publicAddressOf } from "./route53/checker-access";
import { alarmHealthCheck, endpointHealthCheck } from "./route53/health-checks";
import { type PublishedHealth, publishHealthMetrics } from "./route53/health-metric";
import { MULTIVALUE_MAX_ANSWERS, planRoute53Name, type Route53Plan } from "./route53/limits";
import { fallbackRecords, multivalueRecord } from "./route53/records";
import { route53Timings } from "./route53/timing";
import { type Route53ZoneRef, route53Zone } from "./route53/zone";

/** A member name as the contract gives it: letters, digits and '-'. */
const MEMBER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})$/;

/**
 * Health-checked names on AWS: a Route 53 hosted zone (one per zone name on the platform, or an
 * existing one) and one multivalue answer record per member tied to the member's health check.
 * Public zones: an endpoint check per member from Route 53's checker locations, on the member's
 * public address, and the members' security groups open to the checkers' published ranges on
 * the probe port only. Private zones (the outside checkers cannot reach in): each member's host
 * probes itself and publishes the result to CloudWatch, an alarm per member, and a check that
 * follows the alarm. A fallback for when every member is down becomes a failover pair in front
 * of the members' records.
 *
 * Everything the request alone decides is checked now (a ValidationError at `scope`); the
 * members are read at synthesis, as the request says, and what they decide is checked then.
 * Made under `<scope>/<id>`: `Member-<name>/HealthCheck`, `/Record` (and `/Alarm`) per member,
 * and `Failover-A` (or `-AAAA`) with a fallback.
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
  return {
    fqdn: plan.fqdn,
    nameServers: zone.nameServers,
    servers: [],
    checker: checkerOf(plan),
    ...route53Timings(plan),
    notes: [...plan.notes, ...notesOf(request, plan, zone)],
    answeredAddress: (m) =>
      plan.mode === "endpoint" && m.host !== undefined
        ? `public IP of ${m.host.hostname} (known at deploy)`
        : m.address,
  };
}

/** One line on who checks the members and how. */
function checkerOf(plan: Route53Plan): string {
  const { probe } = plan;
  const what =
    probe.type === "HTTP" ? `HTTP GET ${probe.path} on port ${probe.port}` : `TCP port ${probe.port}`;
  const every = `every ${plan.intervalSeconds} s`;
  const n = plan.failureThreshold;
  return plan.mode === "endpoint"
    ? `Route 53 checkers from published ranges: ${what} ${every} from each checker location, unhealthy after ${n} failures`
    : `CloudWatch alarms: each member's host probes its own ${what} twice per ${plan.intervalSeconds} s alarm period and publishes the result; its alarm, and so its Route 53 check, goes off after ${n} failing periods`;
}

/** What a private name answers for a member: its address on the platform. */
function privateAddressOf(
  scope: Construct,
  member: HealthCheckedMember,
): { address: string; family: IpFamily } {
  if (Token.isUnresolved(member.address)) return { address: member.address, family: 4 };
  const address = assertIpAddress(scope, `member ${member.name} address`, member.address);
  return { address, family: ipFamily(address) };
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
  const published =
    plan.mode === "alarm" ? publishHealthMetrics(platform, scope, holder, plan, members) : undefined;
  const families = new Set<IpFamily>();
  for (const member of members) {
    const group = new Construct(holder, `Member-${member.name}`);
    const { target, checkId } = memberCheck(platform, scope, group, plan, member, published);
    multivalueRecord(group, "Record", zone, membersName, request.ttlSeconds, {
      name: member.name,
      address: target.address,
      family: target.family,
      healthCheckId: checkId,
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

/** A member's health check and the address its record answers with, as the plan's mode says. */
function memberCheck(
  platform: AwsPlatform,
  scope: Construct,
  group: Construct,
  plan: Route53Plan,
  member: HealthCheckedMember,
  published: ReadonlyMap<string, PublishedHealth> | undefined,
): { target: { address: string; family: IpFamily }; checkId: string } {
  const nameTag = `${platform.namePrefix}-${plan.fqdn}-${member.name}`;
  if (published === undefined) {
    const target = publicAddressOf(platform, scope, member);
    admitRoute53Checkers(platform, scope, member, plan.probe.port);
    const probed = { name: member.name, address: target.address };
    return { target, checkId: endpointHealthCheck(group, "HealthCheck", plan, probed, nameTag).id };
  }
  const health = published.get(member.name) as PublishedHealth;
  return {
    target: privateAddressOf(scope, member),
    checkId: alarmHealthCheck(group, plan, health, nameTag).id,
  };
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
  const made = request.zone.isPrivate
    ? `hosted zone ${zone.name} is made by the stack, private to the platform's VPC`
    : `hosted zone ${zone.name} is made by the stack: delegate it to its four name servers (nameServers) at the parent zone`;
  const notes = [
    zone.created
      ? made
      : `hosted zone ${zone.name} exists already (${request.zone.zoneId}): its name servers and delegation are its own`,
    `Route 53 answers with every healthy member up to ${max}, a different pick of ${max} for different resolvers when more are healthy`,
  ];
  if (plan.mode === "endpoint") {
    notes.push(
      "members the platform made, if any, are checked and answered on their instances' public IPs, which change when an instance is stopped and started (the next apply updates checks and records)",
    );
  } else {
    notes.push(
      `a private zone answers only inside the VPCs it is associated with, with the members' private addresses`,
    );
  }
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
