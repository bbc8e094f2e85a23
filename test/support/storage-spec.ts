import type { Construct } from "constructs";
import { type HostSecretFile, type HostSpec, type HostVolume, type IPlatform, Software } from "../../lib";

/**
 * A database-like host "db-<n>" on `platform`'s default segment, in failure domain `n` (modulo
 * the platform's), running one process, with the given volumes and secret files.
 */
export function storageHostSpec(
  platform: IPlatform & Construct,
  n: number,
  storage: { volumes?: HostVolume[]; secretFiles?: HostSecretFile[] },
  trafficGroup = "db",
): HostSpec {
  const domain = platform.failureDomains[n % platform.failureDomains.length] as HostSpec["failureDomain"];
  const hostname = `db-${n}`;
  return {
    hostname,
    role: "backend",
    software: Software.debianPackages("db", ["postgresql"]),
    files: [],
    processes: [{ name: "db", command: ["/bin/sleep", "infinity"] }],
    capabilities: [],
    sysctls: {},
    attachments: [platform.attachHost(platform, hostname, platform.defaultSegment, domain, 0)],
    trafficGroup,
    failureDomain: domain,
    ...storage,
  };
}
