/**
 * A scratch disk is an ext4 image made without mounting: empty, or holding a copy of a folder
 * with its modes and links, read back here with debugfs (e2fsprogs) without mounting either.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { makeScratchDisk } from "../../../lib/drill/vm/scratch-disk";
import { VmError } from "../../../lib/drill/vm/vm-error";
import { runCommand } from "../../support/netns";
import { tierAvailable } from "../../support/tiers";

const available = tierAvailable("vm: scratch disks", ["mkfs.ext4", "debugfs"]);
const dir = mkdtempSync(join(tmpdir(), "ha-scratch-disk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function debugfs(image: string, request: string): string {
  const r = runCommand("debugfs", ["-R", request, image]);
  expect(r.status).toBe(0);
  return r.stdout;
}

describe.runIf(available)("makeScratchDisk", () => {
  test("makes a sparse file of the size asked for with an empty ext4 file system", () => {
    const image = join(dir, "empty.img");
    makeScratchDisk(image, 64);
    const st = statSync(image);
    expect(st.size).toBe(64 * 1024 * 1024);
    expect(st.blocks * 512).toBeLessThan(st.size);
    expect(debugfs(image, "ls -l /")).toContain("lost+found");
    // AND a second call replaces it
    makeScratchDisk(image, 128);
    expect(statSync(image).size).toBe(128 * 1024 * 1024);
  });

  test("copies a folder in with its modes and symbolic links", () => {
    const from = join(dir, "tree");
    mkdirSync(join(from, "run-root", "image"), { recursive: true });
    writeFileSync(join(from, "run-root", "image", "repositories.json"), '{"Repositories":{}}\n', {
      mode: 0o600,
    });
    symlinkSync("../image", join(from, "run-root", "link"));
    const image = join(dir, "tree.img");
    makeScratchDisk(image, 64, from);
    expect(debugfs(image, "cat /run-root/image/repositories.json")).toBe('{"Repositories":{}}\n');
    expect(debugfs(image, "stat /run-root/image/repositories.json")).toMatch(/Mode:\s+0600/);
    expect(debugfs(image, "stat /run-root/link")).toContain('Fast link dest: "../image"');
  });

  test.each([32, 1.5, 100_000])("throws for a size of %s MiB, naming what is allowed", (size) => {
    expect(() => makeScratchDisk(join(dir, "bad.img"), size)).toThrow(VmError);
    expect(() => makeScratchDisk(join(dir, "bad.img"), size)).toThrow("64..65536");
  });
});
