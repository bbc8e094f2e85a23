import { TerraformStack, Testing } from "cdktf";
import { afterAll, describe, expect, test } from "vitest";
import { DockerPlatform } from "../../lib";
import { needsPreparation, renderPrepare } from "../../lib/platforms/host-prepare";
import { checkShellcheck, checkShellSyntax, clean, Scratch } from "../daemon/checkers";
import { storageHostSpec } from "../support/storage-spec";
import { tierAvailable } from "../support/tiers";

function platform() {
  return new DockerPlatform(new TerraformStack(Testing.app(), "test"), "local");
}

describe("host preparation", () => {
  test("sets the owners of volumes and secret files and the files' modes, then runs its arguments", () => {
    // GIVEN a host with an owned volume and an owned secret file
    const p = platform();
    const secret = p.addSecret(p, "Pw");
    const spec = storageHostSpec(p, 0, {
      volumes: [{ name: "data", mountPath: "/var/lib/postgresql", owner: "postgres" }],
      secretFiles: [{ path: "/etc/patroni/pw", secret, owner: "postgres:postgres", mode: "0440" }],
    });
    // WHEN its script is rendered
    const script = renderPrepare(spec);
    // THEN it sets each owner and mode, and ends by running the command it was given
    expect(needsPreparation(spec)).toBe(true);
    expect(script.split("\n")).toEqual([
      "#!/bin/sh",
      expect.stringMatching(/^# Generated/),
      "set -eu",
      "mkdir -p '/var/lib/postgresql'",
      "chown 'postgres' '/var/lib/postgresql'",
      "chown 'postgres:postgres' '/etc/patroni/pw'",
      "chmod '0440' '/etc/patroni/pw'",
      'exec "$@"',
      "",
    ]);
  });

  test("is not needed when nothing has an owner", () => {
    const p = platform();
    const spec = storageHostSpec(p, 0, {
      volumes: [{ name: "data", mountPath: "/data" }],
      secretFiles: [{ path: "/etc/pw", secret: p.addSecret(p, "Pw") }],
    });
    expect(needsPreparation(spec)).toBe(false);
  });
});

const shells = tierAvailable("daemon checks: preparation script", ["sh", "shellcheck"]);

describe.runIf(shells)("the preparation script", () => {
  const scratch = new Scratch();
  afterAll(() => scratch.remove());

  test("passes sh -n and shellcheck", () => {
    // GIVEN the script of a host with owned volumes and secret files
    const p = platform();
    const secret = p.addSecret(p, "Pw");
    const script = renderPrepare(
      storageHostSpec(p, 0, {
        volumes: [{ name: "data", mountPath: "/var/lib/postgresql", owner: "postgres" }],
        secretFiles: [{ path: "/etc/patroni/pw", secret, owner: "postgres" }],
      }),
    );
    // WHEN dash and shellcheck read it THEN neither finds anything
    const path = scratch.write("ha-prepare", script, 0o755);
    const verdicts = [checkShellSyntax("sh", path), checkShellcheck(path)];
    expect(verdicts).toEqual(verdicts.map(clean));
  });
});
