import { type ErrorLocation, invalid } from "../errors";
import type { FailureDomain } from "./availability";
import { assertDebianPackage, assertImageRef, assertName } from "./config-text";
import type { HostSecretFile, HostVolume } from "./host-storage";
import type { AddressLease, AddressSegment } from "./ipam";

/** How a host gets its software. */
export enum SoftwareKind {
  /** Debian bookworm packages, installed into a generated image (Docker) or by cloud-init (AWS). */
  DEBIAN_PACKAGES = "debian-packages",
  /** A container image the user names; Docker only. */
  IMAGE = "image",
}

/** The software a host runs. */
export class Software {
  /**
   * Debian bookworm packages. `name` names the image built from them (e.g. "ha-lb").
   */
  public static debianPackages(name: string, packages: string[]): Software {
    return new Software(SoftwareKind.DEBIAN_PACKAGES, name, [...new Set(packages)].sort(), undefined);
  }

  /** A container image reference such as "ghcr.io/acme/web:1.4.2". */
  public static image(reference: string): Software {
    return new Software(SoftwareKind.IMAGE, reference, [], reference);
  }

  private constructor(
    public readonly kind: SoftwareKind,
    /** Image name (packages) or the reference (image). */
    public readonly name: string,
    /** Debian packages, sorted and unique. */
    public readonly packages: readonly string[],
    /** Image reference, for SoftwareKind.IMAGE. */
    public readonly image: string | undefined,
  ) {}

  public validate(where: ErrorLocation): void {
    if (this.kind === SoftwareKind.IMAGE) {
      assertImageRef(where, this.image as string);
      return;
    }
    assertName(where, "image name", this.name);
    for (const pkg of this.packages) assertDebianPackage(where, pkg);
  }
}

/** Text whose final form may be known only at synthesis (addresses are given out lazily). */
export type DeferredText = string | (() => string);

/** Resolves DeferredText. */
export function resolveText(text: DeferredText): string {
  return typeof text === "function" ? text() : text;
}

/** A file placed on a host. */
export interface HostFile {
  /** Absolute path on the host. */
  readonly path: string;
  readonly content: DeferredText;
  /** @default false */
  readonly executable?: boolean;
  /**
   * Octal mode, for a file another account than root reads or runs (e.g. "0755" for a script a
   * daemon runs as its own user); never writable by others, no setuid, setgid or sticky bit.
   * @default - 0644; executable: 0744 on Docker (the Docker provider's: only root may run it),
   * 0755 on AWS
   */
  readonly mode?: string;
}

const FILE_MODE = /^0?[0-7]{3}$/;

/** A host file's `mode`, checked: an octal mode that others may not write. */
export function assertFileMode(where: ErrorLocation, file: string, mode: string): string {
  if (typeof mode !== "string" || !FILE_MODE.test(mode) || (Number.parseInt(mode, 8) & 0o002) !== 0) {
    invalid(where, `mode of ${file}`, mode, 'use an octal mode others cannot write, e.g. "0755" or "0640"');
  }
  return mode.padStart(4, "0");
}

/** A long-running process on a host, supervised (restarted when it exits). */
export interface HostProcess {
  /** Short name, used for the pidfile `/run/ha/<name>.pid` and in logs. */
  readonly name: string;
  /** Argument vector; the first element is an absolute path. */
  readonly command: readonly string[];
}

/** Linux capabilities a host's processes need beyond a container's defaults. */
export enum Capability {
  /** Add and remove addresses, send VRRP (keepalived). */
  NET_ADMIN = "NET_ADMIN",
  /** Raw sockets (VRRP, gratuitous ARP). */
  NET_RAW = "NET_RAW",
  /** Bind ports below 1024 as non-root. */
  NET_BIND_SERVICE = "NET_BIND_SERVICE",
}

/** A command the platform runs on the host to learn whether it is healthy (exit 0). */
export interface HostHealthCommand {
  readonly command: readonly string[];
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  /** Consecutive failures before the host counts as unhealthy. */
  readonly retries: number;
}

/** A host's attachment to a network segment: one interface with one address. */
export interface HostAttachment {
  /** Id of the platform segment (its construct path), the same for every host on it. */
  readonly segmentId: string;
  /** The address range the host's address comes from (on AWS, the subnet of the host's zone). */
  readonly segment: AddressSegment;
  readonly lease: AddressLease;
  /** The interface name the host sees for this attachment, e.g. "eth0", "eth1", "ens5". */
  readonly interfaceName: string;
}

/**
 * A platform-neutral description of one machine: what it runs, with which files, privileges and
 * addresses. Platforms turn it into a container (Docker) or an instance with cloud-init (AWS).
 */
export interface HostSpec {
  /** Host name, unique on its platform. */
  readonly hostname: string;
  /** The role the host plays, e.g. "load-balancer" or "backend". */
  readonly role: string;
  readonly software: Software;
  readonly files: readonly HostFile[];
  /**
   * Processes to run and supervise. Empty: the image's own entry point runs (images only).
   */
  readonly processes: readonly HostProcess[];
  readonly capabilities: readonly Capability[];
  readonly sysctls: Readonly<Record<string, string>>;
  /**
   * The host's network attachments, the primary first (its address is the host's address); each
   * made by the platform's `attachHost`.
   */
  readonly attachments: readonly HostAttachment[];
  /** Hosts with the same traffic group share firewall rules (see Platform.allowTraffic). */
  readonly trafficGroup: string;
  /**
   * Data that outlives the host (see HostVolume).
   * @default - none
   */
  readonly volumes?: readonly HostVolume[];
  /**
   * Secrets delivered as files (see HostSecretFile); made by the same platform's `addSecret`.
   * @default - none
   */
  readonly secretFiles?: readonly HostSecretFile[];
  /** Environment variables for the host's processes (never secrets: use `secretFiles`). */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Hosts (by construct path) this host should start after, e.g. a load balancer after its
   * backends; read at synthesis, so hosts added later count. Platforms that create hosts in an
   * order (Docker) honour it; the others may ignore it.
   * @default - no order
   */
  readonly startsAfter?: () => readonly string[];
  /**
   * The DNS servers the host's resolver asks, by address (e.g. a health-checked name's
   * `nameServers`, so that an application resolves the pool name through them); read at
   * synthesis. Docker sets the container's DNS servers to them: on a Docker network the
   * container still asks Docker's embedded server (127.0.0.11), which answers container names
   * and forwards every other name to these servers. Authoritative servers (PowerDNS) answer only
   * their own zones: other names then do not resolve on the host.
   * @default - the platform's resolver (Docker's embedded DNS server or the daemon's)
   */
  readonly resolvers?: () => readonly string[];
  /** A command that checks the host's own health, for the platform's health reporting. */
  readonly healthCommand?: HostHealthCommand;
  /** Where the host runs: one of the platform's failure domains, chosen by a `Spread` policy. */
  readonly failureDomain: FailureDomain;
}
