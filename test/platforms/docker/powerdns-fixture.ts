/** A Docker platform with health-checked names on it, and readers of the synthesized containers. */
import { TerraformStack, Testing } from "cdktf";
import { AllUnhealthy, BackendPool, DnsAnswerSelection, HealthCheck } from "../../../lib";
import { DnsZone } from "../../../lib/model/dns-zone";
import type {
  HealthCheckedMember,
  HealthCheckedNameRequest,
} from "../../../lib/platforms/health-checked-name";
import { resourcesOfType, synthJson } from "../../../lib/testing";
import { RecordingDockerPlatform } from "../../support/docker-stack";
import { terraformLiteralText } from "../../support/terraform-template";

/** Subnet of the fixture's platform; inside 198.18.0.0/15, so namespaces may use its addresses. */
export const SUBNET = "198.18.0.0/24";
export const ZONE = "pool.example.test";

/** Stack "test" with platform "local" on SUBNET and a pool "web" of `replicas` demo backends. */
export function dnsStack(replicas = 2) {
  const stack = new TerraformStack(Testing.app(), "test");
  const platform = new RecordingDockerPlatform(stack, "local", { subnet: SUBNET });
  const web = new BackendPool(platform, "web", {
    replicas,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  return { stack, platform, web };
}

/** The pool's replicas as members, read when called (at synthesis). */
export function poolMembers(web: BackendPool): () => HealthCheckedMember[] {
  return () =>
    web.members.map((m) => ({
      name: m.name,
      address: m.address,
      componentId: m.componentId,
      trafficGroup: web.trafficGroup,
    }));
}

/** Fixed members outside the platform at the given addresses. */
export function fixedMembers(...addresses: string[]): () => HealthCheckedMember[] {
  return () => addresses.map((address, i) => ({ name: `m${i}`, address, componentId: `endpoint:m${i}` }));
}

/** A request for "web" in ZONE over `web`'s replicas, two servers, HTTP /healthz, fail closed. */
export function nameRequest(
  platform: RecordingDockerPlatform,
  web: BackendPool,
  overrides: Partial<HealthCheckedNameRequest> = {},
): HealthCheckedNameRequest {
  return {
    zone: DnsZone.create(ZONE),
    recordName: "web",
    ttlSeconds: 1,
    memberCount: 2,
    members: poolMembers(web),
    healthCheck: HealthCheck.http({ path: "/healthz" }),
    servicePort: 8080,
    selection: DnsAnswerSelection.all(),
    allUnhealthy: AllUnhealthy.answerNone(),
    serverCount: 2,
    segment: platform.defaultSegment,
    topology: "test/local/web",
    ...overrides,
  };
}

/** One synthesized container: its attributes and its uploaded files by path. */
export interface SynthesizedContainer {
  readonly hostname: string;
  readonly address: string;
  readonly attributes: Record<string, unknown>;
  readonly files: ReadonlyMap<string, { readonly content: string; readonly executable: boolean }>;
}

/** The containers of `stack` whose host name contains "-dns-", in host name order. */
export function dnsContainers(stack: TerraformStack): SynthesizedContainer[] {
  return Object.values(resourcesOfType(synthJson(stack), "docker_container"))
    .filter((c) => String(c.hostname).includes("-dns-"))
    .map((c) => {
      const files = new Map<string, { content: string; executable: boolean }>();
      for (const u of c.upload ?? []) {
        // The text Terraform writes: `$${` in the JSON is a literal `${`.
        const content = terraformLiteralText(u.content);
        if (content === undefined) throw new Error(`${c.hostname}: ${u.file} holds a Terraform template`);
        files.set(u.file, { content, executable: u.executable === true });
      }
      return { hostname: c.hostname, address: c.networks_advanced[0].ipv4_address, attributes: c, files };
    })
    .sort((a, b) => a.hostname.localeCompare(b.hostname));
}

/** The content of one uploaded file; throws when the container has none at `path`. */
export function fileOf(container: SynthesizedContainer, path: string): string {
  const file = container.files.get(path);
  if (!file)
    throw new Error(`${container.hostname} has no ${path} (has ${[...container.files.keys()].join(", ")})`);
  return file.content;
}
