/**
 * Fresh user projects for the pack test: a folder with its own package.json, the peers installed
 * from the npm registry with `npm install`, and the packed tarball installed over them.
 *
 * Installing cdktf, a provider, vitest and two TypeScript majors takes a minute per project, so
 * each project is kept in a cache folder outside the checkout, keyed by everything the install
 * depends on; only the tarball, which changes with every build, is installed on every run.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The module system of a user's package. */
export type ModuleKind = "commonjs" | "module";

/** One cell of the matrix. */
export interface ProjectSpec {
  readonly kind: ModuleKind;
  /** The vitest range to install, e.g. "^3.2.0". */
  readonly vitest: string;
  /** Package specs to install besides vitest and the TypeScript aliases, e.g. "cdktf@^0.21.0". */
  readonly peers: readonly string[];
}

/** TypeScript majors every project carries, as npm aliases (`ts5`, `ts7`) so both can be run. */
export const TYPESCRIPTS: Readonly<Record<string, string>> = {
  ts5: "npm:typescript@~5.9.0",
  ts7: "npm:typescript@^7.0.0",
};

/** The result of one command in a project. */
export interface RunResult {
  readonly status: number;
  readonly output: string;
}

const INSTALL_FLAGS = ["--no-audit", "--no-fund", "--loglevel=error"];

/** Environment for commands in a project: no CI marker (vitest would not write snapshots) and no
 * variables of the vitest that runs this test. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VITEST|CI$|CONTINUOUS_INTEGRATION$|GITHUB_|BUILD_NUMBER$|RUN_ID$|NODE_OPTIONS$|TEST$)/.test(k))
      continue;
    env[k] = v;
  }
  return env;
}

/** Runs a command in `cwd` and returns its status and combined output (never throws on status). */
export function runIn(cwd: string, cmd: string, args: readonly string[], timeoutMs = 300_000): RunResult {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: cleanEnv(), timeout: timeoutMs });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** Runs a command and throws with its output when it fails. */
export function mustRun(cwd: string, cmd: string, args: readonly string[]): string {
  const r = runIn(cwd, cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${r.output}`);
  return r.output;
}

/** Builds the package and packs it into `dir`; returns the tarball's path. */
export function packTarball(root: string, dir: string): string {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "ignore" });
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], {
    cwd: root,
    encoding: "utf8",
  });
  return path.join(dir, out.trim().split("\n").pop() as string);
}

/**
 * A project for `spec` under `cacheDir`, its dependencies installed (once per key), with the
 * tarball installed over them. Returns the project's folder.
 */
export function freshProject(cacheDir: string, spec: ProjectSpec, tarball: string): string {
  const deps = [
    ...spec.peers,
    `vitest@${spec.vitest}`,
    ...Object.entries(TYPESCRIPTS).map(([a, s]) => `${a}@${s}`),
  ];
  const key = createHash("sha256")
    .update(JSON.stringify({ kind: spec.kind, deps, node: process.versions.node.split(".")[0] }))
    .digest("hex")
    .slice(0, 12);
  const cell = `${spec.kind}-vitest${spec.vitest.replace(/\W/g, "")}-`;
  const dir = path.join(cacheDir, `${cell}${key}`);
  const ready = path.join(dir, ".installed");
  if (!fs.existsSync(ready)) {
    // Projects of this cell made for other dependencies are stale: remove them.
    for (const old of fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []) {
      if (old.startsWith(cell)) fs.rmSync(path.join(cacheDir, old), { recursive: true, force: true });
    }
    fs.mkdirSync(dir, { recursive: true });
    const pkg = { name: `fresh-${spec.kind}`, private: true, version: "1.0.0", type: spec.kind };
    fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
    mustRun(dir, "npm", ["install", ...INSTALL_FLAGS, ...deps]);
    fs.writeFileSync(ready, `${deps.join("\n")}\n`);
  }
  mustRun(dir, "npm", ["install", "--no-save", ...INSTALL_FLAGS, tarball]);
  return dir;
}

/**
 * The fenced code blocks of one README section whose first line is a `// <file>` comment, by
 * file name: what a user copies from the README.
 */
export function readmeFiles(readme: string, heading: string): Record<string, string> {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const level = heading.split(" ")[0];
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  const section = next < 0 ? rest : rest.slice(0, next);
  const files: Record<string, string> = {};
  for (const m of section.matchAll(/```[a-z]*\n\/\/ ([\w./-]+)[^\n]*\n([\s\S]*?)```/g)) {
    files[m[1]] = m[2];
  }
  return files;
}
