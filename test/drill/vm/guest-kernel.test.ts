import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { findGuestKernel, unpackKernel } from "../../../lib/drill/vm/guest-kernel";
import { VmError } from "../../../lib/drill/vm/vm-error";
import { tierAvailable } from "../../support/tiers";
import { fakeBzImage, fakeElf, installFakeKernel } from "./fake-kernel";

const root = mkdtempSync(join(tmpdir(), "ha-vm-kernel-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const xzAvailable = tierAvailable("daemon checks: VM kernel unpacking", ["xz"]);

describe("guest kernel", () => {
  test("the newest kernel that has its modules is chosen", () => {
    const r = join(root, "choose");
    installFakeKernel(r, "6.1.0-9-amd64");
    installFakeKernel(r, "6.1.0-10-amd64");
    writeFileSync(join(r, "boot", "vmlinuz-6.1.0-11-amd64"), "no modules for this one");
    expect(findGuestKernel(r)).toEqual({
      version: "6.1.0-10-amd64",
      image: join(r, "boot/vmlinuz-6.1.0-10-amd64"),
      modulesDir: join(r, "lib/modules/6.1.0-10-amd64"),
    });
  });

  test("without a kernel the error names the package to install", () => {
    const r = join(root, "none");
    mkdirSync(join(r, "boot"), { recursive: true });
    expect(() => findGuestKernel(r)).toThrow(VmError);
    expect(() => findGuestKernel(r)).toThrow(/install linux-image-amd64/);
  });

  test.runIf(xzAvailable)("an xz stream past a false magic unpacks to the ELF kernel", () => {
    const elf = fakeElf("xz");
    expect(unpackKernel(fakeBzImage(elf)).equals(elf)).toBe(true);
  });

  test("a gzip stream unpacks; an ELF file is its own kernel; nothing to unpack is refused", () => {
    const elf = fakeElf("gz");
    expect(unpackKernel(Buffer.concat([Buffer.alloc(300, 1), gzipSync(elf)])).equals(elf)).toBe(true);
    expect(unpackKernel(elf)).toBe(elf);
    expect(() => unpackKernel(Buffer.alloc(4096, 7))).toThrow(/no xz, zstd or gzip stream/);
  });
});
