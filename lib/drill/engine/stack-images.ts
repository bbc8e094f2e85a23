/**
 * The images of a stack, where the engine that runs it gets them: built by a daemon in the
 * host's namespace (which reaches Debian's archive) and moved across, or read from an image
 * archive (`docker save` format) made beforehand, for an engine that reaches no archive at all,
 * such as one inside a VM. The archive is cached beside the build daemon's data root under the
 * images' build keys, so a warm run neither builds nor saves.
 */

import { createHash } from "node:crypto";
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
} from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { registerCleanup } from "../core/cleanup-registry";
import { BOOKWORM_SLIM, baseImageKey, ensureBaseImage } from "./base-image";
import { releaseLock, waitForLock } from "./cache-lock";
import type { EngineClient } from "./engine-client";
import { EngineDaemon } from "./engine-daemon";
import { EngineError } from "./engine-error";
import type { EngineStack } from "./engine-stack";
import { buildImage, buildInput, hasImage, transferImage } from "./image-builder";
import type { ImageResource } from "./image-resource";

/** How long each phase of getting the images took, in seconds, and what each image needed. */
export interface ImageTimings {
  base?: number;
  build?: number;
  transfer?: number;
  /** Writing the image archive (`saveImageArchive`). */
  save?: number;
  /** Loading the image archive into the engine that runs the stack. */
  load?: number;
  /** What each image needed: `cached`, `built`, `transferred`, `saved` or `loaded`. */
  images: Record<string, string>;
  /** How the base image was found: `engine`, `cached-archive`, `debootstrap`, or not needed. */
  baseSource?: string;
}

interface ImageInput {
  readonly image: ImageResource;
  readonly archive: Buffer;
  readonly key: string;
}

const since = (t: number) => Math.round((Date.now() - t) / 100) / 10;

function inputsOf(stack: EngineStack): ImageInput[] {
  const baseKey = baseImageKey(BOOKWORM_SLIM);
  return stack.images.map((image) => ({ image, ...buildInput(image, baseKey) }));
}

/**
 * Runs `fn` with the build daemon of `cacheDir` (host namespace, data root kept in the cache),
 * after making sure it holds every image of `inputs`, built only where the key changed.
 */
async function withBuiltImages<T>(
  inputs: readonly ImageInput[],
  cacheDir: string,
  timings: ImageTimings,
  log: (line: string) => void,
  fn: (build: EngineClient) => Promise<T>,
): Promise<T> {
  const build = await EngineDaemon.start({
    dataRoot: join(cacheDir, "build-root"),
    runDir: `/tmp/hae-b${process.pid}`,
    isolated: false,
  });
  try {
    let t = Date.now();
    timings.baseSource = await ensureBaseImage(build.client, cacheDir);
    timings.base = since(t);
    log(
      `engine: base image ${BOOKWORM_SLIM.repository}:${BOOKWORM_SLIM.tag} (${timings.baseSource}, ${timings.base} s)`,
    );
    t = Date.now();
    for (const i of inputs) {
      if (await hasImage(build.client, i.image.name, i.key)) continue;
      const t0 = Date.now();
      await buildImage(build.client, i.image, i.archive, i.key);
      timings.images[i.image.name] = "built";
      log(`engine: built ${i.image.name} (${since(t0)} s)`);
    }
    timings.build = since(t);
    return await fn(build.client);
  } finally {
    await build.stop();
  }
}

/**
 * Makes sure the engine behind `run` holds every image of the stack: those it has with the
 * right build key stay, the rest are built (or found) in the build daemon and moved across.
 * The caller holds the lock of `cacheDir`.
 */
export async function provideImages(
  stack: EngineStack,
  run: EngineClient,
  cacheDir: string,
  timings: ImageTimings,
  log: (line: string) => void,
): Promise<void> {
  const missing: ImageInput[] = [];
  for (const i of inputsOf(stack)) {
    if (await hasImage(run, i.image.name, i.key)) timings.images[i.image.name] = "cached";
    else missing.push(i);
  }
  if (missing.length === 0) return;
  for (const i of missing) timings.images[i.image.name] = "transferred";
  await withBuiltImages(missing, cacheDir, timings, log, async (build) => {
    const t = Date.now();
    for (const i of missing) await transferImage(build, run, i.image.name);
    timings.transfer = since(t);
    log(`engine: moved ${missing.length} image(s) to the isolated daemon (${timings.transfer} s)`);
  });
}

/** Key of an image archive: the stack's image names with their build keys. */
export function imageArchiveKey(stack: EngineStack): string {
  const pairs = inputsOf(stack)
    .map((i) => `${i.image.name}=${i.key}`)
    .sort();
  return createHash("sha256").update(pairs.join("\n")).digest("hex").slice(0, 16);
}

/** Where the image archive of `stack` lives in `cacheDir`. */
export function imageArchivePath(stack: EngineStack, cacheDir: string): string {
  return join(cacheDir, "archives", `images-${stack.name}-${imageArchiveKey(stack)}.tar`);
}

/** Options of `saveImageArchive`. */
export interface SaveImageArchiveOptions {
  /** The engine cache (`defaultCacheDir()`). */
  readonly cacheDir: string;
  /** How long to wait for another lab on the same cache folder. @default 600_000 */
  readonly lockWaitMs?: number;
  readonly log?: (line: string) => void;
}

/** An image archive of a stack. */
export interface ImageArchive {
  /** The archive (`docker save` format, every image of the stack, shared layers once). */
  readonly path: string;
  /** `cached` when an archive of the same images was there, `saved` when this call wrote it. */
  readonly source: "cached" | "saved";
  readonly timings: ImageTimings;
}

/**
 * Writes every image of `stack` into one archive in the cache (building what the build daemon
 * lacks), unless an archive of exactly these images is there already; older archives of the
 * same stack are removed. Takes the lock of the cache folder while it works.
 */
export async function saveImageArchive(
  stack: EngineStack,
  options: SaveImageArchiveOptions,
): Promise<ImageArchive> {
  const log = options.log ?? (() => undefined);
  const path = imageArchivePath(stack, options.cacheDir);
  const timings: ImageTimings = { images: {} };
  const dir = join(options.cacheDir, "archives");
  mkdirSync(dir, { recursive: true });
  const file = path.slice(dir.length + 1);
  const cached = (): ImageArchive | undefined => {
    if (!existsSync(path)) return undefined;
    for (const i of stack.images) timings.images[i.name] = "cached";
    return { path, source: "cached", timings };
  };
  const found = cached();
  if (found) return found;
  await waitForLock(options.cacheDir, options.lockWaitMs ?? 600_000, log);
  const unregisterLock = registerCleanup(`lock of ${options.cacheDir}`, () => releaseLock(options.cacheDir));
  try {
    // Another lab may have written it while this one waited for the lock.
    const meanwhile = cached();
    if (meanwhile) return meanwhile;
    const inputs = inputsOf(stack);
    for (const i of inputs) timings.images[i.image.name] = "saved";
    await withBuiltImages(inputs, options.cacheDir, timings, log, async (build) => {
      const t = Date.now();
      const partial = `${path}.partial-${process.pid}`;
      try {
        const names = inputs.map((i) => i.image.name);
        const stream = await build.openStream("GET", "/images/get", { query: { names } });
        await pipeline(stream, createWriteStream(partial));
        renameSync(partial, path);
      } finally {
        rmSync(partial, { force: true });
      }
      timings.save = since(t);
      log(`engine: saved ${inputs.length} image(s) to ${path} (${timings.save} s)`);
    });
    for (const f of readdirSync(dir)) {
      if (f !== file && f.startsWith(`images-${stack.name}-`)) rmSync(join(dir, f), { force: true });
    }
    return { path, source: "saved", timings };
  } finally {
    releaseLock(options.cacheDir);
    unregisterLock();
  }
}

/**
 * Loads the images of `stack` that the engine behind `run` lacks from `archivePath` (made by
 * `saveImageArchive`), then checks that every image is there with its build key: an archive of
 * other images, or of other contexts, fails here rather than deploying stale images.
 */
export async function loadImageArchive(
  stack: EngineStack,
  run: EngineClient,
  archivePath: string,
  timings: ImageTimings,
  log: (line: string) => void,
): Promise<void> {
  const inputs = inputsOf(stack);
  const missing: ImageInput[] = [];
  for (const i of inputs) {
    if (await hasImage(run, i.image.name, i.key)) timings.images[i.image.name] = "cached";
    else missing.push(i);
  }
  if (missing.length === 0) return;
  const t = Date.now();
  await run.progress("POST", "/images/load", {
    query: { quiet: 1 },
    body: createReadStream(archivePath),
    timeoutMs: 900_000,
  });
  timings.load = since(t);
  for (const i of missing) {
    if (!(await hasImage(run, i.image.name, i.key))) {
      throw new EngineError(
        `${archivePath} holds no ${i.image.name} built from the stack's context (build key ${i.key}): make it again with saveImageArchive`,
      );
    }
    timings.images[i.image.name] = "loaded";
  }
  log(`engine: loaded ${missing.length} image(s) from ${archivePath} (${timings.load} s)`);
}
