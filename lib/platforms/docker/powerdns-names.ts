import type { Construct } from "constructs";
import type { HealthCheckedNameBinding, HealthCheckedNameRequest } from "../health-checked-name";
import type { DockerPlatform } from "./docker-platform";
import { powerDnsBinding } from "./powerdns-binding";
import { checkPowerDnsRequest } from "./powerdns-request";
import { zoneServersFor } from "./powerdns-zone-servers";

/**
 * Health-checked names on Docker: PowerDNS authoritative servers with LUA records, one set of
 * `serverCount` servers per zone (made under `scope`/`id` by the zone's first name; later names of
 * the zone add their record to the same zone file). The request is checked before anything is
 * made: every refusal is a ValidationError at `scope`.
 */
export function addPowerDnsName(
  platform: DockerPlatform,
  scope: Construct,
  id: string,
  request: HealthCheckedNameRequest,
): HealthCheckedNameBinding {
  const name = checkPowerDnsRequest(scope, id, request);
  return powerDnsBinding(zoneServersFor(platform, name), name);
}
