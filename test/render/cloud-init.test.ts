import { execFileSync } from "node:child_process";
import * as fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { renderCloudInit } from "../../lib/render/cloud-init";
import { blockOrQuoted, quoted } from "../../lib/render/yaml-text";
import { DANGEROUS_CHARACTERS } from "../support/dangerous";
import { findBinary } from "../support/tiers";

/** Text of every kind a generated or user file may hold, with YAML's troublemakers mixed in. */
const fileText = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          ...DANGEROUS_CHARACTERS,
          "\r\n",
          "\x85",
          "\u2029",
          "\ufeff",
          "\x7f",
          "\ud800",
          "  ",
          "\t",
          "---",
          "...",
          "- ",
          ": ",
          "|",
          ">",
        ),
        fc.string({ maxLength: 8 }),
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join("")),
);

function render(contents: string[]): string {
  return renderCloudInit({
    packages: ["keepalived", "haproxy"],
    files: contents.map((content, i) => ({ path: `/etc/f${i}`, content, executable: i % 2 === 0 })),
    sysctls: { "net.ipv4.ip_nonlocal_bind": "1" },
    supervisor: { path: "/usr/local/sbin/ha-supervise", processes: ["haproxy", "keepalived"] },
  });
}

function contentsOf(doc: { write_files: Array<{ path: string; content: string }> }): string[] {
  return doc.write_files.filter((f) => /^\/etc\/f\d+$/.test(f.path)).map((f) => f.content);
}

describe("cloud-config emitter", () => {
  test("writes file contents as literal blocks, with indentation and chomping indicators", () => {
    // GIVEN / WHEN
    const out = blockOrQuoted("  indented\nplain\n", 4);

    // THEN
    expect(out).toBe(" |2\n        indented\n      plain");
    expect(blockOrQuoted("no newline", 4)).toBe(" |2-\n      no newline");
    expect(blockOrQuoted("two\n\n", 4)).toBe(" |2+\n      two\n");
    expect(blockOrQuoted("crlf\r\n", 4)).toBe(' "crlf\\r\\n"');
    expect(quoted("line\u2028sep\x85")).toBe('"line\\u2028sep\\u0085"');
  });

  test("round-trips every file content through the yaml package", () => {
    fc.assert(
      fc.property(fc.array(fileText, { minLength: 1, maxLength: 4 }), (contents) => {
        // GIVEN / WHEN
        const doc = parse(render(contents));

        // THEN
        expect(contentsOf(doc)).toEqual(contents);
        expect(doc.packages).toEqual(["haproxy", "keepalived"]);
        expect(doc.runcmd).toContainEqual(["systemctl", "enable", "--now", "ha-supervise.service"]);
      }),
      { numRuns: 300 },
    );
  });

  // cloud-init parses user data with PyYAML (YAML 1.1): the same documents must read the same there.
  const python = findBinary("python3");
  const pyyaml =
    python !== undefined &&
    (() => {
      try {
        execFileSync("/usr/bin/python3", ["-c", "import yaml"], { stdio: "ignore" });
        return true;
      } catch {
        return false;
      }
    })();
  if (!pyyaml && process.env.CI === "true") {
    throw new Error(
      "PyYAML (Debian python3-yaml) is missing: .ci/run must install it; no tier may be skipped under CI=true",
    );
  }
  if (!pyyaml) console.warn("SKIPPED the PyYAML round trip: install the Debian package python3-yaml");

  test.runIf(pyyaml)("round-trips every file content through PyYAML, cloud-init's parser", () => {
    // GIVEN a batch of documents
    const batch = fc.sample(fc.array(fileText, { minLength: 1, maxLength: 4 }), { numRuns: 300, seed: 42 });
    const docs = batch.map(render);

    // WHEN PyYAML reads them all in one process
    const script =
      "import json, sys, yaml\n" +
      "docs = json.load(sys.stdin)\n" +
      "out = [[f['content'] for f in yaml.safe_load(d)['write_files'] if f['path'].startswith('/etc/f')] for d in docs]\n" +
      "sys.stdout.write(json.dumps(out))\n";
    const parsed = JSON.parse(
      execFileSync("/usr/bin/python3", ["-c", script], {
        input: JSON.stringify(docs),
        encoding: "utf8",
        maxBuffer: 64 << 20,
      }),
    );

    // THEN
    expect(parsed).toEqual(batch);
  });
});

describe("cloud-config services", () => {
  test("starts the named units after the files are written, before the policy guard goes", () => {
    // GIVEN / WHEN
    const doc = parse(
      renderCloudInit({
        packages: [],
        files: [{ path: "/etc/systemd/system/a.service", content: "[Service]\n", executable: false }],
        sysctls: {},
        services: ["a.service", "b.service"],
      }),
    );

    // THEN
    expect(doc.runcmd).toEqual([
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "a.service"],
      ["systemctl", "enable", "--now", "b.service"],
      ["rm", "-f", "/usr/sbin/policy-rc.d"],
    ]);
    expect(parse(renderCloudInit({ packages: [], files: [], sysctls: {} })).runcmd).toEqual([
      ["rm", "-f", "/usr/sbin/policy-rc.d"],
    ]);
  });
});
