/**
 * Deploy tier on a real Docker engine, for host volumes and secrets: a stack whose host has a
 * named volume and two files of one generated secret, deployed by the engine lab as Terraform's
 * Docker provider would. Proves that the volume is a volume (mounted from the engine's volume
 * store, kept when the container is replaced by a new one of the same name) and that each
 * secret file holds the one generated value with its mode and owner.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DockerPlatform, Software } from "../../lib";
import { containerCreateBody } from "../../lib/drill/engine/container-request";
import { LAB_LABEL } from "../../lib/drill/engine/engine-deployment";
import { EngineLab } from "../../lib/drill/engine/engine-lab";
import { storageHostSpec } from "../support/storage-spec";
import { tierAvailable } from "../support/tiers";

const TIER = "deploy: docker engine";
const available = tierAvailable(
  TIER,
  ["dockerd", "containerd", "runc", "debootstrap", "nsenter", "ip"],
  true,
);

/** The stack on 198.18.50.0/24, synthesized into `dir` (with its image build context). */
function writeStack(dir: string): string {
  const app = new App({ outdir: dir });
  const stack = new TerraformStack(app, "storage-docker-drill");
  const platform = new DockerPlatform(stack, "local", { subnet: "198.18.50.0/24" });
  const secret = platform.addSecret(platform, "Pw");
  platform.addHost(platform, "Db0", {
    ...storageHostSpec(platform, 0, {
      volumes: [{ name: "data", mountPath: "/srv/data", owner: "nobody" }],
      secretFiles: [
        { path: "/etc/ha-test/pw", secret, owner: "nobody" },
        { path: "/etc/ha-test/pw-copy", secret, mode: "0440" },
      ],
    }),
    software: Software.debianPackages("ha-storage-test", ["procps"]),
  });
  app.synth();
  return join(dir, "stacks", "storage-docker-drill", "cdk.tf.json");
}

describe.skipIf(!available)(`${TIER}: volumes and secrets`, () => {
  let dir = "";
  let lab: EngineLab | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ha-engine-storage-"));
    lab = await EngineLab.up(writeStack(dir), { log: (l) => console.log(`storage: ${l}`) });
  }, 900_000);

  afterAll(async () => {
    await lab?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("delivers the secret files with their modes and owner, and mounts the volume from the engine", async () => {
    // GIVEN the deployed host
    const l = lab as EngineLab;
    const run = async (...argv: string[]) => (await l.deployment.exec("db-0", argv)).stdout.trim();

    // WHEN its files and mounts are looked at from inside
    const pw = await run("cat", "/etc/ha-test/pw");
    const copy = await run("cat", "/etc/ha-test/pw-copy");
    const modes = await run("stat", "-c", "%a %U", "/etc/ha-test/pw", "/etc/ha-test/pw-copy", "/srv/data");
    const mounts = await run("cat", "/proc/self/mountinfo");
    const env = await run("cat", "/proc/1/environ");

    // THEN both files hold one generated value of letters and digits, with their modes and owners
    expect(pw).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(copy).toBe(pw);
    expect(modes.split("\n")).toEqual(["400 nobody", "440 root", "755 nobody"]);
    // AND /srv/data is a mount of the engine's volume, and the value is in no environment
    expect(mounts).toMatch(/ \/srv\/data /);
    expect(env).not.toContain(pw);
  });

  test("keeps the volume's data when the container is replaced by a new one", async () => {
    // GIVEN a row written to the volume
    const d = (lab as EngineLab).deployment;
    await d.exec("db-0", ["sh", "-c", "echo kept > /srv/data/row"]);
    const resource = d.stack.containers[0];
    const image = d.stack.images[0];
    if (resource === undefined || image === undefined) throw new Error("no container or image");

    // WHEN the container is removed and a new one of the same resource created and started
    await d.client.call("DELETE", `/containers/${encodeURIComponent(resource.name)}`, {
      query: { force: 1 },
    });
    const body = {
      ...containerCreateBody(
        resource,
        image.name,
        (key) => d.stack.networks.find((n) => n.key === key)?.name ?? key,
        { [LAB_LABEL]: d.stack.name },
        (key) => d.stack.volumes.find((v) => v.key === key)?.name ?? key,
      ),
      // The replacement has no uploads yet: it only has to show the volume.
      Cmd: ["/bin/sleep", "600"],
    };
    const created = await d.client.json<{ Id: string }>("POST", "/containers/create", {
      query: { name: resource.name },
      json: body,
    });
    await d.client.call("POST", `/containers/${created.Id}/start`);
    const read = await d.client.exec(created.Id, ["cat", "/srv/data/row"]);

    // THEN the new container reads the row from the same volume
    expect(read.stdout).toBe("kept\n");
  });
});
