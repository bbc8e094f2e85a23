import type { Construct } from "constructs";
import { type ErrorLocation, invalid } from "../../errors";
import type { FailureDomain } from "../../model/availability";
import { type IdPoolSpec, IdPools } from "../../model/id-pool";
import type { AddressSegment } from "../../model/ipam";
import type { ISegment } from "../segment";
import type { AwsNetwork } from "./network";

/**
 * The VPC as a segment: one subnet per availability zone, a host's address coming from the
 * subnet of its zone. Unicast VRRP ignores L2, but router ids stay unique in the VPC so that logs
 * and captures are unambiguous.
 */
export class AwsVpcSegment implements ISegment {
  public readonly segmentId: string;
  public readonly displayName: string;
  private idPools?: IdPools;

  constructor(
    private readonly platform: Construct,
    private readonly network: AwsNetwork,
    namePrefix: string,
  ) {
    this.segmentId = `${platform.node.path}/Vpc`;
    this.displayName = `VPC ${namePrefix}`;
  }

  public get cidr(): string {
    return this.network.vpcCidr;
  }

  public addressesIn(domain: FailureDomain): AddressSegment {
    const zone = this.network.zones.find((z) => z.domain.id === domain.id);
    if (zone === undefined) {
      return invalid(
        this.platform,
        "failure domain",
        domain.id,
        `use a zone of ${this.displayName}: ${this.network.zones.map((z) => z.domain.id).join(", ")}`,
      );
    }
    return zone.segment;
  }

  public reserveId(where: ErrorLocation, pool: IdPoolSpec, owner: string, id?: number): number {
    this.idPools ??= new IdPools(`segment ${this.displayName}`);
    return this.idPools.reserve(where, pool, owner, id);
  }
}
