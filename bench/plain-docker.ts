/**
 * Plain-cdktf baseline for a VIP pair on Docker: one provider, one bridge network, one built image
 * per role and one container per host, written with the provider classes directly, as a user
 * without the library would. What the library computes (addresses, uploaded configuration, build
 * contexts, image names) is read from the library's own output, so both sides synthesize the same
 * resources with the same payload and the ratio measures the library's overhead only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Network } from "@cdktf/provider-docker/lib/network";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { AssetType, TerraformAsset, type TerraformStack } from "cdktf";
import type { PlainBaseline } from "./scenarios";

interface UploadPayload {
  readonly file: string;
  readonly content: string;
  readonly executable?: boolean;
}

interface HealthcheckPayload {
  readonly test: string[];
  readonly interval: string;
  readonly timeout: string;
  readonly retries: number;
  readonly startPeriod: string;
}

interface ContainerPayload {
  readonly name: string;
  readonly hostname: string;
  /** Key of the image in `DockerVipPairPayload.images`. */
  readonly image: string;
  readonly address: string;
  readonly command: string[];
  readonly upload: UploadPayload[];
  readonly capabilities?: string[];
  readonly sysctls?: Record<string, string>;
  readonly env?: string[];
  readonly healthcheck?: HealthcheckPayload;
  readonly tmpfs?: Record<string, string>;
  readonly wait?: boolean;
  readonly waitTimeout?: number;
  /** Host names of the containers this one is created after. */
  readonly after?: string[];
}

interface ImagePayload {
  readonly name: string;
  readonly buildContextSha256: string;
  /** Build-context files by name (the Dockerfile). */
  readonly files: Record<string, string>;
}

interface DockerVipPairPayload {
  readonly network: {
    readonly name: string;
    readonly subnet: string;
    readonly gateway: string;
    readonly auxAddress?: Record<string, string>;
  };
  readonly images: Record<string, ImagePayload>;
  readonly containers: ContainerPayload[];
}

/** The parts of the library's `cdk.tf.json` the baseline reads (snake_case, as synthesized). */
interface SynthesizedStack {
  resource: {
    docker_network: Record<
      string,
      {
        name: string;
        ipam_config: Array<{ subnet: string; gateway: string; aux_address?: Record<string, string> }>;
      }
    >;
    docker_image: Record<
      string,
      { name: string; build: { context: string }; triggers: { build_context_sha256: string } }
    >;
    docker_container: Record<
      string,
      {
        name: string;
        hostname: string;
        image: string;
        command: string[];
        networks_advanced: Array<{ ipv4_address: string }>;
        upload: UploadPayload[];
        capabilities?: { add: string[] };
        sysctls?: Record<string, string>;
        env?: string[];
        healthcheck?: {
          test: string[];
          interval: string;
          timeout: string;
          retries: number;
          start_period: string;
        };
        tmpfs?: Record<string, string>;
        wait?: boolean;
        wait_timeout?: number;
        depends_on?: string[];
      }
    >;
  };
}

function extract(stackDir: string): DockerVipPairPayload {
  const doc = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as SynthesizedStack;
  const networks = Object.values(doc.resource.docker_network);
  const network = networks[0];
  if (networks.length !== 1 || network === undefined || network.ipam_config[0] === undefined) {
    throw new Error(`plain-docker: expected one network with an IPAM subnet, found ${networks.length}`);
  }
  const images: Record<string, ImagePayload> = {};
  for (const [key, image] of Object.entries(doc.resource.docker_image)) {
    const dir = path.join(stackDir, image.build.context.replace(/^\$\{path\.module\}\//, ""));
    const files: Record<string, string> = {};
    for (const name of fs.readdirSync(dir)) files[name] = fs.readFileSync(path.join(dir, name), "utf8");
    images[key] = { name: image.name, buildContextSha256: image.triggers.build_context_sha256, files };
  }
  const hostOf = new Map(
    Object.entries(doc.resource.docker_container).map(([key, c]) => [`docker_container.${key}`, c.hostname]),
  );
  const containers = Object.values(doc.resource.docker_container).map((c): ContainerPayload => {
    const image = /^\$\{docker_image\.([^.]+)\.image_id\}$/.exec(c.image)?.[1];
    if (image === undefined || !(image in images)) {
      throw new Error(`plain-docker: container ${c.name} uses an image the stack does not build: ${c.image}`);
    }
    return {
      name: c.name,
      hostname: c.hostname,
      image,
      address: c.networks_advanced[0]?.ipv4_address ?? "",
      command: c.command,
      upload: c.upload,
      ...(c.capabilities ? { capabilities: c.capabilities.add } : {}),
      ...(c.sysctls ? { sysctls: c.sysctls } : {}),
      ...(c.env ? { env: c.env } : {}),
      ...(c.healthcheck
        ? {
            healthcheck: {
              test: c.healthcheck.test,
              interval: c.healthcheck.interval,
              timeout: c.healthcheck.timeout,
              retries: c.healthcheck.retries,
              startPeriod: c.healthcheck.start_period,
            },
          }
        : {}),
      ...(c.tmpfs ? { tmpfs: c.tmpfs } : {}),
      ...(c.wait !== undefined ? { wait: c.wait, waitTimeout: c.wait_timeout } : {}),
      ...(c.depends_on ? { after: c.depends_on.map((d) => hostOf.get(d) ?? d) } : {}),
    };
  });
  containers.sort((a, b) => a.hostname.localeCompare(b.hostname, "en", { numeric: true }));
  const pool = network.ipam_config[0];
  return {
    network: {
      name: network.name,
      subnet: pool.subnet,
      gateway: pool.gateway,
      ...(pool.aux_address ? { auxAddress: pool.aux_address } : {}),
    },
    images,
    containers,
  };
}

function build(stack: TerraformStack, payload: unknown, workDir: string): void {
  const p = payload as DockerVipPairPayload;
  const provider = new DockerProvider(stack, "docker", {});
  const network = new Network(stack, "network", {
    provider,
    name: p.network.name,
    driver: "bridge",
    ipamConfig: [
      {
        subnet: p.network.subnet,
        gateway: p.network.gateway,
        ...(p.network.auxAddress ? { auxAddress: p.network.auxAddress } : {}),
      },
    ],
  });
  const imageIds: Record<string, string> = {};
  for (const [key, image] of Object.entries(p.images)) {
    const dir = path.join(workDir, key);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(image.files))
      fs.writeFileSync(path.join(dir, name), content);
    const context = new TerraformAsset(stack, `${key}-context`, { path: dir, type: AssetType.DIRECTORY });
    imageIds[key] = new Image(stack, key, {
      provider,
      name: image.name,
      keepLocally: true,
      buildAttribute: { context: `\${path.module}/${context.path}` },
      triggers: { build_context_sha256: image.buildContextSha256 },
    }).imageId;
  }
  // Containers others start after come first, so that those can name them in depends_on.
  const made = new Map<string, Container>();
  const ordered = [...p.containers].sort(
    (a, b) => Number(a.after !== undefined) - Number(b.after !== undefined),
  );
  for (const c of ordered) {
    const container = new Container(stack, c.hostname, {
      provider,
      name: c.name,
      hostname: c.hostname,
      image: imageIds[c.image] as string,
      command: c.command,
      networksAdvanced: [{ name: network.name, ipv4Address: c.address }],
      upload: c.upload,
      ...(c.capabilities ? { capabilities: { add: c.capabilities } } : {}),
      ...(c.sysctls ? { sysctls: c.sysctls } : {}),
      ...(c.env ? { env: c.env } : {}),
      restart: "unless-stopped",
      mustRun: true,
      stopTimeout: 10,
      ...(c.healthcheck ? { healthcheck: c.healthcheck } : {}),
      ...(c.tmpfs ? { tmpfs: c.tmpfs } : {}),
      ...(c.wait !== undefined ? { wait: c.wait, waitTimeout: c.waitTimeout } : {}),
      ...(c.after ? { dependsOn: c.after.map((h) => made.get(h) as Container) } : {}),
    });
    made.set(c.hostname, container);
  }
}

/** The plain-cdktf baseline of `vip-pair` on `docker`. */
export const dockerVipPairBaseline: PlainBaseline = { extract, build };
