import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { DockerPlatform, type HostSpec, Software } from "../../../lib";
import { resourcesOfType, synthJson } from "../../../lib/testing";
import { validationErrorOf } from "../../support/errors";
import { storageHostSpec } from "../../support/storage-spec";

function dbStack() {
  const stack = new TerraformStack(Testing.app(), "test");
  const platform = new DockerPlatform(stack, "local");
  const secret = platform.addSecret(platform, "Superuser");
  platform.addHost(
    platform,
    "Db0",
    storageHostSpec(platform, 0, {
      volumes: [{ name: "data", mountPath: "/var/lib/postgresql", owner: "postgres" }],
      secretFiles: [
        { path: "/etc/patroni/superuser", secret, owner: "postgres" },
        { path: "/etc/patroni/replication", secret, mode: "0440" },
      ],
    }),
  );
  return { stack, platform, json: synthJson(stack) };
}

// biome-ignore lint/suspicious/noExplicitAny: synthesized JSON
function container(json: any) {
  return Object.values(resourcesOfType(json, "docker_container"))[0] as Record<string, unknown> & {
    upload: Array<Record<string, unknown>>;
  };
}

describe("Docker volumes and secret files", () => {
  test("mounts a docker_volume named per host at the mount path", () => {
    const { json } = dbStack();
    const [[key, volume]] = Object.entries(resourcesOfType(json, "docker_volume")) as [string, unknown][];
    expect(volume).toEqual({ name: "test-db-0-data", provider: "docker" });
    expect(container(json).mounts).toEqual([
      { type: "volume", source: `\${docker_volume.${key}.name}`, target: "/var/lib/postgresql" },
    ]);
  });

  test("uploads each secret file as a reference to the password, with a restrictive mode, never in the environment", () => {
    // GIVEN a host with two secret files WHEN synthesized
    const { json } = dbStack();
    const c = container(json);
    const key = Object.keys(resourcesOfType(json, "random_password"))[0];
    // THEN each upload's content is the password's reference and its mode lets others nothing
    const files = c.upload.filter((u) => String(u.file).startsWith("/etc/patroni/"));
    expect(files).toEqual([
      { file: "/etc/patroni/superuser", content: `\${random_password.${key}.result}`, permissions: "0400" },
      { file: "/etc/patroni/replication", content: `\${random_password.${key}.result}`, permissions: "0440" },
    ]);
    expect(c.env).toBeUndefined();
    // AND no string of the whole document holds anything but references where the password is used
    const text = JSON.stringify(json);
    expect(text.match(/random_password\.[A-Za-z0-9_]+\.result/g)).toHaveLength(2);
    expect(resourcesOfType(json, "random_password")[key as string]).not.toHaveProperty("result");
  });

  test("runs the preparation script before the supervisor when owners are to be set", () => {
    const { json } = dbStack();
    const c = container(json);
    expect(c.command).toEqual(["/usr/local/sbin/ha-prepare", "/usr/local/sbin/ha-supervise"]);
    const prepare = c.upload.find((u) => u.file === "/usr/local/sbin/ha-prepare");
    expect(prepare).toMatchObject({ executable: true });
    expect(prepare?.content).toContain("chown 'postgres' '/var/lib/postgresql'\n");
  });

  test("lists exactly the resource types of the stack", () => {
    const { json } = dbStack();
    expect(Object.keys(json.resource ?? {}).sort()).toEqual([
      "docker_container",
      "docker_image",
      "docker_network",
      "docker_volume",
      "random_password",
    ]);
  });

  test("throws for a secret made by another platform, naming the secret", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const a = new DockerPlatform(stack, "a");
    const b = new DockerPlatform(stack, "b");
    const foreign = b.addSecret(b, "Pw");
    const error = validationErrorOf(() =>
      a.addHost(a, "Db0", storageHostSpec(a, 0, { secretFiles: [{ path: "/etc/pw", secret: foreign }] })),
    );
    expect(error.value).toBe("test/b/Pw");
    expect(error.allowed).toBe("use a secret made by test/a.addSecret()");
  });

  test("throws for an owner on a host that runs its image's own entry point", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const p = new DockerPlatform(stack, "local");
    const spec: HostSpec = {
      ...storageHostSpec(p, 0, { volumes: [{ name: "data", mountPath: "/data", owner: "app" }] }),
      software: Software.image("debian:bookworm-slim"),
      processes: [],
    };
    const error = validationErrorOf(() => p.addHost(p, "Db0", spec));
    expect(error.path).toBe("test/local/Db0");
    expect(error.value).toEqual(["app"]);
  });
});
