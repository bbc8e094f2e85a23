import { Construct } from "constructs";
import type { IpFamily } from "../../../model/dns-text";
import { route53 } from "./provider-classes";
import type { Route53ZoneRef } from "./zone";

/** One member's record. */
export interface MemberRecord {
  /** The member's name: the record's set identifier. */
  readonly name: string;
  /** The address answered (a token for an instance's public IP). */
  readonly address: string;
  readonly family: IpFamily;
  /** The health check that decides whether the record is answered. */
  readonly healthCheckId: string;
}

/** The record type of an address family. */
export function recordType(family: IpFamily): "A" | "AAAA" {
  return family === 4 ? "A" : "AAAA";
}

/**
 * One multivalue answer record per member under `name`, each tied to the member's health check
 * and identified by the member's name. Route 53 ("Multivalue answer routing") answers with up to
 * 8 of the healthy records, a different pick for different resolvers when more are healthy, and
 * with up to 8 unhealthy ones when none is healthy.
 */
export function multivalueRecord(
  scope: Construct,
  id: string,
  zone: Route53ZoneRef,
  name: string,
  ttlSeconds: number,
  member: MemberRecord,
): void {
  new (route53().Route53Record)(scope, id, {
    zoneId: zone.zoneId,
    name,
    type: recordType(member.family),
    ttl: ttlSeconds,
    records: [member.address],
    multivalueAnswerRoutingPolicy: true,
    setIdentifier: member.name,
    healthCheckId: member.healthCheckId,
  });
}

/**
 * Failover in front of the members' records, per record type: a PRIMARY alias of `fqdn` to the
 * multivalue records under `membersName`, healthy while at least one of them is (evaluate target
 * health on an alias to a group of records in the zone, every record of which has a health
 * check), and a SECONDARY record with the fallback addresses, unchecked, that Route 53 answers
 * with while the primary is unhealthy. The alias takes its TTL from the records it points at.
 */
export function fallbackRecords(
  scope: Construct,
  zone: Route53ZoneRef,
  fqdn: string,
  membersName: string,
  ttlSeconds: number,
  fallback: ReadonlyMap<IpFamily, readonly string[]>,
): void {
  for (const [family, addresses] of fallback) {
    const type = recordType(family);
    const group = new Construct(scope, `Failover-${type}`);
    new (route53().Route53Record)(group, "Primary", {
      zoneId: zone.zoneId,
      name: fqdn,
      type,
      setIdentifier: "members",
      failoverRoutingPolicy: { type: "PRIMARY" },
      alias: { name: membersName, zoneId: zone.zoneId, evaluateTargetHealth: true },
    });
    new (route53().Route53Record)(group, "Secondary", {
      zoneId: zone.zoneId,
      name: fqdn,
      type,
      ttl: ttlSeconds,
      records: [...addresses],
      setIdentifier: "fallback",
      failoverRoutingPolicy: { type: "SECONDARY" },
    });
  }
}
