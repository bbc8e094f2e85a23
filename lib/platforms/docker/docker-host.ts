import type { Container } from "@cdktf/provider-docker/lib/container";
import { Token } from "cdktf";
import type { Construct } from "constructs";
import { invalid } from "../../errors";
import { assertIpAddress } from "../../model/dns-text";
import { type HostSpec, resolveText } from "../../model/host-spec";
import { renderSupervisor, SUPERVISOR_PATH } from "../../render/supervisor";
import { deferredString, deferredValue } from "../deferred";
import { PlatformHost } from "../host";
import { terraformLiteral } from "../terraform-text";
import type { DockerPlatform } from "./docker-platform";
import { dockerStorage } from "./docker-storage";
import { docker } from "./provider-classes";

/** A host on the Docker platform: one container. */
export class DockerHost extends PlatformHost {
  /** The container. */
  public readonly resource: Container;

  /** @internal */
  constructor(scope: Construct, id: string, platform: DockerPlatform, spec: HostSpec) {
    super(scope, id, spec);
    const check = spec.healthCommand;
    const storage = dockerStorage(this, spec, {
      provider: platform.provider,
      namePrefix: platform.namePrefix,
      secretOf: (where, secretId) => platform.secretOf(where, secretId),
    });
    this.resource = new (docker().Container)(this, "Resource", {
      provider: platform.provider,
      name: `${platform.namePrefix}-${spec.hostname}`,
      hostname: spec.hostname,
      image: platform.imageFor(this, spec).imageId,
      ...(spec.processes.length > 0 ? { command: [...storage.commandPrefix, SUPERVISOR_PATH] } : {}),
      networksAdvanced: spec.attachments.map((a) => ({
        name: platform.segmentById(this, a.segmentId).network.name,
        ipv4Address: deferredString(() => a.lease.address),
      })),
      upload: deferredValue(() => [...uploads(spec), ...storage.uploads]) as unknown as Container["upload"],
      ...(storage.mounts.length ? { mounts: storage.mounts } : {}),
      ...(spec.resolvers
        ? {
            dns: Token.asList(deferredValue(() => resolversOf(this, spec))),
            // A resolver waits this long for a dead server before it asks the next (glibc: 5 s).
            dnsOpts: ["timeout:1", "attempts:2"],
          }
        : {}),
      ...(spec.capabilities.length ? { capabilities: { add: [...spec.capabilities].sort() } } : {}),
      ...(Object.keys(spec.sysctls).length ? { sysctls: { ...spec.sysctls } } : {}),
      ...(spec.environment && Object.keys(spec.environment).length
        ? {
            env: Object.entries(spec.environment)
              .sort()
              .map(([k, v]) => terraformLiteral(`${k}=${v}`)),
          }
        : {}),
      // /run is a tmpfs as on any booted host: pidfiles, hold and state files (under /run/ha) do
      // not survive a restart of the container.
      tmpfs: { "/run": "rw,nosuid,nodev,mode=0755" },
      restart: "unless-stopped",
      mustRun: true,
      stopTimeout: 10,
      ...(check
        ? {
            // Terraform creates the containers that depend on this one only once it is healthy.
            wait: true,
            waitTimeout: 60,
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
    const after = spec.startsAfter;
    if (after) {
      // Read at synthesis (hosts added after this one still count), once: synthesis reads it more
      // than once, and plain addresses of the stack's own resources need no token each.
      let order: string[] | undefined;
      Object.defineProperty(this.resource, "dependsOn", {
        get: () => {
          order ??= after().map((path) => {
            const r = platform.hostAt(this, path).resource;
            return `${r.terraformResourceType}.${r.friendlyUniqueId}`;
          });
          return order;
        },
      });
    }
  }
}

/**
 * The container's DNS servers: the spec's resolvers, read at synthesis, each an address. Docker
 * writes them all to the container's resolv.conf; glibc's resolver asks the first three (MAXNS).
 */
function resolversOf(where: Construct, spec: HostSpec): string[] {
  const resolvers = (spec.resolvers as () => readonly string[])();
  if (resolvers.length === 0 || resolvers.length > 9) {
    invalid(where, "resolvers", resolvers, "give 1-9 DNS server addresses, or no resolvers at all");
  }
  return resolvers.map((r) => assertIpAddress(where, "resolver", r));
}

/** The files uploaded into the container: the supervisor (when it runs processes) and the spec's files. */
function uploads(
  spec: HostSpec,
): Array<{ file: string; content: string; executable?: boolean; permissions?: string }> {
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
  return [
    ...supervisor,
    ...spec.files.map((f) => ({
      file: f.path,
      content: terraformLiteral(resolveText(f.content)),
      // `permissions` has precedence over `executable` in the Docker provider.
      ...(f.mode !== undefined ? { permissions: f.mode } : f.executable ? { executable: true } : {}),
    })),
  ];
}
