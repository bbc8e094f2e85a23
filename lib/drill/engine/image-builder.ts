/**
 * Builds the stack's `docker_image` resources from their contexts with the classic builder
 * (`docker build --network host` in API terms: bookworm's docker.io has no buildx), and moves
 * them into the daemon that runs the containers. An image is built again only when its context
 * or the base image changes: the key of both is a label of the image.
 */
import { createHash } from "node:crypto";
import type { EngineClient } from "./engine-client";
import type { ImageResource } from "./image-resource";
import { directoryEntries, tarArchive } from "./tar";

/** Label holding the cache key (context and base image) on a built image. */
export const BUILD_KEY_LABEL = "io.cdktf-ha.build-key";

/** The build context of `image` as an archive, and the image's cache key. */
export function buildInput(image: ImageResource, baseKey: string): { archive: Buffer; key: string } {
  const archive = tarArchive(directoryEntries(image.contextDir));
  const key = createHash("sha256")
    .update(archive)
    .update(
      JSON.stringify({
        base: baseKey,
        dockerfile: image.dockerfile,
        args: image.buildArgs,
        labels: image.labels,
      }),
    )
    .digest("hex")
    .slice(0, 24);
  return { archive, key };
}

/** Whether the engine holds `name` built from the input with `key`. */
export async function hasImage(client: EngineClient, name: string, key: string): Promise<boolean> {
  const r = await client.request("GET", `/images/${encodeURIComponent(name)}/json`);
  if (r.status !== 200) return false;
  const labels = (JSON.parse(r.body.toString()) as { Config?: { Labels?: Record<string, string> } }).Config
    ?.Labels;
  return labels?.[BUILD_KEY_LABEL] === key;
}

/**
 * Builds `image` from `archive` on the host's network: the generated Dockerfiles install Debian
 * packages and need Debian's archive while they build.
 */
export async function buildImage(client: EngineClient, image: ImageResource, archive: Buffer, key: string) {
  return client.progress("POST", "/build", {
    query: {
      t: image.name,
      dockerfile: image.dockerfile,
      buildargs: JSON.stringify(image.buildArgs),
      labels: JSON.stringify({ ...image.labels, [BUILD_KEY_LABEL]: key }),
      networkmode: "host",
      rm: 1,
      forcerm: 1,
      version: "1",
    },
    body: archive,
    timeoutMs: 900_000,
  });
}

/** Copies image `name` from one engine to another (`docker save | docker load`), streamed. */
export async function transferImage(from: EngineClient, to: EngineClient, name: string): Promise<void> {
  const archive = await from.openStream("GET", "/images/get", { query: { names: name } });
  await to.progress("POST", "/images/load", { query: { quiet: 1 }, body: archive, timeoutMs: 600_000 });
}
