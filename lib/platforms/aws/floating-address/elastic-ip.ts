import type { Construct } from "constructs";
import { invalid } from "../../../errors";
import type { FloatingAddressRequest, IFloatingAddressBinding } from "../../floating-address";
import { aws } from "../provider-classes";
import {
  type AwsFloatingAddressContext,
  grantMove,
  interfaceArns,
  MOVE_SECONDS,
  MOVER_PACKAGES,
  moverFiles,
} from "./mode";

/**
 * An Elastic IP AWS allocates, re-associated to the master (ec2:AssociateAddress on the address
 * and the nodes' interfaces): a public entry point whose nodes may sit in any zone.
 */
export function elasticIp(
  context: AwsFloatingAddressContext,
  scope: Construct,
  request: FloatingAddressRequest,
): IFloatingAddressBinding {
  if (request.address !== undefined) {
    invalid(
      scope,
      "virtual IP address",
      request.address,
      "AWS allocates the Elastic IP: leave virtualIp unset",
    );
  }
  const eip = new (aws().Eip)(scope, "ElasticIp", {
    domain: "vpc",
    tags: { Name: `${context.namePrefix}-${request.instance}` },
  });
  return {
    address: eip.publicIp,
    singleFailureDomain: false,
    // keepalived needs an address per instance: the public address on loopback is inert
    // (AWS translates it to the node's private address before packets arrive).
    interfaceAddresses: () => [{ address: eip.publicIp, prefixLength: 32, device: "lo" }],
    bindAddress: (nodeAddress) => nodeAddress,
    hasMover: true,
    nodeFiles: moverFiles(request, { kind: "elastic-ip", allocationId: eip.allocationId }),
    nodePackages: MOVER_PACKAGES,
    attach: (nodes) =>
      grantMove(context, scope, request, nodes, {
        sid: "MoveElasticIp",
        action: "ec2:AssociateAddress",
        resources: [eip.arn, ...interfaceArns(scope, nodes)],
      }),
    moveSeconds: MOVE_SECONDS,
    description: "Elastic IP re-associated to the master",
  };
}
