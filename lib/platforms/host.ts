import { Construct, type IConstruct } from "constructs";
import type { FailureDomain } from "../model/availability";
import { assertSysctl } from "../model/config-text";
import type { HostSpec } from "../model/host-spec";
import { assertHostStorage } from "../model/host-storage";

/** A host the platform made from a HostSpec. */
export interface IHost extends IConstruct {
  readonly hostname: string;
  readonly failureDomain: FailureDomain;
  readonly spec: HostSpec;
  /** The host's address on its primary segment (fixed when first read, at synthesis). */
  readonly address: string;
}

/** Base class of the platforms' hosts: what every host knows and checks, whatever it runs on. */
export abstract class PlatformHost extends Construct implements IHost {
  public readonly hostname: string;
  public readonly failureDomain: FailureDomain;
  public readonly spec: HostSpec;

  protected constructor(scope: Construct, id: string, spec: HostSpec) {
    super(scope, id);
    this.hostname = spec.hostname;
    this.spec = spec;
    this.failureDomain = spec.failureDomain;
    for (const [key, value] of Object.entries(spec.sysctls)) assertSysctl(this, key, value);
    spec.software.validate(this);
    assertHostStorage(this, spec.volumes ?? [], spec.secretFiles ?? []);
  }

  public get address(): string {
    return (this.spec.attachments[0] as HostSpec["attachments"][number]).lease.address;
  }
}
