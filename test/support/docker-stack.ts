import { TerraformStack, Testing } from "cdktf";
import {
  BackendPool,
  DockerPlatform,
  type DockerPlatformProps,
  HealthCheck,
  type HostSpec,
  Software,
  type TrafficRule,
} from "../../lib";

/** A DockerPlatform that also records every traffic rule it is given. */
export class RecordingDockerPlatform extends DockerPlatform {
  public readonly rules: TrafficRule[] = [];

  public override allowTraffic(
    scope: Parameters<DockerPlatform["allowTraffic"]>[0],
    rule: TrafficRule,
  ): void {
    super.allowTraffic(scope, rule);
    this.rules.push(rule);
  }
}

/** A fresh stack "test" with a Docker platform "local" and a pool "web" of `replicas` demo backends. */
export function dockerStack(replicas = 3, props: DockerPlatformProps = {}) {
  const stack = new TerraformStack(Testing.app(), "test");
  const platform = new RecordingDockerPlatform(stack, "local", props);
  const web = new BackendPool(platform, "web", {
    replicas,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  return { stack, platform, web };
}

/**
 * A host "client" on `platform`'s default segment that runs an image of its own and resolves
 * through `resolvers` (read at synthesis).
 */
export function resolvingClientSpec(platform: DockerPlatform, resolvers: () => readonly string[]): HostSpec {
  const domain = platform.failureDomains[0] as HostSpec["failureDomain"];
  return {
    hostname: "client",
    role: "client",
    software: Software.image("debian:bookworm-slim"),
    files: [],
    processes: [],
    capabilities: [],
    sysctls: {},
    attachments: [platform.attachHost(platform, "client", platform.defaultSegment, domain, 0)],
    trafficGroup: "client",
    failureDomain: domain,
    resolvers,
  };
}
