import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { BOOKWORM_SLIM, baseImageKey } from "../../../lib/drill/engine/base-image";
import { buildInput } from "../../../lib/drill/engine/image-builder";
import type { ImageResource } from "../../../lib/drill/engine/image-resource";

const context = mkdtempSync(join(tmpdir(), "ha-context-"));
writeFileSync(join(context, "Dockerfile"), "FROM debian:bookworm-slim\nRUN apt-get update\n");
afterAll(() => rmSync(context, { recursive: true, force: true }));

const image: ImageResource = {
  key: "lb",
  name: "cdktf-ha/ha-lb:1",
  contextDir: context,
  dockerfile: "Dockerfile",
  buildArgs: {},
  labels: {},
  keepLocally: true,
  triggers: {},
};

describe("buildInput", () => {
  test("keys an image by its context and the base image, so a changed input is built again", () => {
    const base = baseImageKey(BOOKWORM_SLIM);
    const first = buildInput(image, base);
    // THEN the same input gives the same key
    expect(buildInput(image, base).key).toBe(first.key);
    // AND another base image, build argument or context changes it
    expect(buildInput(image, baseImageKey({ ...BOOKWORM_SLIM, suite: "trixie" })).key).not.toBe(first.key);
    expect(buildInput({ ...image, buildArgs: { A: "1" } }, base).key).not.toBe(first.key);
    writeFileSync(join(context, "Dockerfile"), "FROM debian:bookworm-slim\nRUN apt-get update && true\n");
    expect(buildInput(image, base).key).not.toBe(first.key);
  });
});

describe("baseImageKey", () => {
  test("changes with the recipe's mirror", () => {
    expect(baseImageKey(BOOKWORM_SLIM)).toMatch(/^[0-9a-f]{16}$/);
    expect(baseImageKey({ ...BOOKWORM_SLIM, mirror: "http://mirror.example/debian" })).not.toBe(
      baseImageKey(BOOKWORM_SLIM),
    );
  });
});
