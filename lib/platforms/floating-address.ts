import type { HostFile } from "../model/host-spec";
import type { IHost } from "./host";
import type { ISegment } from "./segment";

/** How a floating address moves between nodes. */
export enum FloatingAddressMode {
  /** keepalived adds the address on the new master and announces it by gratuitous ARP (Docker, bare L2). */
  GRATUITOUS_ARP = "gratuitous-arp",
  /**
   * AWS: a secondary private IP re-assigned to the new master's network interface. All nodes sit
   * in one subnet, so in one availability zone.
   */
  SECONDARY_PRIVATE_IP = "secondary-private-ip",
  /**
   * AWS: a /32 route for an address outside the VPC range, pointed at the new master's network
   * interface in every route table clients use. Works across zones.
   */
  ROUTE_TABLE = "route-table",
  /** AWS: an Elastic IP re-associated to the new master (a public entry point). */
  ELASTIC_IP = "elastic-ip",
}

/** What a topology asks of a floating address. */
export interface FloatingAddressRequest {
  /** keepalived's instance name for the address (names the mover script). */
  readonly instance: string;
  /** The address, where the mode takes one. */
  readonly address?: string;
  /** How the address moves. */
  readonly mode: FloatingAddressMode;
  /** The segment the nodes share (where the VRRP adverts travel). */
  readonly segment: ISegment;
}

/** An address keepalived adds on the master. */
export interface FloatingInterfaceAddress {
  readonly address: string;
  readonly prefixLength: number;
  readonly device: string;
}

/** How a platform realizes one floating address for a group of nodes. */
export interface IFloatingAddressBinding {
  /** The address clients use (may be known only at deploy time, e.g. an Elastic IP). */
  readonly address: string;
  /** All nodes must share one failure domain (one subnet). */
  readonly singleFailureDomain: boolean;
  /** Addresses keepalived adds on the master, whose interface on the segment is `device`. */
  interfaceAddresses(device: string): FloatingInterfaceAddress[];
  /** The address HAProxy binds on a node with address `nodeAddress`. */
  bindAddress(nodeAddress: string): string;
  /**
   * Whether moving the address needs a script: the binding then ships it in `nodeFiles` at
   * `moverPath(instance)`, and keepalived runs it on becoming master and on seeing a
   * lower-priority master.
   */
  readonly hasMover: boolean;
  /** Files every node needs (e.g. the script that moves the address). */
  readonly nodeFiles: readonly HostFile[];
  /** Debian packages every node needs for them. */
  readonly nodePackages: readonly string[];
  /** Told once the nodes exist. */
  attach(nodes: readonly IHost[]): void;
  /** One line for the HA report. */
  readonly description: string;
  /**
   * Time the move itself adds after keepalived's election, when it is not immediate (an API
   * call), as an estimate with its basis.
   */
  readonly moveSeconds?: { readonly seconds: number; readonly basis: string };
}
