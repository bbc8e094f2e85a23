import { Construct, type IConstruct } from "constructs";
import { assertIntegerInRange } from "../../model/config-text";
import { VRRP_ROUTER_IDS } from "../../model/id-pool";
import type { FloatingAddressMode, IFloatingAddressBinding } from "../../platforms/floating-address";
import type { IPlatform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import { instanceName } from "./vrrp-options";

/** Options of one floating (virtual) address. */
export interface FloatingAddressOptions {
  /**
   * The address. On Docker and with `SECONDARY_PRIVATE_IP` it must lie in the nodes' segment and
   * not be used by a host or the gateway; with `ROUTE_TABLE` it must lie outside the VPC range.
   * @default - a free address of the segment (Docker, secondary IP); required for `ROUTE_TABLE`;
   * allocated by the cloud for `ELASTIC_IP`
   */
  readonly address?: string;
  /**
   * VRRP virtual router id; unique per segment.
   * @default - the lowest id from 51 up that is free on the segment
   */
  readonly virtualRouterId?: number;
  /**
   * Index of the node that holds this address while it is healthy.
   * @default - addresses are spread over the nodes in turn (the first on node 0, the second on
   * node 1, ...) so that with several addresses every node carries traffic
   */
  readonly preferredNode?: number;
}

/** An address that moves between the nodes of a VRRP group. */
export interface IFloatingAddress extends IConstruct {
  /** The address (fixed at synthesis; a deploy-time token for an Elastic IP). */
  readonly address: string;
  readonly virtualRouterId: number;
  readonly preferredNode: number;
}

/** What a floating address needs of the VRRP group that moves it. */
export interface FloatingAddressGroup {
  readonly platform: IPlatform;
  readonly segment: ISegment;
  readonly nodeCount: number;
}

/** One virtual address with its own VRRP instance; made by `VrrpGroup.addAddress`. */
export class FloatingAddress extends Construct implements IFloatingAddress {
  public readonly virtualRouterId: number;
  public readonly preferredNode: number;
  /** How the platform moves this address. */
  public readonly binding: IFloatingAddressBinding;
  /** The address's mode (gratuitous ARP, secondary private IP, route table). */
  public readonly mode: FloatingAddressMode;

  /** @internal */
  constructor(
    scope: Construct,
    id: string,
    group: FloatingAddressGroup,
    options: FloatingAddressOptions,
    defaultPreferred: number,
    mode: FloatingAddressMode,
  ) {
    super(scope, id);
    this.mode = mode;
    this.virtualRouterId = group.segment.reserveId(
      this,
      VRRP_ROUTER_IDS,
      this.node.path,
      options.virtualRouterId,
    );
    this.binding = group.platform.addFloatingAddress(this, {
      address: options.address,
      mode,
      instance: instanceName(this.virtualRouterId),
      segment: group.segment,
    });
    this.preferredNode = assertIntegerInRange(
      this,
      "preferredNode",
      options.preferredNode ?? defaultPreferred,
      0,
      group.nodeCount - 1,
    );
  }

  public get address(): string {
    return this.binding.address;
  }
}
