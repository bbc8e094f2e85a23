import type { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { TerraformStack } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { invalid } from "../../errors";
import type { FailureDomain } from "../../model/availability";
import { assertConstructId, assertImageRef, assertName } from "../../model/config-text";
import type { HostAttachment, HostSpec } from "../../model/host-spec";
import { intToIpv4, parseIpv4Cidr } from "../../model/ipam";
import { DEFAULT_BASE_IMAGE } from "../../render/dockerfile";
import {
  FloatingAddressMode,
  type FloatingAddressRequest,
  type IFloatingAddressBinding,
} from "../floating-address";
import type { IHost } from "../host";
import type { ManagedLoadBalancerBinding, ManagedLoadBalancerRequest } from "../managed-load-balancer";
import { Platform } from "../platform";
import type { ISegment, SegmentOptions } from "../segment";
import type { TrafficRule } from "../traffic";
import type { PlatformTraits } from "../traits";
import { DockerHost } from "./docker-host";
import { DockerImages } from "./docker-images";
import { DockerSegment } from "./docker-segment";
import { gratuitousArpAddress } from "./gratuitous-arp";
import { docker } from "./provider-classes";

/** Properties of a DockerPlatform. */
export interface DockerPlatformProps {
  /**
   * Subnet of the platform's default Docker network. Hosts get static addresses from it; the
   * first host address is the bridge's gateway.
   * @default "172.30.0.0/24"
   */
  readonly subnet?: string;
  /**
   * Prefix of the networks' and containers' names on the Docker host.
   * @default - the stack's name, so that two stacks on one Docker host do not collide
   */
  readonly namePrefix?: string;
  /**
   * Docker daemon to deploy to, as the provider's `host` (e.g. "unix:///var/run/docker.sock"
   * or "ssh://deploy@lab-1").
   * @default - the provider's default: DOCKER_HOST, else the local socket
   */
  readonly dockerHost?: string;
  /**
   * An existing Docker provider to use instead of creating one.
   * @default - the platform creates a DockerProvider
   */
  readonly provider?: DockerProvider;
  /**
   * Base image of the images built from Debian packages. Building them runs `apt-get install`,
   * so the Docker daemon needs outbound access to Debian's archive; without it, give a base image
   * whose apt sources name a mirror the daemon reaches.
   * @default "debian:bookworm-slim" - the Debian release whose packages the configuration is checked against
   */
  readonly baseImage?: string;
}

/**
 * Docker as a target: bridge networks with fixed IPAM subnets, one container per host with
 * static addresses, uploaded configuration, capabilities and sysctls, and images built from
 * generated Dockerfiles on Debian bookworm.
 *
 * A single Docker host is a single failure domain: the HA report says so.
 */
export class DockerPlatform extends Platform {
  public readonly platformName = "docker";
  public readonly traits: PlatformTraits = {
    multicast: true,
    floatingAddressModes: [FloatingAddressMode.GRATUITOUS_ARP],
    managedLoadBalancers: [],
    filtersTraffic: false,
  };
  public readonly failureDomains: readonly FailureDomain[];
  /** The platform's default network (construct id `Network`). */
  public readonly defaultSegment: DockerSegment;
  public readonly provider: DockerProvider;
  public readonly namePrefix: string;
  private readonly segments = new Map<string, DockerSegment>();
  private readonly hosts = new Map<string, DockerHost>();
  private readonly images: DockerImages;

  constructor(scope: Construct, id: string, props: DockerPlatformProps = {}) {
    super(scope, id);
    this.namePrefix = assertName(this, "namePrefix", props.namePrefix ?? TerraformStack.of(this).node.id);
    const baseImage = assertImageRef(this, props.baseImage ?? DEFAULT_BASE_IMAGE);
    this.provider =
      props.provider ??
      new (docker().DockerProvider)(this, "Provider", props.dockerHost ? { host: props.dockerHost } : {});
    this.defaultSegment = this.makeSegment(
      "Network",
      props.subnet ?? "172.30.0.0/24",
      `${this.namePrefix}-${id}`,
    );
    this.images = new DockerImages(this, "Images", this.provider, baseImage);
    const domain: FailureDomain = {
      id: `docker-host:${props.dockerHost ?? "local"}`,
      kind: "host",
      description: "one Docker daemon: every container on it fails together when the host fails",
    };
    this.failureDomains = [domain];
    this.availability.addPlatform("docker", this.node.path);
    this.availability.addFailureDomain(domain);
    this.availability.notes.push(
      `${this.node.path}: all hosts run on one Docker host (${domain.id}), so that host is a single point of failure; the topology survives process and container failures only.`,
    );
  }

  /** The platform's default network resource. */
  public get network() {
    return this.defaultSegment.network;
  }

  /** The default network's addresses. */
  public get segment() {
    return this.defaultSegment.addresses;
  }

  /**
   * Adds another Docker network. Its subnet defaults to the next range of the default subnet's
   * size that overlaps no other segment.
   */
  public addSegment(id: string, options: SegmentOptions = {}): ISegment {
    assertConstructId(this, id);
    const cidr = options.cidr ?? this.nextFreeRange();
    for (const other of this.segments.values()) {
      const a = parseIpv4Cidr(this, "segment cidr", cidr);
      const b = other.addresses.net;
      if (a.network <= b.broadcast && b.network <= a.broadcast) {
        invalid(
          this,
          `cidr of segment ${id}`,
          cidr,
          `use a range that does not overlap ${other.displayName} (${other.cidr})`,
        );
      }
    }
    return this.makeSegment(id, cidr, `${this.namePrefix}-${id}`);
  }

  /** @internal The segment of an attachment. */
  public segmentById(where: IConstruct, segmentId: string): DockerSegment {
    const segment = this.segments.get(segmentId);
    if (segment === undefined) {
      invalid(where, "segment", segmentId, `attach hosts to a segment of ${this.node.path}`);
    }
    return segment;
  }

  public attachHost(
    where: IConstruct,
    owner: string,
    segment: ISegment,
    domain: FailureDomain,
    position: number,
  ): HostAttachment {
    const own = this.segmentById(where, segment.segmentId);
    return {
      segmentId: own.segmentId,
      segment: own.addressesIn(domain),
      lease: own.addresses.lease(where, owner),
      // Docker names a container's interfaces in the order of its networks.
      interfaceName: `eth${position}`,
    };
  }

  public addManagedLoadBalancer(
    scope: Construct,
    _id: string,
    request: ManagedLoadBalancerRequest,
  ): ManagedLoadBalancerBinding {
    return invalid(
      scope,
      "implementation",
      `managed ${request.kind} load balancer`,
      "Docker has no managed load balancer: use LoadBalancerImplementation.selfManaged() (keepalived + HAProxy)",
    );
  }

  /** A Docker bridge has no firewall between containers: every flow is already open. */
  public allowTraffic(_scope: Construct, rule: TrafficRule): void {
    rule.traffic.validate(_scope);
    rule.from.validate(_scope);
  }

  public addFloatingAddress(scope: Construct, request: FloatingAddressRequest): IFloatingAddressBinding {
    return gratuitousArpAddress(scope, request, this.segmentById(scope, request.segment.segmentId));
  }

  protected createHost(scope: Construct, id: string, spec: HostSpec): IHost {
    const host = new DockerHost(scope, id, this, spec);
    this.hosts.set(host.node.path, host);
    return host;
  }

  /** @internal The host at a construct path, for ordering. */
  public hostAt(where: IConstruct, path: string): DockerHost {
    const host = this.hosts.get(path);
    if (host === undefined) invalid(where, "startsAfter", path, `name a host of ${this.node.path}`);
    return host;
  }

  /** @internal The image for a host spec: built once per package set, or the user's image. */
  public imageFor(where: IConstruct, spec: HostSpec): { imageId: string } {
    return this.images.imageFor(where, spec);
  }

  private makeSegment(id: string, cidr: string, name: string): DockerSegment {
    const segment = new DockerSegment(this, id, cidr, name.toLowerCase(), this.provider);
    this.segments.set(segment.segmentId, segment);
    return segment;
  }

  private nextFreeRange(): string {
    const base = this.defaultSegment.addresses.net;
    for (let step = 1; step < 256; step++) {
      const start = base.network + step * base.size;
      if (start + base.size - 1 > 0xffffffff) break;
      const overlaps = [...this.segments.values()].some(
        (s) => start <= s.addresses.net.broadcast && s.addresses.net.network <= start + base.size - 1,
      );
      if (!overlaps) return `${intToIpv4(start)}/${base.prefixLength}`;
    }
    return invalid(this, "segment cidr", undefined, "no free range next to the default subnet: give `cidr`");
  }
}
