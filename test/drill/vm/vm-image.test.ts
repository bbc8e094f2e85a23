import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { lockPath } from "../../../lib/drill/engine/cache-lock";
import { VmError } from "../../../lib/drill/vm/vm-error";
import { defaultVmCacheDir, ensureVmImage, isDynamicElf } from "../../../lib/drill/vm/vm-image";
import { tierAvailable } from "../../support/tiers";
import { fakeBzImage, fakeElf, fakeStaticElf, installFakeKernel } from "./fake-kernel";
import { readCpio } from "./read-cpio";

const dir = mkdtempSync(join(tmpdir(), "ha-vm-image-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const available = tierAvailable("daemon checks: VM image", ["xz"]);
const VERSION = "6.1.0-99-amd64";

function setup(name: string): { root: string; cacheDir: string; busybox: string } {
  const root = join(dir, name, "root");
  installFakeKernel(root, VERSION);
  const busybox = join(dir, name, "busybox");
  writeFileSync(busybox, fakeStaticElf());
  return { root, cacheDir: join(dir, name, "cache"), busybox };
}

describe("VM image", () => {
  test("the cache folder follows HA_VM_CACHE, then XDG_CACHE_HOME", () => {
    const saved = { vm: process.env.HA_VM_CACHE, xdg: process.env.XDG_CACHE_HOME };
    try {
      process.env.HA_VM_CACHE = "/tmp/vm-cache-here";
      expect(defaultVmCacheDir()).toBe("/tmp/vm-cache-here");
      delete process.env.HA_VM_CACHE;
      process.env.XDG_CACHE_HOME = "/tmp/xdg";
      expect(defaultVmCacheDir()).toBe("/tmp/xdg/cdktf-ha-topologies/vm");
    } finally {
      for (const [k, v] of [
        ["HA_VM_CACHE", saved.vm],
        ["XDG_CACHE_HOME", saved.xdg],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test("a dynamically linked busybox is told apart from a static one", () => {
    expect(isDynamicElf(readFileSync("/bin/sh"))).toBe(true);
    expect(isDynamicElf(fakeStaticElf())).toBe(false);
    expect(isDynamicElf(Buffer.from("#!/bin/sh\n"))).toBe(true);
  });

  test.runIf(available)(
    "made once, then taken from the cache; made again when the kernel changes",
    async () => {
      const s = setup("cache");
      const options = { cacheDir: s.cacheDir, kernelRoot: s.root, busybox: s.busybox };
      const first = await ensureVmImage(options);
      expect(first).toMatchObject({ source: "built", kernelVersion: VERSION });
      expect(readFileSync(first.kernel).equals(fakeElf(VERSION))).toBe(true);
      const names = readCpio(readFileSync(first.initrd)).map((f) => f.name);
      expect(names).toEqual(
        expect.arrayContaining(["init", "bin/busybox", "ha-vm/stage2", "ha-vm/agent.py", "modules.order"]),
      );
      expect(names).toContain("modules/kernel/fs/9p/9p.ko");
      expect(existsSync(lockPath(s.cacheDir))).toBe(false);

      const second = await ensureVmImage(options);
      expect(second).toEqual({ ...first, source: "cache", buildMs: 0 });

      writeFileSync(join(s.root, "boot", `vmlinuz-${VERSION}`), fakeBzImage(fakeElf("updated")));
      const third = await ensureVmImage(options);
      expect(third.source).toBe("built");
      expect(third.key).not.toBe(first.key);
      expect(readFileSync(third.kernel).equals(fakeElf("updated"))).toBe(true);
    },
  );

  test.runIf(available)("a build waits for the live owner of the cache lock, then gives up", async () => {
    const s = setup("locked");
    mkdirSync(s.cacheDir, { recursive: true });
    writeFileSync(lockPath(s.cacheDir), `${process.ppid}\n`);
    const made = ensureVmImage({
      cacheDir: s.cacheDir,
      kernelRoot: s.root,
      busybox: s.busybox,
      lockWaitMs: 400,
    });
    await expect(made).rejects.toThrow(VmError);
    await expect(made).rejects.toThrow(`PID ${process.ppid} holds`);
    rmSync(lockPath(s.cacheDir));
    expect(
      (await ensureVmImage({ cacheDir: s.cacheDir, kernelRoot: s.root, busybox: s.busybox })).source,
    ).toBe("built");
  });

  test("a busybox that is not static is refused, naming the package", async () => {
    const s = setup("dynamic");
    await expect(
      ensureVmImage({ cacheDir: s.cacheDir, kernelRoot: s.root, busybox: "/bin/sh" }),
    ).rejects.toThrow(/install busybox-static/);
  });
});
