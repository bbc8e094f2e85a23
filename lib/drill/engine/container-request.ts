/**
 * The Engine API bodies for a `docker_container`: what `POST /containers/create` and
 * `POST /networks/{id}/connect` receive, mapped attribute by attribute as the kreuzwerker
 * provider maps them. One deliberate difference: the provider creates a container on the
 * default bridge and then moves it to its `networks_advanced`; the lab's engine has no default
 * bridge (`--bridge=none`), so the container is created on its first network directly.
 */
import type { NetworkAttachment } from "./container-blocks";
import type { ContainerResource } from "./container-resource";
import { EngineError } from "./engine-error";

/** An endpoint of one attachment: its static address and aliases. */
export function endpointConfig(attachment: NetworkAttachment) {
  return {
    ...(attachment.ipv4Address !== undefined ? { IPAMConfig: { IPv4Address: attachment.ipv4Address } } : {}),
    ...(attachment.aliases.length ? { Aliases: [...attachment.aliases] } : {}),
  };
}

/**
 * The body of `POST /containers/create?name=...` for `container`, running `image` and attached
 * first to the network named `networkNames(first attachment)`.
 */
export function containerCreateBody(
  container: ContainerResource,
  image: string,
  networkName: (networkKey: string) => string,
  extraLabels: Readonly<Record<string, string>>,
  volumeName: (volumeKey: string) => string = (key) => key,
) {
  const c = container;
  const first = c.networks[0];
  const hc = c.healthcheck;
  return {
    ...(c.hostname !== undefined ? { Hostname: c.hostname } : {}),
    Image: image,
    ...(c.command !== undefined ? { Cmd: [...c.command] } : {}),
    ...(c.entrypoint !== undefined ? { Entrypoint: [...c.entrypoint] } : {}),
    Env: [...c.env],
    Labels: { ...c.labels, ...extraLabels },
    ...(c.workingDir !== undefined ? { WorkingDir: c.workingDir } : {}),
    ...(c.user !== undefined ? { User: c.user } : {}),
    ...(c.stopTimeout !== undefined ? { StopTimeout: c.stopTimeout } : {}),
    ...(c.stopSignal !== undefined ? { StopSignal: c.stopSignal } : {}),
    ...(hc
      ? {
          Healthcheck: {
            Test: [...hc.test],
            Interval: hc.intervalNs,
            Timeout: hc.timeoutNs,
            StartPeriod: hc.startPeriodNs,
            Retries: hc.retries,
          },
        }
      : {}),
    HostConfig: {
      CapAdd: [...c.capAdd],
      CapDrop: [...c.capDrop],
      Sysctls: { ...c.sysctls },
      RestartPolicy: {
        Name: c.restart,
        ...(c.restart === "on-failure" ? { MaximumRetryCount: c.maxRetryCount } : {}),
      },
      NetworkMode: first ? networkName(first.networkKey) : "none",
      Tmpfs: { ...c.tmpfs },
      Mounts: c.mounts.map((m) => ({
        Target: m.target,
        Type: m.type,
        ...(m.source !== undefined
          ? { Source: m.volumeKey !== undefined ? volumeName(m.volumeKey) : m.source }
          : {}),
        ReadOnly: m.readOnly,
        ...(m.type === "tmpfs"
          ? {
              TmpfsOptions: {
                ...(m.tmpfsSizeBytes !== undefined ? { SizeBytes: m.tmpfsSizeBytes } : {}),
                ...(m.tmpfsMode !== undefined ? { Mode: m.tmpfsMode } : {}),
              },
            }
          : {}),
      })),
      Binds: c.volumes.map((v) => `${v.source}:${v.containerPath}${v.readOnly ? ":ro" : ""}`),
      Dns: [...c.dns],
      ...(c.init !== undefined ? { Init: c.init } : {}),
    },
    NetworkingConfig: {
      EndpointsConfig: first ? { [networkName(first.networkKey)]: endpointConfig(first) } : {},
    },
  };
}

/** Bodies of `POST /networks/{name}/connect` for the attachments after the first. */
export function laterAttachments(
  container: ContainerResource,
  networkName: (networkKey: string) => string,
): { network: string; body: { Container: string; EndpointConfig: ReturnType<typeof endpointConfig> } }[] {
  return container.networks.slice(1).map((a) => ({
    network: networkName(a.networkKey),
    body: { Container: container.name, EndpointConfig: endpointConfig(a) },
  }));
}

/**
 * The archive `PUT /containers/{id}/archive?path=/` receives for the uploads: each file at its
 * path, with its `permissions`, else mode 0744 when executable and 0644 otherwise, as the
 * provider writes them; a secret's content is its password's value from `passwords`.
 */
export function uploadEntries(
  container: ContainerResource,
  passwords: ReadonlyMap<string, string> = new Map(),
) {
  return container.uploads.map((u) => {
    const value = u.secret === undefined ? undefined : passwords.get(u.secret);
    if (u.secret !== undefined && value === undefined) {
      throw new EngineError(
        `docker_container.${container.key}: ${u.file} refers to random_password.${u.secret}, which the stack does not have`,
      );
    }
    return {
      path: u.file.slice(1),
      content: value === undefined ? u.content : Buffer.from(value, "utf8"),
      mode: u.mode ?? (u.executable ? 0o744 : 0o644),
    };
  });
}
