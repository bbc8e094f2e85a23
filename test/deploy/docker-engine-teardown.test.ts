/**
 * Deploy tier on a real Docker engine: a deployment that fails half-way leaves nothing behind
 * (no container, namespace, daemon, mount or lock), and what it could not deploy is named.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { afterAll, describe, expect, test } from "vitest";
import { EXAMPLES } from "../../examples";
import { lockOwner } from "../../lib/drill/engine/cache-lock";
import { defaultCacheDir, EngineLab } from "../../lib/drill/engine/engine-lab";
import { mountsUnder } from "../../lib/drill/engine/host-commands";
import { runCommand } from "../support/netns";
import { tierAvailable } from "../support/tiers";

const TIER = "deploy: docker engine";
const available = tierAvailable(
  TIER,
  ["dockerd", "containerd", "runc", "debootstrap", "nsenter", "ip"],
  true,
);
const STACK = "vip-pair-docker-drill";

describe.skipIf(!available)(`${TIER}: teardown`, () => {
  const outdir = mkdtempSync(join(tmpdir(), "ha-engine-teardown-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test("fails a deployment whose image the engine does not have, naming it, and leaves nothing behind", async () => {
    // GIVEN the VIP pair with one backend on an image no registry-less engine has
    const app = new App({ outdir });
    EXAMPLES[STACK]?.(app);
    app.synth();
    const stackFile = join(outdir, "stacks", STACK, "cdk.tf.json");
    const document = JSON.parse(readFileSync(stackFile, "utf8"));
    const backend = Object.entries(document.resource.docker_container).find(([k]) => k.includes("Replica2"));
    (backend?.[1] as { image: string }).image = "example.invalid/missing:1";
    writeFileSync(stackFile, JSON.stringify(document));
    // WHEN it is deployed
    const error = await EngineLab.up(stackFile).catch((e: Error) => e);
    // THEN the deployment fails naming the image
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("example.invalid/missing:1");
    expect((error as Error).message).toContain(`docker_container.${backend?.[0]}`);
    // AND nothing of this process's lab remains: namespaces, run folder, mounts, daemon, lock
    // (another test file's lab may hold the cache by now: only this process's traces count)
    const namespaces = runCommand("ip", ["netns", "list"]).lines.filter((l) =>
      l.startsWith(`hae-${process.pid}-`),
    );
    expect(namespaces).toEqual([]);
    expect(existsSync(`/tmp/hae-r${process.pid}`)).toBe(false);
    expect(mountsUnder(`/tmp/hae-r${process.pid}`)).toEqual([]);
    expect(runCommand("pgrep", ["-f", `/tmp/hae-r${process.pid}/docker.sock`]).stdout.trim()).toBe("");
    expect(lockOwner(defaultCacheDir())).not.toBe(process.pid);
  }, 600_000);
});
