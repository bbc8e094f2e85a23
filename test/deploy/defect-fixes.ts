/**
 * The Terraform changes that fix the defects the real engine found in the synthesized Docker
 * stacks, applied to a copy of `cdk.tf.json`. The platform and topology code is to emit the
 * same attributes; until it does, the engine tier deploys this copy to prove that they work.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Json = Record<string, unknown>;

function containers(document: Json): Record<string, Json> {
  return (document.resource as Record<string, Record<string, Json>>).docker_container as Record<string, Json>;
}

/** Reserves `addresses` (name to address) in the IPAM of every `docker_network`. */
export function reserveInIpam(document: Json, addresses: Readonly<Record<string, string>>): void {
  const networks = (document.resource as Record<string, Record<string, Json>>).docker_network ?? {};
  for (const n of Object.values(networks)) {
    for (const pool of n.ipam_config as Json[]) pool.aux_address = { ...addresses };
  }
}

/** Mounts a fresh tmpfs on /run in every container, as on a booted host. */
export function runAsTmpfs(document: Json): void {
  for (const c of Object.values(containers(document))) c.tmpfs = { "/run": "rw,nosuid,nodev,mode=755" };
}

/** Makes every container whose key matches `dependent` depend on those matching `dependency`. */
export function dependOn(document: Json, dependent: RegExp, dependency: RegExp): void {
  const all = Object.keys(containers(document));
  const targets = all.filter((k) => dependency.test(k)).map((k) => `docker_container.${k}`);
  for (const k of all.filter((key) => dependent.test(key))) {
    (containers(document)[k] as Json).depends_on = targets;
  }
}

/**
 * Gives every container whose key matches `which` a healthcheck of its HTTP `url` (by curl, as
 * the load balancers check themselves; the image must have it) and `wait = true`, so that
 * Terraform (and the engine lab) create the dependents only once it is healthy.
 */
export function waitUntilServing(document: Json, which: RegExp, url: string): void {
  const probe = [
    "CMD",
    "/usr/bin/curl",
    "--fail",
    "--silent",
    "--output",
    "/dev/null",
    "--max-time",
    "1",
    url,
  ];
  for (const [k, c] of Object.entries(containers(document))) {
    if (!which.test(k)) continue;
    c.healthcheck = { test: probe, interval: "1s", timeout: "1s", retries: 3 };
    c.wait = true;
    c.wait_timeout = 60;
  }
}

/**
 * Adds Debian `packages` to the image whose key contains `imageKeyPart`: its generated
 * Dockerfile (in the stack's own asset folder below `stackDir`) installs them too, and the image
 * gets a name of its own, so that it never replaces the image the stack as synthesized builds.
 */
export function addPackages(
  document: Json,
  stackDir: string,
  imageKeyPart: string,
  packages: readonly string[],
): void {
  const images = (document.resource as Record<string, Record<string, Json>>).docker_image ?? {};
  const entry = Object.entries(images).find(([k]) => k.includes(imageKeyPart));
  if (!entry) throw new Error(`no docker_image with ${imageKeyPart} in its key`);
  const image = entry[1];
  const context = String((image.build as Json).context).replace(/^\$\{path\.module\}\//, "");
  const dockerfile = join(stackDir, context, "Dockerfile");
  const text = readFileSync(dockerfile, "utf8");
  const patched = text.replace(/(apt-get install -y --no-install-recommends) /, `$1 ${packages.join(" ")} `);
  if (patched === text) throw new Error(`${dockerfile} has no apt-get install line to extend`);
  writeFileSync(dockerfile, patched);
  image.name = String(image.name).replace(/:/, "-fixed:");
}
