import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { DockerPlatform } from "../../../lib";
import { containerCreateBody, uploadEntries } from "../../../lib/drill/engine/container-request";
import { EngineError } from "../../../lib/drill/engine/engine-error";
import { parseEngineStack } from "../../../lib/drill/engine/engine-stack";
import { generatePasswords, parsePassword, parseVolume } from "../../../lib/drill/engine/storage-resources";
import { synthJson } from "../../../lib/testing";
import { caught } from "../../support/errors";
import { storageHostSpec } from "../../support/storage-spec";
import { copyOf, type Json, resources } from "./fixture";

/** A stack on 198.18.40.0/24: db-0 with a volume and a secret file. */
function storageDocument(): Json {
  const stack = new TerraformStack(Testing.app(), "storage");
  const platform = new DockerPlatform(stack, "local", { subnet: "198.18.40.0/24" });
  const secret = platform.addSecret(platform, "Pw", { length: 30 });
  platform.addHost(
    platform,
    "Db0",
    storageHostSpec(platform, 0, {
      volumes: [{ name: "data", mountPath: "/var/lib/pg" }],
      secretFiles: [{ path: "/etc/pw", secret, mode: "0440" }],
    }),
  );
  return synthJson(stack) as Json;
}

describe("the engine deployer's volumes and passwords", () => {
  test("creates the volume, mounts it by name and uploads the generated password with its mode", () => {
    // GIVEN the stack, parsed as the engine deployer reads it
    const stack = parseEngineStack(storageDocument(), "/tmp/storage/cdk.tf.json");
    const db = stack.containers[0];
    if (db === undefined) throw new Error("no container");
    // WHEN the create body and the upload archive are made with one generated password
    const passwords = generatePasswords(stack.passwords);
    const body = containerCreateBody(
      db,
      "debian:bookworm-slim",
      () => "net",
      {},
      (key) => (key === stack.volumes[0]?.key ? "storage-db-0-data" : "?"),
    );
    const upload = uploadEntries(db, passwords).find((e) => e.path === "etc/pw");
    // THEN the volume is mounted by its name and the file holds the password, mode 0440
    expect(stack.volumes.map((v) => v.name)).toEqual(["storage-db-0-data"]);
    expect(stack.passwords.map((p) => p.length)).toEqual([30]);
    expect(body.HostConfig.Mounts).toEqual([
      { Target: "/var/lib/pg", Type: "volume", Source: "storage-db-0-data", ReadOnly: false },
    ]);
    expect(upload?.mode).toBe(0o440);
    expect(upload?.content.toString()).toMatch(/^[A-Za-z0-9]{30}$/);
    expect(upload?.content.toString()).toBe(passwords.get(stack.passwords[0]?.key as string));
  });

  test.each([
    ["docker_volume", { driver_opts: { type: "tmpfs" } }, '"driver_opts"'],
    ["random_password", { override_special: "!" }, '"override_special"'],
  ])("fails on an attribute of %s it does not map, naming it", (type, extra, named) => {
    const doc = copyOf(storageDocument());
    const [first] = Object.values(resources(doc, type));
    Object.assign(first as Json, extra);
    const error = caught(() => parseEngineStack(doc, "/tmp/storage/cdk.tf.json"));
    expect(error).toBeInstanceOf(EngineError);
    expect(error.message).toContain(named);
  });

  test("fails on a password with special characters, and on an upload of a password the stack lacks", () => {
    expect(caught(() => parsePassword("pw", { length: 30 })).message).toMatch(/set special = false/);
    expect(parseVolume("v", { name: "n" })).toEqual({ key: "v", name: "n" });
    const doc = copyOf(storageDocument());
    delete (doc.resource as Json).random_password;
    expect(caught(() => parseEngineStack(doc, "/tmp/storage/cdk.tf.json")).message).toMatch(
      /refers to random_password\.[A-Za-z0-9_]+, which the stack does not have/,
    );
  });
});
