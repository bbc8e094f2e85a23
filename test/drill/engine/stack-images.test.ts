/**
 * The image archive of a stack: keyed by its images' build inputs, found in the cache without a
 * daemon when it is there, and checked against the stack when loaded (a fake engine here; the
 * deploy tiers load real archives into real engines).
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { BOOKWORM_SLIM, baseImageKey } from "../../../lib/drill/engine/base-image";
import type { EngineClient, EngineRequest, EngineResponse } from "../../../lib/drill/engine/engine-client";
import { parseEngineStack } from "../../../lib/drill/engine/engine-stack";
import { BUILD_KEY_LABEL, buildInput } from "../../../lib/drill/engine/image-builder";
import {
  imageArchiveKey,
  imageArchivePath,
  loadImageArchive,
  saveImageArchive,
} from "../../../lib/drill/engine/stack-images";
import { synthesizeExample } from "./fixture";

const example = synthesizeExample();
const cacheDir = mkdtempSync(join(tmpdir(), "ha-stack-images-"));
afterAll(() => {
  example.remove();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** An engine that holds `held` (name -> build key) and records the requests it got. */
function fakeEngine(held: Map<string, string>, afterLoad: Map<string, string> = held) {
  const requests: string[] = [];
  const client = {
    async request(method: string, path: string): Promise<EngineResponse> {
      requests.push(`${method} ${path}`);
      const name = decodeURIComponent(/^\/images\/(.+)\/json$/.exec(path)?.[1] ?? "");
      const key = held.get(name);
      if (key === undefined) return { status: 404, body: Buffer.from("{}") };
      return {
        status: 200,
        body: Buffer.from(JSON.stringify({ Config: { Labels: { [BUILD_KEY_LABEL]: key } } })),
      };
    },
    async progress(method: string, path: string, options: EngineRequest): Promise<string[]> {
      requests.push(`${method} ${path}`);
      const body = options.body;
      if (body !== undefined && !Buffer.isBuffer(body)) {
        await new Promise((resolve, reject) => body.on("end", resolve).on("error", reject).resume());
      }
      for (const [k, v] of afterLoad) held.set(k, v);
      return [];
    },
  };
  return { client: client as unknown as EngineClient, requests };
}

const stack = () => parseEngineStack(example.document, example.stackFile);
const keysOf = () =>
  new Map(stack().images.map((i) => [i.name, buildInput(i, baseImageKey(BOOKWORM_SLIM)).key]));

describe("image archives", () => {
  test("are keyed by the images' build inputs: a changed context is another archive", () => {
    const before = imageArchiveKey(stack());
    expect(imageArchiveKey(stack())).toBe(before);
    expect(imageArchivePath(stack(), cacheDir)).toBe(
      join(cacheDir, "archives", `images-${stack().name}-${before}.tar`),
    );
    const image = stack().images[0];
    appendFileSync(join(image?.contextDir ?? "", "Dockerfile"), "\n# changed\n");
    expect(imageArchiveKey(stack())).not.toBe(before);
  });

  test("an archive of the same images in the cache is used as it is, without a daemon", async () => {
    const path = imageArchivePath(stack(), cacheDir);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "an archive");
    const archive = await saveImageArchive(stack(), { cacheDir });
    expect(archive.source).toBe("cached");
    expect(archive.path).toBe(path);
    expect(Object.values(archive.timings.images)).toEqual(stack().images.map(() => "cached"));
    expect(readdirSync(cacheDir)).not.toContain("lab.lock");
  });

  test("loading skips an engine that holds every image with its key", async () => {
    const engine = fakeEngine(keysOf());
    const timings = { images: {} };
    await loadImageArchive(stack(), engine.client, "/nonexistent.tar", timings, () => undefined);
    expect(engine.requests.filter((r) => r.startsWith("POST"))).toEqual([]);
    expect(Object.values(timings.images)).toEqual(stack().images.map(() => "cached"));
  });

  test("loading loads the archive once and checks every image's key after it", async () => {
    const archive = join(cacheDir, "some.tar");
    writeFileSync(archive, "x");
    const engine = fakeEngine(new Map(), keysOf());
    const timings = { images: {} as Record<string, string> };
    await loadImageArchive(stack(), engine.client, archive, timings, () => undefined);
    expect(engine.requests.filter((r) => r.startsWith("POST"))).toEqual(["POST /images/load"]);
    expect(Object.values(timings.images)).toEqual(stack().images.map(() => "loaded"));
    // WHEN the archive holds images built from other contexts
    const stale = fakeEngine(new Map(), new Map([...keysOf()].map(([n]) => [n, "other"])));
    await expect(
      loadImageArchive(stack(), stale.client, archive, { images: {} }, () => undefined),
    ).rejects.toThrow(/holds no cdktf-ha\/\S+ built from the stack's context/);
  });
});
