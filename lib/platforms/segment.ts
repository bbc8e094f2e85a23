import type { ErrorLocation } from "../errors";
import type { FailureDomain } from "../model/availability";
import type { IdPoolSpec } from "../model/id-pool";
import type { AddressSegment } from "../model/ipam";

/** Options of a segment added with `addSegment`. */
export interface SegmentOptions {
  /**
   * Address range of the segment.
   * @default - the platform's choice (Docker: the next free /24 after the default segment)
   */
  readonly cidr?: string;
}

/**
 * An L2 network with an address range that hosts attach to: a Docker network, or on AWS one
 * subnet per availability zone of the VPC. Ids that must be unique per L2 domain (VRRP router
 * ids) are reserved on it.
 */
export interface ISegment {
  /** Stable id (the construct path), the same in every host's attachment to it. */
  readonly segmentId: string;
  /** Name in reports and error messages. */
  readonly displayName: string;
  /** The whole range (Docker subnet, AWS VPC CIDR). */
  readonly cidr: string;
  /** The range hosts in `domain` take addresses from (on AWS, the subnet of that zone). */
  addressesIn(domain: FailureDomain): AddressSegment;
  /** Reserves an id of `pool` on this segment, or gives out a free one. */
  reserveId(where: ErrorLocation, pool: IdPoolSpec, owner: string, id?: number): number;
}
