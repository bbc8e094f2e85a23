import { generatedHeader, lines } from "./text";

export interface DockerfileOptions {
  /** Base image. */
  readonly baseImage: string;
  /** Debian packages to install (already validated names). */
  readonly packages: readonly string[];
}

/** The base image every generated image starts from. */
export const DEFAULT_BASE_IMAGE = "debian:bookworm-slim";

/**
 * Renders a Dockerfile that installs Debian packages without recommends and disables the
 * packages' own service start-up: the host's supervisor starts the daemons with the generated
 * configuration, not the distribution's defaults.
 */
export function renderDockerfile(options: DockerfileOptions): string {
  const packages = [...options.packages].sort();
  return lines(
    generatedHeader("#"),
    "# Building installs Debian packages: the daemon that builds it needs outbound access to",
    "# Debian's package archive, or a base image whose apt sources name a reachable mirror.",
    `FROM ${options.baseImage}`,
    "ENV DEBIAN_FRONTEND=noninteractive",
    "RUN printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d \\",
    " && apt-get update \\",
    ` && apt-get install -y --no-install-recommends ${packages.join(" ")} \\`,
    " && rm -rf /var/lib/apt/lists/*",
    "STOPSIGNAL SIGTERM",
  );
}
