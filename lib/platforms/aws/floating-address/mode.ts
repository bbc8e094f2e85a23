import type { Construct } from "constructs";
import type { AvailabilityModel } from "../../../model/availability";
import type { HostFile } from "../../../model/host-spec";
import { moverPath, renderVipMover, type VipMoverAction } from "../../../render/vip-mover";
import type { FloatingAddressRequest, IFloatingAddressBinding } from "../../floating-address";
import type { IHost } from "../../host";
import { arnBeside } from "../arn";
import { AwsHost } from "../host";
import type { AwsInstanceRoles } from "../iam";
import type { AwsNetwork } from "../network";

/** What a floating-address mode uses of its platform. */
export interface AwsFloatingAddressContext {
  readonly network: AwsNetwork;
  readonly namePrefix: string;
  readonly availability: AvailabilityModel;
  readonly roles: AwsInstanceRoles;
}

/** One way of moving an address: checks the request and makes the binding. */
export type AwsFloatingAddressMode = (
  context: AwsFloatingAddressContext,
  scope: Construct,
  request: FloatingAddressRequest,
) => IFloatingAddressBinding;

/** Not measured here (no cloud in the test suite): an estimate from the EC2 API's usual latency. */
export const MOVE_SECONDS = {
  seconds: 2,
  basis: "about 2 s for the EC2 API call and its propagation (an estimate; AWS documents no bound)",
} as const;

/** Debian packages the mover script needs on every node. */
export const MOVER_PACKAGES: readonly string[] = ["awscli", "util-linux"];

/** The script keepalived runs to move the address, as the nodes' one file. */
export function moverFiles(
  request: Pick<FloatingAddressRequest, "instance">,
  action: VipMoverAction,
): HostFile[] {
  return [
    {
      path: moverPath(request.instance),
      content: renderVipMover({ instance: request.instance, action, attempts: 6, firstDelaySeconds: 0.2 }),
      executable: true,
    },
  ];
}

/** The ARNs of the nodes' primary network interfaces, each beside its instance's own ARN. */
export function interfaceArns(scope: Construct, nodes: readonly IHost[]): string[] {
  return nodes.map((n) => {
    const instance = AwsHost.of(scope, n).resource;
    return arnBeside(instance.arn, `network-interface/${instance.primaryNetworkInterfaceId}`);
  });
}

/** Lets the nodes make the one EC2 call that moves the address, on exactly `resources`. */
export function grantMove(
  context: AwsFloatingAddressContext,
  scope: Construct,
  request: FloatingAddressRequest,
  nodes: readonly IHost[],
  statement: { readonly sid: string; readonly action: string; readonly resources: readonly string[] },
): void {
  context.roles.grant(scope, nodes, [statement.action], statement.resources, {
    id: "MovePolicy",
    policyName: `move-${request.instance}`,
    sid: statement.sid,
    roleWord: "vip",
    rolePurpose: "moves the floating addresses of",
  });
}
