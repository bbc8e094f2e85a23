/**
 * The Docker resources of a synthesized stack (`cdk.tf.json`), read strictly, with the order
 * in which Terraform would create the containers (after their `depends_on`).
 */
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parseIpv4Cidr } from "../../model/ipam";
import { type ContainerResource, parseContainer } from "./container-resource";
import { EngineError } from "./engine-error";
import { type ImageResource, parseImage } from "./image-resource";
import { isObject, onlyKnown } from "./json-fields";
import { type NetworkResource, parseNetwork } from "./network-resource";
import { type PasswordResource, parsePassword, parseVolume, type VolumeResource } from "./storage-resources";

/** The Docker resources of one stack. */
export interface EngineStack {
  /** Stack name (the folder of `cdk.tf.json`, or the metadata's `stackName`). */
  readonly name: string;
  /** The folder of `cdk.tf.json` (Terraform's `path.module`). */
  readonly dir: string;
  readonly images: readonly ImageResource[];
  readonly networks: readonly NetworkResource[];
  readonly volumes: readonly VolumeResource[];
  /** Passwords the deployer generates (their `result` is uploaded as secret files). */
  readonly passwords: readonly PasswordResource[];
  /** Containers in creation order: each after everything it depends on. */
  readonly containers: readonly ContainerResource[];
}

const TOP_LEVEL = ["//", "provider", "resource", "terraform", "output"];
const RESOURCE_TYPES = [
  "docker_image",
  "docker_network",
  "docker_container",
  "docker_volume",
  "random_password",
];

function entries(value: unknown, where: string): [string, unknown][] {
  if (value === undefined) return [];
  if (!isObject(value)) throw new EngineError(`${where} is not an object`);
  return Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
}

/** Containers ordered after their dependencies; key order among the independent ones. */
export function creationOrder(containers: readonly ContainerResource[]): ContainerResource[] {
  const byKey = new Map(containers.map((c) => [c.key, c]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: ContainerResource[] = [];
  const visit = (c: ContainerResource, chain: string[]) => {
    if (done.has(c.key)) return;
    if (visiting.has(c.key)) {
      throw new EngineError(`depends_on forms a cycle: ${[...chain, c.key].join(" -> ")}`);
    }
    visiting.add(c.key);
    for (const dep of c.dependsOn) {
      const target = byKey.get(dep);
      if (!target)
        throw new EngineError(
          `docker_container.${c.key}.depends_on names docker_container.${dep}, which the stack does not have`,
        );
      visit(target, [...chain, c.key]);
    }
    visiting.delete(c.key);
    done.add(c.key);
    out.push(c);
  };
  for (const c of containers) visit(c, []);
  return out;
}

/**
 * The containers (in creation order) grouped as Terraform creates them: each wave holds those
 * whose dependencies were all created in earlier waves, created side by side.
 */
export function creationWaves(containers: readonly ContainerResource[]): ContainerResource[][] {
  const waveOf = new Map<string, number>();
  const waves: ContainerResource[][] = [];
  for (const c of creationOrder(containers)) {
    const wave = Math.max(-1, ...c.dependsOn.map((d) => waveOf.get(d) ?? -1)) + 1;
    waveOf.set(c.key, wave);
    if (waves[wave] === undefined) waves[wave] = [];
    waves[wave]?.push(c);
  }
  return waves;
}

/** Reads the document of `cdk.tf.json` at `path` (its folder resolves `path.module`). */
export function parseEngineStack(document: unknown, path: string): EngineStack {
  if (!isObject(document) || !isObject(document.resource)) {
    throw new EngineError(`${path}: not a synthesized stack (no top-level "resource")`);
  }
  onlyKnown(document, TOP_LEVEL, path);
  onlyKnown(document.resource, RESOURCE_TYPES, `${path}: resource`);
  const dir = dirname(resolve(path));
  const meta = isObject(document["//"]) && isObject(document["//"].metadata) ? document["//"].metadata : {};
  const name = typeof meta.stackName === "string" ? meta.stackName : basename(dir);
  const r = document.resource;
  const images = entries(r.docker_image, "docker_image").map(([k, v]) => parseImage(k, v, dir));
  const networks = entries(r.docker_network, "docker_network").map(([k, v]) => parseNetwork(k, v));
  const keyByName = new Map(networks.map((n) => [n.name, n.key]));
  const containers = entries(r.docker_container, "docker_container").map(([k, v]) =>
    parseContainer(k, v, keyByName),
  );
  const volumes = entries(r.docker_volume, "docker_volume").map(([k, v]) => parseVolume(k, v));
  const passwords = entries(r.random_password, "random_password").map(([k, v]) => parsePassword(k, v));
  for (const c of containers) {
    for (const m of c.mounts) {
      if (m.volumeKey !== undefined && !volumes.some((v) => v.key === m.volumeKey)) {
        throw new EngineError(
          `docker_container.${c.key}.mounts refers to docker_volume.${m.volumeKey}, which the stack does not have`,
        );
      }
    }
    for (const u of c.uploads) {
      if (u.secret !== undefined && !passwords.some((p) => p.key === u.secret)) {
        throw new EngineError(
          `docker_container.${c.key}.upload ${u.file} refers to random_password.${u.secret}, which the stack does not have`,
        );
      }
    }
    if ("imageKey" in c.image && !images.some((i) => i.key === (c.image as { imageKey: string }).imageKey)) {
      throw new EngineError(
        `docker_container.${c.key}.image refers to a docker_image the stack does not have`,
      );
    }
  }
  const names = new Set<string>();
  for (const n of [
    ...networks.map((x) => x.name),
    ...containers.map((x) => x.name),
    ...volumes.map((x) => x.name),
  ]) {
    if (names.has(n)) throw new EngineError(`${path}: the name ${n} is used twice`);
    names.add(n);
  }
  return { name, dir, images, networks, volumes, passwords, containers: creationOrder(containers) };
}

/** Reads and parses `cdk.tf.json` at `path`. */
export function readEngineStack(path: string): EngineStack {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new EngineError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return parseEngineStack(JSON.parse(text), path);
}

/** Throws unless every subnet of the stack lies inside `range` (198.18.0.0/15 for tests). */
export function checkSubnetsWithin(stack: EngineStack, range: string): void {
  const allowed = parseIpv4Cidr("engine lab", "range", range, 1, 32);
  for (const n of stack.networks) {
    for (const p of n.ipam) {
      const net = parseIpv4Cidr(`docker_network.${n.key}`, "subnet", p.subnet, 1, 32);
      if (net.network < allowed.network || net.broadcast > allowed.broadcast) {
        throw new EngineError(
          `docker_network.${n.key} uses ${p.subnet}, outside ${range}: deploy a stack synthesized on ${range} (the -drill examples), or allow any addresses`,
        );
      }
    }
    if (n.ipam.length === 0) {
      throw new EngineError(
        `docker_network.${n.key} has no ipam_config: its addresses would be the engine's choice`,
      );
    }
  }
}
