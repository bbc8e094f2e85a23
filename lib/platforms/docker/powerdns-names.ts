import type { Construct } from "constructs";
import { invalid } from "../../errors";
import type { HealthCheckedNameBinding, HealthCheckedNameRequest } from "../health-checked-name";
import type { DockerPlatform } from "./docker-platform";

/** Health-checked names on Docker: PowerDNS servers with LUA records (being built). */
export function addPowerDnsName(
  _platform: DockerPlatform,
  scope: Construct,
  _id: string,
  request: HealthCheckedNameRequest,
): HealthCheckedNameBinding {
  return invalid(scope, "health-checked name", request.recordName, "not available on Docker yet");
}
