import type { Construct } from "constructs";
import { invalid } from "../../../errors";
import { isIpv4 } from "../../../model/ipam";
import type { FloatingAddressRequest, IFloatingAddressBinding } from "../../floating-address";
import type { AwsZone } from "../network";
import {
  type AwsFloatingAddressContext,
  grantMove,
  interfaceArns,
  MOVE_SECONDS,
  MOVER_PACKAGES,
  moverFiles,
} from "./mode";

/** The VIP's address in the zone's subnet: the one asked for (reserved), or a leased one. */
function addressIn(zone: AwsZone, scope: Construct, address: string | undefined): () => string {
  if (address === undefined) {
    const lease = zone.segment.lease(scope, scope.node.path);
    return () => lease.address;
  }
  if (!isIpv4(address) || !zone.segment.contains(address)) {
    invalid(
      scope,
      "virtual IP address",
      address,
      `the secondary-private-IP mode keeps the VIP in the nodes' subnet: use an address inside ${zone.segment.name} (${zone.segment.cidr})`,
    );
  }
  zone.segment.reserve(scope, "virtual IP address", address, scope.node.path);
  return () => address;
}

/**
 * A secondary private IP of the first zone's subnet, re-assigned to the new master's network
 * interface (ec2:AssignPrivateIpAddresses on the nodes' interfaces). Every node sits in that
 * subnet, so in one zone: the HA report says so.
 */
export function secondaryPrivateIp(
  context: AwsFloatingAddressContext,
  scope: Construct,
  request: FloatingAddressRequest,
): IFloatingAddressBinding {
  const zone = context.network.zones[0] as AwsZone;
  const addressOf = addressIn(zone, scope, request.address);
  context.availability.notes.push(
    `${scope.node.path}: the secondary-private-IP mode keeps the VIP and every node in one subnet, so in one availability zone (${zone.domain.id}); use FloatingAddressMode.ROUTE_TABLE to span zones.`,
  );
  return {
    get address() {
      return addressOf();
    },
    singleFailureDomain: true,
    interfaceAddresses: (device) => [
      { address: addressOf(), prefixLength: zone.segment.net.prefixLength, device },
    ],
    bindAddress: () => addressOf(),
    hasMover: true,
    get nodeFiles() {
      return moverFiles(request, { kind: "secondary-private-ip", address: addressOf() });
    },
    nodePackages: MOVER_PACKAGES,
    attach: (nodes) =>
      grantMove(context, scope, request, nodes, {
        sid: "MoveSecondaryPrivateIp",
        action: "ec2:AssignPrivateIpAddresses",
        resources: interfaceArns(scope, nodes),
      }),
    moveSeconds: MOVE_SECONDS,
    description: `secondary private IP re-assigned within ${zone.segment.name} (${zone.domain.id})`,
  };
}
