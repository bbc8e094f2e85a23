import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, test } from "vitest";

const SCRIPT = path.resolve(__dirname, "../../scripts/check-imports.mjs");
const made: string[] = [];

/** Runs the checker in a fresh tree holding `files` (path under the tree → content). */
function run(files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-imports-"));
  made.push(dir);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: "utf8" });
}

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("check-imports", () => {
  test("passes a tree that follows the layer table", () => {
    const result = run({
      "lib/model/a.ts": 'import { x } from "../errors";\n',
      "lib/render/r.ts": 'import { a } from "../model/a";\n',
      "lib/topologies/parts/p.ts":
        'import { r } from "../../render/r";\nimport type { I } from "../../platforms/platform";\n',
      "lib/topologies/vip-pair/v.ts": 'import { p } from "../parts/p";\n',
      "lib/platforms/docker/d.ts": 'import { Container } from "@cdktf/provider-docker/lib/container";\n',
      "lib/drill/core/c.ts": 'import * as fs from "node:fs";\nimport type { M } from "../../model/a";\n',
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  test.each([
    [
      "lib/render/r.ts",
      'import { P } from "../platforms/platform";\n',
      "the render layer may not import platforms",
    ],
    [
      "lib/model/m.ts",
      'import { T } from "../topologies/parts/p";\n',
      "the model layer may not import parts",
    ],
    [
      "lib/topologies/parts/p.ts",
      'import { D } from "../../platforms/docker/d";\n',
      "may not import platforms/docker",
    ],
    [
      "lib/topologies/a/a.ts",
      'import { B } from "../b/b";\n',
      "the topology:a layer may not import topology:b",
    ],
    [
      "lib/platforms/aws/x.ts",
      'import { D } from "../docker/d";\n',
      "the platforms/aws layer may not import platforms/docker",
    ],
    ["lib/drill/x.ts", 'import { App } from "cdktf";\n', "the drill layer may not use the package cdktf"],
    ["lib/drill/y.ts", 'import { r } from "../render/r";\n', "the drill layer may not import render"],
    [
      "lib/render/z.ts",
      'import { Construct } from "constructs";\n',
      "the render layer may not use the package constructs",
    ],
    [
      "lib/topologies/parts/q.ts",
      'import { I } from "@cdktf/provider-aws/lib/instance";\n',
      "may not use the package @cdktf/provider-aws",
    ],
    // Written in two parts so that the checker does not find this very line in the repository.
    [
      "test/t.ts",
      `const aws = require("@cdktf/${"provider-aws"}");\n`,
      "loads @cdktf/provider-aws by its root",
    ],
  ])("fails for %s importing across the table", (file, content, message) => {
    const result = run({ [file]: content });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });
});
