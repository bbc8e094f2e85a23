/**
 * Both init stages parse in their shell and are shellcheck-clean (stage 1 runs under busybox's
 * ash, stage 2 under the host's dash; both are checked as POSIX sh).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { GUEST_DIR, HOST_ROOT_TAG, STAGE1, STAGE2 } from "../../../lib/drill/vm/guest-init";
import { runCommand } from "../../support/netns";
import { tierAvailable } from "../../support/tiers";

const available = tierAvailable("daemon checks: VM init scripts", ["sh", "shellcheck"]);
const dir = mkdtempSync(join(tmpdir(), "ha-vm-init-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("guest init stages", () => {
  test("stage 1 mounts the host root by its tag and hands over to stage 2; stage 2 ends in the agent", () => {
    expect(STAGE1).toContain(`${HOST_ROOT_TAG} /lower`);
    expect(STAGE1).toContain(`exec switch_root /newroot /bin/sh /${GUEST_DIR}/stage2`);
    expect(STAGE2.trimEnd().split("\n").at(-1)).toBe(`exec python3 -S -B /${GUEST_DIR}/agent.py`);
  });

  test("stage 2 mounts cgroup v2 where container engines look for it, and the disks it is given", () => {
    expect(STAGE2).toContain("mount -t cgroup2 cgroup2 /sys/fs/cgroup");
    expect(STAGE2).toContain("$(value ha.disks");
    expect(STAGE2).toMatch(/mount -t ext4 -o noatime "\/dev\/\$dev" "\$dir"/);
  });

  test.runIf(available).each([
    ["stage1", STAGE1],
    ["stage2", STAGE2],
  ])("%s parses (sh -n) and passes shellcheck", (name, script) => {
    const path = join(dir, name);
    writeFileSync(path, script);
    const parsed = runCommand("sh", ["-n", path]);
    expect(parsed.stderr).toBe("");
    expect(parsed.status).toBe(0);
    const checked = runCommand("shellcheck", ["--format=gcc", "--shell=sh", path]);
    expect(checked.stdout).toBe("");
    expect(checked.status).toBe(0);
  });
});
