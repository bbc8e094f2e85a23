import type { Construct } from "constructs";
import { invalid } from "../../errors";
import {
  FloatingAddressMode,
  type FloatingAddressRequest,
  type IFloatingAddressBinding,
} from "../floating-address";
import type { DockerSegment } from "./docker-segment";

/**
 * A floating address on a Docker network: keepalived adds it on the master and announces it by
 * gratuitous ARP. The address is taken from the segment's IPAM so no container gets it.
 */
export function gratuitousArpAddress(
  scope: Construct,
  request: FloatingAddressRequest,
  segment: DockerSegment,
): IFloatingAddressBinding {
  if (request.mode !== FloatingAddressMode.GRATUITOUS_ARP) {
    invalid(
      scope,
      "addressMode",
      request.mode,
      "Docker moves addresses by gratuitous ARP only: use FloatingAddressMode.GRATUITOUS_ARP",
    );
  }
  const addresses = segment.addresses;
  let addressOf: () => string;
  if (request.address !== undefined) {
    addresses.reserve(scope, "virtual IP address", request.address, scope.node.path);
    const fixed = request.address;
    addressOf = () => fixed;
  } else {
    const lease = addresses.lease(scope, scope.node.path);
    addressOf = () => lease.address;
  }
  segment.reserveFloatingAddress(scope.node.path, addressOf);
  return {
    get address() {
      return addressOf();
    },
    singleFailureDomain: false,
    interfaceAddresses: (device) => [
      { address: addressOf(), prefixLength: addresses.net.prefixLength, device },
    ],
    bindAddress: () => addressOf(),
    hasMover: false,
    nodeFiles: [],
    nodePackages: [],
    attach: () => undefined,
    description: `gratuitous ARP on ${addresses.name} (${addresses.cidr})`,
  };
}
