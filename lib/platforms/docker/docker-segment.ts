import type { Network } from "@cdktf/provider-docker/lib/network";
import type { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import type { Construct } from "constructs";
import type { ErrorLocation } from "../../errors";
import type { FailureDomain } from "../../model/availability";
import { type IdPoolSpec, IdPools } from "../../model/id-pool";
import { AddressSegment } from "../../model/ipam";
import type { ISegment } from "../segment";
import { docker } from "./provider-classes";

/** A Docker bridge network with a fixed IPAM subnet: one segment of a DockerPlatform. */
export class DockerSegment implements ISegment {
  public readonly segmentId: string;
  public readonly displayName: string;
  /** The network's addresses (every container on it is in the one Docker-host failure domain). */
  public readonly addresses: AddressSegment;
  /** The `docker_network` resource. */
  public readonly network: Network;
  private idPools?: IdPools;

  /** @internal */
  constructor(platform: Construct, id: string, cidr: string, name: string, provider: DockerProvider) {
    this.segmentId = `${platform.node.path}/${id}`;
    this.displayName = this.segmentId;
    this.addresses = new AddressSegment(platform, cidr, this.segmentId);
    this.network = new (docker().Network)(platform, id, {
      provider,
      name,
      driver: "bridge",
      ipamConfig: [{ subnet: this.addresses.cidr, gateway: this.addresses.gateway }],
    });
  }

  public get cidr(): string {
    return this.addresses.cidr;
  }

  public addressesIn(_domain: FailureDomain): AddressSegment {
    return this.addresses;
  }

  public reserveId(where: ErrorLocation, pool: IdPoolSpec, owner: string, id?: number): number {
    this.idPools ??= new IdPools(`segment ${this.displayName}`);
    return this.idPools.reserve(where, pool, owner, id);
  }
}
