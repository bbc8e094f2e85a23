import { describe, expect, test } from "vitest";
import { cpioArchive } from "../../../lib/drill/vm/cpio";
import { VmError } from "../../../lib/drill/vm/vm-error";

interface Parsed {
  readonly name: string;
  readonly mode: number;
  readonly data: Buffer;
}

/** Reads a newc archive back, as the kernel does. */
function parse(archive: Buffer): Parsed[] {
  const out: Parsed[] = [];
  let at = 0;
  const align = (n: number) => (n + 3) & ~3;
  for (;;) {
    expect(archive.subarray(at, at + 6).toString()).toBe("070701");
    const field = (i: number) =>
      Number.parseInt(archive.subarray(at + 6 + i * 8, at + 14 + i * 8).toString(), 16);
    const mode = field(1);
    const size = field(6);
    const nameSize = field(11);
    const name = archive.subarray(at + 110, at + 110 + nameSize - 1).toString();
    const dataAt = align(at + 110 + nameSize);
    if (name === "TRAILER!!!") return out;
    out.push({ name, mode, data: archive.subarray(dataAt, dataAt + size) });
    at = align(dataAt + size);
  }
}

describe("cpioArchive", () => {
  test("directories and files come back with their modes and contents, aligned as newc requires", () => {
    const archive = cpioArchive([
      { path: "bin" },
      { path: "bin/tool", data: Buffer.from("#!/bin/sh\n"), mode: 0o755 },
      { path: "/etc-file", data: Buffer.from("abc") },
    ]);
    expect(archive.length % 4).toBe(0);
    expect(parse(archive)).toEqual([
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
