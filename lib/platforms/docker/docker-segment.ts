import type { Network } from "@cdktf/provider-docker/lib/network";
import type { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import type { Construct } from "constructs";
import type { ErrorLocation } from "../../errors";
import type { FailureDomain } from "../../model/availability";
import { type IdPoolSpec, IdPools } from "../../model/id-pool";
import { AddressSegment } from "../../model/ipam";
import { deferredValue } from "../deferred";
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
  private readonly floating = new Map<string, () => string>();
  private readonly platformPath: string;

  /** @internal */
  constructor(platform: Construct, id: string, cidr: string, name: string, provider: DockerProvider) {
    this.platformPath = platform.node.path;
    this.segmentId = `${platform.node.path}/${id}`;
    this.displayName = this.segmentId;
    this.addresses = new AddressSegment(platform, cidr, this.segmentId);
    this.network = new (docker().Network)(platform, id, {
      provider,
      name,
      driver: "bridge",
      ipamConfig: [
        {
          subnet: this.addresses.cidr,
          gateway: this.addresses.gateway,
          // Floating addresses are kept out of Docker's own allocation, so that a container
          // started without a fixed address (by hand, or by another tool) never takes a VIP.
          auxAddress: deferredValue(() =>
            this.floating.size ? Object.fromEntries([...this.floating].map(([k, f]) => [k, f()])) : undefined,
          ) as unknown as Record<string, string>,
        },
      ],
    });
  }

  /**
   * Keeps a floating address out of Docker's IPAM (an `aux_address` of the network), under a
   * name made from `owner`'s construct path; the address is read at synthesis.
   */
  public reserveFloatingAddress(owner: string, address: () => string): void {
    const local = owner.startsWith(`${this.platformPath}/`)
      ? owner.slice(this.platformPath.length + 1)
      : owner;
    this.floating.set(local.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, ""), address);
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
