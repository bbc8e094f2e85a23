import type { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Construct } from "constructs";
import { invalid } from "../../../errors";
import { type DnsZone, DnsZoneKind } from "../../../model/dns-zone";
import type { AwsPlatform } from "../aws-platform";
import { route53 } from "./provider-classes";

/** A hosted zone as the records see it. */
export interface Route53ZoneRef {
  /** The hosted zone's id (a token for a zone the stack makes). */
  readonly zoneId: string;
  /** The zone's name servers: a token list for a zone the stack makes, empty for an existing one. */
  readonly nameServers: readonly string[];
  /** The zone's name, lower case, without the final dot. */
  readonly name: string;
  readonly created: boolean;
}

/** What one platform's health-checked names share: where their zones live, and the zones. */
interface PlatformZones {
  readonly holder: Construct;
  readonly zones: Map<string, { readonly ref: Route53ZoneRef; readonly zone: DnsZone }>;
}

const byPlatform = new WeakMap<AwsPlatform, PlatformZones>();

/**
 * The construct under which a platform's shared Route 53 parts live (`<platform>/Route53`),
 * made on first use.
 */
export function route53Holder(platform: AwsPlatform): Construct {
  return zonesOf(platform).holder;
}

function zonesOf(platform: AwsPlatform): PlatformZones {
  let found = byPlatform.get(platform);
  if (!found) {
    found = { holder: new Construct(platform, "Route53"), zones: new Map() };
    byPlatform.set(platform, found);
  }
  return found;
}

/** A construct id from a zone name ("pool.example.test" -> "pool-example-test"). */
function idOf(name: string): string {
  return name.replace(/[^a-z0-9]+/g, "-");
}

/**
 * The hosted zone of `zone` (whose validated name is `name`): one `aws_route53_zone` per zone
 * name on the platform, made on the first request and shared by every later one, or an
 * existing zone by its id. A second request for the same name must describe the same zone.
 */
export function route53Zone(
  platform: AwsPlatform,
  scope: Construct,
  zone: DnsZone,
  name: string,
): Route53ZoneRef {
  const zones = zonesOf(platform).zones;
  const known = zones.get(name);
  if (known) {
    const same =
      known.zone.kind === zone.kind &&
      known.zone.zoneId === zone.zoneId &&
      known.zone.isPrivate === zone.isPrivate;
    if (!same) {
      invalid(
        scope,
        "zone",
        name,
        `the platform already has zone ${name} as ${describe(known.zone)}: describe it the same way (${describe(zone)} was asked)`,
      );
    }
    return known.ref;
  }
  const ref =
    zone.kind === DnsZoneKind.EXISTING
      ? { zoneId: zone.zoneId as string, nameServers: [], name, created: false }
      : createdZone(platform, zone, name);
  zones.set(name, { ref, zone });
  return ref;
}

function describe(zone: DnsZone): string {
  const kind = zone.kind === DnsZoneKind.EXISTING ? `existing ${zone.zoneId}` : "created";
  return `${kind}, ${zone.isPrivate ? "private" : "public"}`;
}

function createdZone(platform: AwsPlatform, zone: DnsZone, name: string): Route53ZoneRef {
  const resource: Route53Zone = new (route53().Route53Zone)(zonesOf(platform).holder, idOf(name), {
    name,
    comment: `cdktf-ha-topologies: health-checked names of ${platform.node.path}`,
    // A zone holding records Terraform did not make is kept rather than emptied and destroyed.
    forceDestroy: false,
    ...(zone.isPrivate ? { vpc: [{ vpcId: platform.vpcId }] } : {}),
    tags: { Name: `${platform.namePrefix}-${idOf(name)}` },
  });
  return {
    zoneId: resource.zoneId,
    nameServers: resource.nameServers,
    name,
    created: true,
  };
}
