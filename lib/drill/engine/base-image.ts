/**
 * The base image `debian:bookworm-slim`, made without a registry: `debootstrap --variant=minbase`
 * from Debian's archive, cleaned as the official slim image is (no apt lists, no package cache,
 * the deb822 sources of bookworm, -updates and -security), archived and imported. The archive
 * is cached under the recipe's hash, so it is made once per machine and again only when the
 * recipe changes; the imported image carries the hash as a label.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineClient } from "./engine-client";
import { EngineError } from "./engine-error";
import { mustHostCommand, unmountUnder } from "./host-commands";

/** How the base image is made. */
export interface BaseImageRecipe {
  readonly repository: string;
  readonly tag: string;
  readonly suite: string;
  readonly mirror: string;
  readonly securityMirror: string;
}

/** The recipe of `debian:bookworm-slim`, the Docker platform's default base image. */
export const BOOKWORM_SLIM: BaseImageRecipe = {
  repository: "debian",
  tag: "bookworm-slim",
  suite: "bookworm",
  mirror: "http://deb.debian.org/debian",
  securityMirror: "http://deb.debian.org/debian-security",
};

/** Label holding the recipe hash on the imported image. */
export const BASE_KEY_LABEL = "io.cdktf-ha.base-recipe";

function sources(r: BaseImageRecipe): string {
  return [
    `Types: deb\nURIs: ${r.mirror}\nSuites: ${r.suite} ${r.suite}-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
    `Types: deb\nURIs: ${r.securityMirror}\nSuites: ${r.suite}-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  ].join("\n");
}

/** What changes the image: the recipe and the steps below (bump the version when they change). */
export function baseImageKey(recipe: BaseImageRecipe): string {
  return createHash("sha256")
    .update(JSON.stringify({ steps: 1, ...recipe, sources: sources(recipe) }))
    .digest("hex")
    .slice(0, 16);
}

/** Makes the archive of the root file system at `tarPath` (about 95 s: debootstrap). */
export function buildBaseArchive(recipe: BaseImageRecipe, workDir: string, tarPath: string): void {
  const rootfs = join(workDir, `rootfs-${process.pid}`);
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(rootfs, { recursive: true });
  try {
    mustHostCommand("debootstrap", ["--variant=minbase", recipe.suite, rootfs, recipe.mirror], 900_000);
    rmSync(join(rootfs, "etc/apt/sources.list"), { force: true });
    writeFileSync(join(rootfs, "etc/apt/sources.list.d/debian.sources"), sources(recipe));
    for (const dir of ["var/lib/apt/lists", "var/cache/apt/archives", "var/log"]) {
      mustHostCommand("find", [join(rootfs, dir), "-mindepth", "1", "-type", "f", "-delete"]);
    }
    const partial = `${tarPath}.partial`;
    mustHostCommand("tar", ["--numeric-owner", "-C", rootfs, "-cf", partial, "."], 300_000);
    renameSync(partial, tarPath);
  } finally {
    unmountUnder(rootfs);
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** How the base image got into the engine. */
export type BaseImageSource = "engine" | "cached-archive" | "debootstrap";

/**
 * Makes sure the engine behind `client` holds the base image of `recipe`: already there with
 * the recipe's label, imported from the cached archive, or bootstrapped, cached and imported.
 */
export async function ensureBaseImage(
  client: EngineClient,
  cacheDir: string,
  recipe: BaseImageRecipe = BOOKWORM_SLIM,
): Promise<BaseImageSource> {
  const key = baseImageKey(recipe);
  const ref = `${recipe.repository}:${recipe.tag}`;
  const found = await client.request("GET", `/images/${encodeURIComponent(ref)}/json`);
  if (found.status === 200) {
    const labels = (JSON.parse(found.body.toString()) as { Config?: { Labels?: Record<string, string> } })
      .Config?.Labels;
    if (labels?.[BASE_KEY_LABEL] === key) return "engine";
  }
  mkdirSync(cacheDir, { recursive: true });
  const tarPath = join(cacheDir, `base-${recipe.repository}-${recipe.tag}-${key}.tar`);
  const source: BaseImageSource = existsSync(tarPath) ? "cached-archive" : "debootstrap";
  if (source === "debootstrap") buildBaseArchive(recipe, cacheDir, tarPath);
  await client.progress("POST", "/images/create", {
    query: {
      fromSrc: "-",
      repo: recipe.repository,
      tag: recipe.tag,
      changes: [`LABEL ${BASE_KEY_LABEL}=${key}`, 'CMD ["bash"]'],
    },
    body: createReadStream(tarPath),
    timeoutMs: 300_000,
  });
  const check = await client.request("GET", `/images/${encodeURIComponent(ref)}/json`);
  if (check.status !== 200) throw new EngineError(`importing ${tarPath} did not make ${ref}`);
  return source;
}
