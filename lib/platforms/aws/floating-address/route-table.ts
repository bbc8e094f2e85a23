import type { Construct } from "constructs";
import { invalid } from "../../../errors";
import { isIpv4 } from "../../../model/ipam";
import type { FloatingAddressRequest, IFloatingAddressBinding } from "../../floating-address";
import { arnBeside } from "../arn";
import { AwsHost } from "../host";
import { aws } from "../provider-classes";
import { type AwsFloatingAddressContext, grantMove, MOVE_SECONDS, MOVER_PACKAGES, moverFiles } from "./mode";

/** The request's address, checked: IPv4, outside the VPC, with route tables to put it in. */
function checkedAddress(
  context: AwsFloatingAddressContext,
  scope: Construct,
  address: string | undefined,
): string {
  const { network } = context;
  if (address === undefined || !isIpv4(address)) {
    return invalid(
      scope,
      "virtual IP address",
      address,
      "the route-table mode needs an IPv4 address outside the VPC range",
    );
  }
  if (network.vpcSegment.contains(address)) {
    invalid(
      scope,
      "virtual IP address",
      address,
      `the route-table mode routes an address outside the VPC range ${network.vpcCidr}; use one outside it (e.g. from 100.64.0.0/10)`,
    );
  }
  if (network.routeTables.length === 0) {
    invalid(
      scope,
      "routeTableIds",
      [],
      "the route-table mode needs the route tables clients use: set existingNetwork.routeTableIds",
    );
  }
  return address;
}

/**
 * A /32 route for an address outside the VPC range in every route table clients use, pointed
 * at the master's network interface (ec2:ReplaceRoute on those tables). Nodes may sit in any
 * zone; they forward packets for the address, so their source/destination check is off.
 */
export function routeTable(
  context: AwsFloatingAddressContext,
  scope: Construct,
  request: FloatingAddressRequest,
): IFloatingAddressBinding {
  const address = checkedAddress(context, scope, request.address);
  const tables = context.network.routeTables;
  const tableIds = tables.map((t) => t.id);
  return {
    address,
    singleFailureDomain: false,
    interfaceAddresses: (device) => [{ address, prefixLength: 32, device }],
    bindAddress: () => address,
    hasMover: true,
    nodeFiles: moverFiles(request, { kind: "route-table", address, routeTableIds: tableIds }),
    nodePackages: MOVER_PACKAGES,
    attach: (nodes) => {
      const hosts = nodes.map((n) => AwsHost.of(scope, n));
      for (const host of hosts) host.forwardPackets();
      const first = (hosts[0] as AwsHost).resource;
      tableIds.forEach((table, i) => {
        new (aws().Route)(scope, `Route${i}`, {
          routeTableId: table,
          destinationCidrBlock: `${address}/32`,
          networkInterfaceId: first.primaryNetworkInterfaceId,
          // keepalived moves the route; Terraform must not move it back.
          lifecycle: { ignoreChanges: ["network_interface_id"] },
        });
      });
      grantMove(context, scope, request, nodes, {
        sid: "MoveRoute",
        action: "ec2:ReplaceRoute",
        // A table given by id: its ARN beside the first node's (same account and region).
        resources: tables.map((t) => t.arn ?? arnBeside(first.arn, `route-table/${t.id}`)),
      });
    },
    moveSeconds: MOVE_SECONDS,
    description: `route ${address}/32 in ${tables.length} route table(s) pointed at the master`,
  };
}
