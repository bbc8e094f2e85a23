import type { Container } from "@cdktf/provider-docker/lib/container";
import type { Image } from "@cdktf/provider-docker/lib/image";
import type { Network } from "@cdktf/provider-docker/lib/network";
import type { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { AssetType, TerraformAsset, TerraformStack } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { invalid } from "../../errors";
import type { FailureDomain } from "../../model/availability";
import { assertImageRef, assertName } from "../../model/config-text";
import { type HostAttachment, type HostSpec, resolveText, SoftwareKind } from "../../model/host-spec";
import { AddressSegment } from "../../model/ipam";
import { DEFAULT_BASE_IMAGE, renderDockerfile } from "../../render/dockerfile";
import { renderSupervisor, SUPERVISOR_PATH } from "../../render/supervisor";
import { deferredString, deferredValue } from "../deferred";
import { optionalPeer } from "../optional-peer";
import {
  FloatingAddressMode,
  type FloatingAddressRequest,
  type IFloatingAddressBinding,
  type IHost,
  type ManagedLoadBalancerBinding,
  type ManagedLoadBalancerRequest,
  type NetworkTraits,
  Platform,
  PlatformHost,
  type TrafficRule,
} from "../platform";
import { terraformLiteral } from "../terraform-text";
import { writeBuildContext } from "./build-context";

/** The provider's classes, loaded when this platform is first used (see optionalPeer). */
const docker = optionalPeer("@cdktf/provider-docker", () => ({
  Container: (
    require("@cdktf/provider-docker/lib/container") as typeof import("@cdktf/provider-docker/lib/container")
  ).Container,
  Image: (require("@cdktf/provider-docker/lib/image") as typeof import("@cdktf/provider-docker/lib/image"))
    .Image,
  Network: (
    require("@cdktf/provider-docker/lib/network") as typeof import("@cdktf/provider-docker/lib/network")
  ).Network,
  DockerProvider: (
    require("@cdktf/provider-docker/lib/provider") as typeof import("@cdktf/provider-docker/lib/provider")
  ).DockerProvider,
}));

/** Properties of a DockerPlatform. */
export interface DockerPlatformProps {
  /**
   * Subnet of the platform's Docker network. Hosts get static addresses from it; the first
   * host address is the bridge's gateway.
   * @default "172.30.0.0/24"
   */
  readonly subnet?: string;
  /**
   * Prefix of the network's and containers' names on the Docker host.
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
   * Base image of the images built from Debian packages.
   * @default "debian:bookworm-slim" - the Debian release whose packages the configuration is checked against
   */
  readonly baseImage?: string;
}

/** A host on the Docker platform: one container. */
export class DockerHost extends PlatformHost {
  /** The container. */
  public readonly resource: Container;

  /** @internal */
  constructor(scope: Construct, id: string, platform: DockerPlatform, spec: HostSpec) {
    super(scope, id, platform, spec);

    const supervisor =
      spec.processes.length > 0
        ? [
            {
              file: SUPERVISOR_PATH,
              content: terraformLiteral(
                renderSupervisor({ processes: spec.processes, restartDelaySeconds: 2, runDir: "/run/ha" }),
              ),
              executable: true,
            },
          ]
        : [];
    const check = spec.healthCommand;
    this.resource = new (docker().Container)(this, "Resource", {
      provider: platform.provider,
      name: `${platform.namePrefix}-${spec.hostname}`,
      hostname: spec.hostname,
      image: platform.imageFor(spec).imageId,
      ...(spec.processes.length > 0 ? { command: [SUPERVISOR_PATH] } : {}),
      networksAdvanced: [
        {
          name: platform.network.name,
          ipv4Address: deferredString(() => spec.attachment.lease.address),
        },
      ],
      upload: deferredValue(() => [
        ...supervisor,
        ...spec.files.map((f) => ({
          file: f.path,
          content: terraformLiteral(resolveText(f.content)),
          ...(f.executable ? { executable: true } : {}),
        })),
      ]) as unknown as Container["upload"],
      ...(spec.capabilities.length ? { capabilities: { add: [...spec.capabilities].sort() } } : {}),
      ...(Object.keys(spec.sysctls).length ? { sysctls: { ...spec.sysctls } } : {}),
      ...(spec.environment && Object.keys(spec.environment).length
        ? {
            env: Object.entries(spec.environment)
              .sort()
              .map(([k, v]) => `${k}=${v}`),
          }
        : {}),
      restart: "unless-stopped",
      mustRun: true,
      stopTimeout: 10,
      ...(check
        ? {
            healthcheck: {
              test: ["CMD", ...check.command],
              interval: `${check.intervalSeconds}s`,
              timeout: `${check.timeoutSeconds}s`,
              retries: check.retries,
              startPeriod: "10s",
            },
          }
        : {}),
    });
  }
}

/**
 * Docker as a target: one bridge network with a fixed IPAM subnet, one container per host with
 * static addresses, uploaded configuration, capabilities and sysctls, and images built from
 * generated Dockerfiles on Debian bookworm.
 *
 * A single Docker host is a single failure domain: the HA report says so.
 */
export class DockerPlatform extends Platform {
  public readonly platformName = "docker";
  public readonly traits: NetworkTraits = { multicast: true, gratuitousArp: true };
  public readonly interfaceName = "eth0";
  public readonly defaultFloatingAddressMode = FloatingAddressMode.GRATUITOUS_ARP;
  /** The platform's one network segment. */
  public readonly segment: AddressSegment;
  public readonly provider: DockerProvider;
  public readonly network: Network;
  public readonly namePrefix: string;
  private readonly baseImage: string;
  private readonly domain: FailureDomain;
  private readonly images = new Map<string, { imageId: string }>();
  private readonly imageScope: Construct;

  constructor(scope: Construct, id: string, props: DockerPlatformProps = {}) {
    super(scope, id);
    this.namePrefix = assertName(this, "namePrefix", props.namePrefix ?? TerraformStack.of(this).node.id);
    this.baseImage = assertImageRef(this, props.baseImage ?? DEFAULT_BASE_IMAGE);
    this.segment = new AddressSegment(this, props.subnet ?? "172.30.0.0/24", `${this.node.path}/Network`);
    this.provider =
      props.provider ??
      new (docker().DockerProvider)(this, "Provider", props.dockerHost ? { host: props.dockerHost } : {});
    this.network = new (docker().Network)(this, "Network", {
      provider: this.provider,
      name: `${this.namePrefix}-${id}`.toLowerCase(),
      driver: "bridge",
      ipamConfig: [{ subnet: this.segment.cidr, gateway: this.segment.gateway }],
    });
    this.imageScope = new Construct(this, "Images");
    this.domain = {
      id: `docker-host:${props.dockerHost ?? "local"}`,
      kind: "host",
      description: "one Docker daemon: every container on it fails together when the host fails",
    };
    this.availability.addPlatform("docker", this.node.path);
    this.availability.addFailureDomain(this.domain);
    this.availability.notes.push(
      `${this.node.path}: all hosts run on one Docker host (${this.domain.id}), so that host is a single point of failure; the topology survives process and container failures only.`,
    );
  }

  public failureDomainFor(_ordinal: number): FailureDomain {
    return this.domain;
  }

  public leaseHostAddress(where: IConstruct, owner: string, _ordinal: number): HostAttachment {
    return { segment: this.segment, lease: this.segment.lease(where, owner) };
  }

  public reserveRouterId(where: IConstruct, owner: string, id?: number): number {
    return this.segment.reserveRouterId(where, owner, id);
  }

  public addManagedLoadBalancer(
    scope: Construct,
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
  public allowTraffic(_scope: Construct, _rule: TrafficRule): void {}

  public addFloatingAddress(scope: Construct, request: FloatingAddressRequest): IFloatingAddressBinding {
    if (request.mode !== FloatingAddressMode.GRATUITOUS_ARP) {
      invalid(
        scope,
        "addressMode",
        request.mode,
        "Docker moves addresses by gratuitous ARP only: use FloatingAddressMode.GRATUITOUS_ARP",
      );
    }
    const segment = this.segment;
    let addressOf: () => string;
    if (request.address !== undefined) {
      segment.reserve(scope, "virtual IP address", request.address, scope.node.path);
      const fixed = request.address;
      addressOf = () => fixed;
    } else {
      const lease = segment.lease(scope, scope.node.path);
      addressOf = () => lease.address;
    }
    const device = this.interfaceName;
    return {
      get address() {
        return addressOf();
      },
      singleFailureDomain: false,
      interfaceAddresses: () => [{ address: addressOf(), prefixLength: segment.net.prefixLength, device }],
      bindAddress: () => addressOf(),
      hasMover: false,
      nodeFiles: [],
      nodePackages: [],
      attach: () => undefined,
      description: `gratuitous ARP on ${segment.name} (${segment.cidr})`,
    };
  }

  protected createHost(scope: Construct, id: string, spec: HostSpec): IHost {
    return new DockerHost(scope, id, this, spec);
  }

  /** @internal The image for a host spec: built once per package set, or the user's image. */
  public imageFor(spec: HostSpec): { imageId: string } {
    const software = spec.software;
    const key = `${software.kind}:${software.name}:${software.packages.join(",")}`;
    const cached = this.images.get(key);
    if (cached) return cached;
    for (const existing of this.images.keys()) {
      if (existing.startsWith(`${software.kind}:${software.name}:`)) {
        invalid(
          spec.attachment.segment.where,
          "image name",
          software.name,
          "use one package set per image name",
        );
      }
    }
    let image: Image;
    if (software.kind === SoftwareKind.IMAGE) {
      const ref = software.image as string;
      const id = ref.replace(/[^A-Za-z0-9]+/g, "-");
      image = new (docker().Image)(this.imageScope, id, {
        provider: this.provider,
        name: ref,
        keepLocally: true,
      });
    } else {
      const dockerfile = renderDockerfile({ baseImage: this.baseImage, packages: software.packages });
      const context = writeBuildContext({ Dockerfile: dockerfile });
      const scope = new Construct(this.imageScope, software.name);
      const asset = new TerraformAsset(scope, "BuildContext", {
        path: context.dir,
        type: AssetType.DIRECTORY,
        assetHash: context.hash,
      });
      image = new (docker().Image)(scope, "Resource", {
        provider: this.provider,
        name: `cdktf-ha/${software.name}:${context.hash.slice(0, 12)}`,
        keepLocally: true,
        buildAttribute: { context: `\${path.module}/${asset.path}` },
        triggers: { build_context_sha256: context.hash },
      });
    }
    const entry = { imageId: image.imageId };
    this.images.set(key, entry);
    return entry;
  }
}
