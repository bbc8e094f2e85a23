import { describe, expect, test } from "vitest";
import { cpioArchive } from "../../../lib/drill/vm/cpio";
import { VmError } from "../../../lib/drill/vm/vm-error";
import { readCpio } from "./read-cpio";

describe("cpioArchive", () => {
  test("directories and files come back with their modes and contents, aligned as newc requires", () => {
    const archive = cpioArchive([
      { path: "bin" },
      { path: "bin/tool", data: Buffer.from("#!/bin/sh\n"), mode: 0o755 },
      { path: "/etc-file", data: Buffer.from("abc") },
    ]);
    expect(archive.length % 4).toBe(0);
    expect(readCpio(archive)).toEqual([
      { name: "bin", mode: 0o040755, data: Buffer.alloc(0) },
      { name: "bin/tool", mode: 0o100755, data: Buffer.from("#!/bin/sh\n") },
      { name: "etc-file", mode: 0o100644, data: Buffer.from("abc") },
    ]);
  });

  test("the same entries make the same bytes", () => {
    const entries = [{ path: "a", data: Buffer.from("1") }];
    expect(cpioArchive(entries).equals(cpioArchive(entries))).toBe(true);
  });

  test.each(["", "../escape", "a/../../b"])("the path %j is refused", (path) => {
    expect(() => cpioArchive([{ path, data: Buffer.from("x") }])).toThrow(VmError);
  });
});
