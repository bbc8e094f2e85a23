import type { Construct } from "constructs";
import { invalid } from "../../../errors";
import {
  FloatingAddressMode,
  type FloatingAddressRequest,
  type IFloatingAddressBinding,
} from "../../floating-address";
import { elasticIp } from "./elastic-ip";
import type { AwsFloatingAddressContext, AwsFloatingAddressMode } from "./mode";
import { routeTable } from "./route-table";
import { secondaryPrivateIp } from "./secondary-private-ip";

/** The modes AWS has: no gratuitous ARP. */
const MODES: Partial<Record<FloatingAddressMode, AwsFloatingAddressMode>> = {
  [FloatingAddressMode.SECONDARY_PRIVATE_IP]: secondaryPrivateIp,
  [FloatingAddressMode.ROUTE_TABLE]: routeTable,
  [FloatingAddressMode.ELASTIC_IP]: elasticIp,
};

/** A floating address in the requested mode, or a ValidationError for a mode AWS lacks. */
export function awsFloatingAddress(
  context: AwsFloatingAddressContext,
  scope: Construct,
  request: FloatingAddressRequest,
): IFloatingAddressBinding {
  const mode = MODES[request.mode];
  if (mode === undefined) {
    return invalid(
      scope,
      "addressMode",
      request.mode,
      "AWS has no gratuitous ARP: use SECONDARY_PRIVATE_IP, ROUTE_TABLE or ELASTIC_IP",
    );
  }
  return mode(context, scope, request);
}
