import type { Construct } from "constructs";
import { invalid } from "../../errors";
import type { HealthCheckedNameBinding, HealthCheckedNameRequest } from "../health-checked-name";
import type { AwsPlatform } from "./aws-platform";

/** Health-checked names on AWS: Route 53 health checks and multivalue records (being built). */
export function addRoute53Name(
  _platform: AwsPlatform,
  scope: Construct,
  _id: string,
  request: HealthCheckedNameRequest,
): HealthCheckedNameBinding {
  return invalid(scope, "health-checked name", request.recordName, "not available on AWS yet");
}
