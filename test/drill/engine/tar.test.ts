import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { directoryEntries, tarArchive } from "../../../lib/drill/engine/tar";
import { runCommand } from "../../support/netns";

function listing(archive: Buffer): string[] {
  const dir = mkdtempSync(join(tmpdir(), "ha-tar-"));
  try {
    writeFileSync(join(dir, "a.tar"), archive);
    return runCommand("tar", ["-tvf", join(dir, "a.tar")]).lines.map((l) => {
      const f = l.split(/\s+/);
      return `${f[0]} ${f[2]} ${f[5]}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("tarArchive", () => {
  test("writes an archive GNU tar reads, with the modes, sizes and long paths given", () => {
    // GIVEN
    const long = `${"d".repeat(90)}/${"e".repeat(60)}/file`;
    const archive = tarArchive([
      { path: "usr/local/sbin/ha-supervise", content: Buffer.from("#!/bin/sh\n"), mode: 0o744 },
      { path: "etc", mode: 0o755 },
      { path: long, content: Buffer.alloc(600, 1), mode: 0o644 },
    ]);
    // THEN
    expect(archive.length % 512).toBe(0);
    expect(listing(archive)).toEqual([
      "-rwxr--r-- 10 usr/local/sbin/ha-supervise",
      "drwxr-xr-x 0 etc/",
      `-rw-r--r-- 600 ${long}`,
    ]);
  });

  test("gives the same bytes for the same directory (a stable cache key)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ha-ctx-"));
    try {
      writeFileSync(join(dir, "Dockerfile"), "FROM debian:bookworm-slim\n");
      const first = tarArchive(directoryEntries(dir));
      const second = tarArchive(directoryEntries(dir));
      expect(first.equals(second)).toBe(true);
      expect(listing(first)).toEqual([`-rw-r--r-- 26 Dockerfile`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("throws for an absolute path or ..", () => {
    expect(() => tarArchive([{ path: "/etc/x", content: Buffer.from(""), mode: 0o644 }])).toThrow(/relative/);
    expect(() => tarArchive([{ path: "a/../b", content: Buffer.from(""), mode: 0o644 }])).toThrow(/relative/);
  });
});
