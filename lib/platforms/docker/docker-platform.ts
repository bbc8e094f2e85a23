import type { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { TerraformProvider, TerraformStack } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { invalid } from "../../errors";
import type { FailureDomain } from "../../model/availability";
import { assertConstructId, assertImageRef } from "../../model/config-text";
import type { HostAttachment, HostSpec } from "../../model/host-spec";
import { type Ipv4Network, intToIpv4, parseIpv4Cidr } from "../../model/ipam";
import { DEFAULT_BASE_IMAGE } from "../../render/dockerfile";
import {
  FloatingAddressMode,
  type FloatingAddressRequest,
  type IFloatingAddressBinding,
} from "../floating-address";
import type { HealthCheckedNameBinding, HealthCheckedNameRequest } from "../health-checked-name";
import type { IHost } from "../host";
import type { ManagedDatabaseBinding, ManagedDatabaseRequest } from "../managed-database";
import type { ManagedLoadBalancerBinding, ManagedLoadBalancerRequest } from "../managed-load-balancer";
import { Platform } from "../platform";
import { type ISecret, ownSecret, type SecretOptions } from "../secret";
import type { ISegment, SegmentOptions } from "../segment";
import type { TrafficRule } from "../traffic";
import type { PlatformTraits } from "../traits";
import { DockerHost } from "./docker-host";
import { DockerImages } from "./docker-images";
import { DockerSecret } from "./docker-secret";
import { DockerSegment } from "./docker-segment";
import { gratuitousArpAddress } from "./gratuitous-arp";
import { addPowerDnsName } from "./powerdns-names";
import { docker } from "./provider-classes";

/** Properties of a DockerPlatform. */
export interface DockerPlatformProps {
  /**
   * Subnet of the platform's default Docker network. Hosts get static addresses from it; the
   * first host address is the bridge's gateway.
   * @default "172.30.0.0/24", or the next /24 free of the networks other platforms of the stack
   * make on the same Docker host
   */
  readonly subnet?: string;
  /**
   * Prefix of the networks' and containers' names on the Docker host.
   * @default - the stack's name, so that two stacks on one Docker host do not collide; for a
   * second Docker platform in the stack, `<stack>-<platform id>`
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
  /**
   * Whether the Docker host's kernel has IPVS with the Maglev scheduler (`ip_vs_mh`), for
   * topologies with a kernel L4 tier.
   * @default true - every distribution kernel builds it as a module; containers load nothing, so
   * on a host without it load `ip_vs_mh` first, or say false
   */
  readonly kernelL4?: boolean;
}

/**
 * Docker as a target: bridge networks with fixed IPAM subnets, one container per host with
 * static addresses, uploaded configuration, capabilities and sysctls, and images built from
 * generated Dockerfiles on Debian bookworm. Host volumes are named `docker_volume`s (kept when a
 * container is replaced); secrets are `random_password`s uploaded as files (docker-storage.ts).
 *
 * A single Docker host is a single failure domain: the HA report says so.
 */
export class DockerPlatform extends Platform {
  public readonly platformName = "docker";
  public readonly traits: PlatformTraits = {
    multicast: true,
    floatingAddressModes: [FloatingAddressMode.GRATUITOUS_ARP],
    managedLoadBalancers: [],
    managedDatabases: [],
    filtersTraffic: false,
    routesBetweenSegments: false,
    healthCheckedNames: { selfHostedServers: true },
    bgpEcmp: true,
    kernelL4: true,
  };
  public readonly failureDomains: readonly FailureDomain[];
  /** The platform's default network (construct id `Network`). */
  public readonly defaultSegment: DockerSegment;
  public readonly provider: DockerProvider;
  /** @internal The daemon's address, or undefined for the local one. */
  public readonly dockerHost?: string;
  public readonly namePrefix: string;
  private readonly segments = new Map<string, DockerSegment>();
  private readonly hosts = new Map<string, DockerHost>();
  private readonly images: DockerImages;
  private readonly secrets = new Map<string, DockerSecret>();

  constructor(scope: Construct, id: string, props: DockerPlatformProps = {}) {
    super(scope, id);
    this.namePrefix = this.claimNamePrefix(props.namePrefix);
    if (props.kernelL4 !== undefined) this.traits = { ...this.traits, kernelL4: props.kernelL4 === true };
    this.dockerHost = props.dockerHost === undefined ? undefined : assertDockerHost(this, props.dockerHost);
    const baseImage = assertImageRef(this, props.baseImage ?? DEFAULT_BASE_IMAGE);
    this.provider = props.provider ?? this.makeProvider();
    const subnet = props.subnet ?? this.freeRange(parseIpv4Cidr(this, "subnet", DEFAULT_SUBNET), 0);
    this.assertFreeOnTheHost("subnet", subnet);
    this.defaultSegment = this.makeSegment("Network", subnet, `${this.namePrefix}-${id}`);
    this.images = new DockerImages(this, "Images", this.provider, baseImage);
    const domain: FailureDomain = {
      id: `docker-host:${this.dockerHost ?? "local"}`,
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

  /**
   * The platform's provider. A second Docker provider in one stack gets an alias (the platform's
   * namePrefix): Terraform refuses two default configurations of one provider.
   */
  private makeProvider(): DockerProvider {
    const taken = TerraformStack.of(this)
      .node.findAll()
      .some((c) => c instanceof TerraformProvider && c.terraformResourceType === "docker");
    return new (docker().DockerProvider)(this, "Provider", {
      ...(this.dockerHost ? { host: this.dockerHost } : {}),
      ...(taken ? { alias: providerAlias(this.namePrefix) } : {}),
    });
  }

  /**
   * The ranges of every Docker network on this platform's daemon made in this stack: this
   * platform's and those of other platforms with the same `dockerHost`.
   */
  private rangesOnTheHost(): Array<{ net: Ipv4Network; owner: string }> {
    const out: Array<{ net: Ipv4Network; owner: string }> = [];
    for (const p of TerraformStack.of(this).node.findAll()) {
      if (!(p instanceof DockerPlatform) || p.dockerHost !== this.dockerHost) continue;
      for (const seg of p.segments.values()) out.push({ net: seg.addresses.net, owner: seg.displayName });
    }
    return out;
  }

  /** Refuses a range that overlaps a network already on the daemon (Docker would refuse it at apply). */
  private assertFreeOnTheHost(what: string, cidr: string): void {
    const a = parseIpv4Cidr(this, what, cidr);
    for (const { net, owner } of this.rangesOnTheHost()) {
      if (a.network <= net.broadcast && net.network <= a.broadcast) {
        invalid(
          this,
          what,
          cidr,
          `use a range that does not overlap ${owner} (${net.cidr}) on the same Docker host`,
        );
      }
    }
  }

  /** The first range of `base`'s size from `base` + `firstStep` ranges on that is free on the daemon. */
  private freeRange(base: Ipv4Network, firstStep: number): string {
    const taken = this.rangesOnTheHost().map((r) => r.net);
    for (let step = firstStep; step < 256; step++) {
      const start = base.network + step * base.size;
      if (start + base.size - 1 > 0xffffffff) break;
      const overlaps = taken.some((n) => start <= n.broadcast && n.network <= start + base.size - 1);
      if (!overlaps) return `${intToIpv4(start)}/${base.prefixLength}`;
    }
    return invalid(this, "subnet", base.cidr, "no free range next to it on this Docker host: give one");
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
    const cidr = options.cidr ?? this.freeRange(this.defaultSegment.addresses.net, 1);
    this.assertFreeOnTheHost(`cidr of segment ${id}`, cidr);
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

  public addHealthCheckedName(
    scope: Construct,
    id: string,
    request: HealthCheckedNameRequest,
  ): HealthCheckedNameBinding {
    return addPowerDnsName(this, scope, id, request);
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

  public addManagedDatabase(
    scope: Construct,
    _id: string,
    request: ManagedDatabaseRequest,
  ): ManagedDatabaseBinding {
    return invalid(
      scope,
      "implementation",
      `managed ${request.kind} database`,
      "Docker has no managed database: run the cluster on the platform's own hosts (Patroni and etcd)",
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

  /**
   * A `random_password` (letters and digits) under `scope`/`id`; the stack's random provider is
   * made once, at the stack's root, when the first secret needs it.
   */
  public addSecret(scope: Construct, id: string, options: SecretOptions = {}): ISecret {
    const secret = new DockerSecret(scope, id, options);
    this.secrets.set(secret.secretId, secret);
    return secret;
  }

  /** @internal A secret this platform made. */
  public secretOf(where: IConstruct, secretId: string): DockerSecret {
    return ownSecret(where, this.secrets, secretId, this.node.path);
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
}

/** The default network's range; a second platform on one daemon takes the next free /24. */
const DEFAULT_SUBNET = "172.30.0.0/24";

/** A Docker daemon address: unix://, tcp://, ssh:// or npipe:// with plain characters. */
const DOCKER_HOST = /^(?:unix|tcp|ssh|npipe):\/\/[A-Za-z0-9._~:/@[\]-]+$/;

function assertDockerHost(where: Construct, value: string): string {
  if (typeof value !== "string" || value.length > 1024 || !DOCKER_HOST.test(value)) {
    invalid(
      where,
      "dockerHost",
      value,
      'give a Docker daemon address such as "unix:///var/run/docker.sock", "tcp://10.0.0.5:2376" or "ssh://user@host"',
    );
  }
  return value;
}

/** A Terraform provider alias from a name prefix (letters, digits, '_' and '-'; a letter first). */
function providerAlias(namePrefix: string): string {
  const alias = namePrefix.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z]/.test(alias) ? alias : `p_${alias}`;
}
