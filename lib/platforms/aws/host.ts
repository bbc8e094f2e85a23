import type { Instance } from "@cdktf/provider-aws/lib/instance";
import type { Construct } from "constructs";
import { invalid } from "../../errors";
import { type HostFile, type HostSpec, SoftwareKind } from "../../model/host-spec";
import { deferredString, deferredValue } from "../deferred";
import { type IHost, PlatformHost } from "../host";
import { aws } from "./provider-classes";
import { type AwsHostExtras, awsUserData } from "./user-data";

/** Where and as what an AwsHost runs, as the platform decided it. */
export interface AwsHostPlacement {
  readonly ami: string;
  readonly instanceType: string;
  readonly subnetId: string;
  readonly securityGroupId: string;
  readonly assignPublicIp: boolean;
  readonly keyName?: string;
  /** The Name tag. */
  readonly name: string;
}

/**
 * A host on AWS: one EC2 instance configured by cloud-init.
 *
 * Parts of the platform that need something of the instance (a route pointed at it, a role)
 * say so through its methods; the instance reads them at synthesis, so they may come after the
 * host was made.
 */
export class AwsHost extends PlatformHost {
  /** The AwsHost behind a platform host, or a ValidationError naming `where`. */
  public static of(where: Construct, host: IHost): AwsHost {
    if (host instanceof AwsHost) return host;
    return invalid(where, "host", host.node.path, "an AWS platform works with hosts it made itself");
  }

  /** The instance. */
  public readonly resource: Instance;
  private forwards = false;
  private instanceProfile?: string;
  private readonly extras = { files: [] as HostFile[], packages: [] as string[], services: [] as string[] };

  /** @internal */
  constructor(scope: Construct, id: string, spec: HostSpec, placement: AwsHostPlacement) {
    super(scope, id, spec);
    if (spec.software.kind === SoftwareKind.IMAGE) {
      invalid(
        this,
        "software",
        spec.software.image,
        "container images run on the Docker platform; on AWS hosts install Debian packages (leave `image` unset for the demo backend)",
      );
    }
    this.resource = new (aws().Instance)(this, "Resource", {
      ami: placement.ami,
      instanceType: placement.instanceType,
      subnetId: placement.subnetId,
      privateIp: deferredString(() => this.address),
      vpcSecurityGroupIds: [placement.securityGroupId],
      associatePublicIpAddress: placement.assignPublicIp,
      ...(placement.keyName ? { keyName: placement.keyName } : {}),
      // Both are read at synthesis; unset, they stay out of the JSON (AWS's defaults).
      iamInstanceProfile: deferredString(() => this.instanceProfile as string),
      sourceDestCheck: deferredValue(() => (this.forwards ? false : undefined)),
      userData: awsUserData(this, spec, (): AwsHostExtras => this.extras),
      userDataReplaceOnChange: true,
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      rootBlockDevice: { encrypted: true, volumeType: "gp3" },
      tags: { Name: placement.name, "ha:role": spec.role },
    });
  }

  /**
   * The host receives packets for addresses it does not own (a route points at it): the
   * instance's source/destination check is turned off.
   */
  public forwardPackets(): void {
    this.forwards = true;
  }

  /**
   * The instance runs with this instance profile. An instance has at most one: a different
   * second one throws a ValidationError.
   */
  public useInstanceProfile(profileName: string): void {
    if (this.instanceProfile !== undefined && this.instanceProfile !== profileName) {
      invalid(this, "instance profile", profileName, `the instance already has ${this.instanceProfile}`);
    }
    this.instanceProfile = profileName;
  }

  /**
   * The host also runs a systemd service of the platform's own (a metric publisher): its files
   * (the unit among them, at /etc/systemd/system/<unit>), the packages they need, and the unit
   * started at boot. Read at synthesis; a unit added twice is refused.
   */
  public addService(unit: string, files: readonly HostFile[], packages: readonly string[]): void {
    if (this.extras.services.includes(unit)) {
      invalid(this, "service", unit, "the host runs it already: add each service once");
    }
    this.extras.services.push(unit);
    this.extras.files.push(...files);
    this.extras.packages.push(...packages.filter((p) => !this.extras.packages.includes(p)));
  }
}
