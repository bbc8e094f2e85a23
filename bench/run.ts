/**
 * `npm run bench`: what importing the library and synthesizing its topologies cost, against
 * plain cdktf building the same resources. Every figure is the median of several fresh processes
 * (one process per measurement), with min and max. Results go to bench/results.json and to a
 * table on stdout; progress goes to stderr.
 *
 *   npm run bench                                  # builds dist/, then runs everything
 *   npx tsx bench/run.ts --runs 3 --sizes 10,100   # quicker, while developing
 *   npx tsx bench/run.ts --only docker/vip-pair --source lib --skip-import --skip-profile
 *   npx tsx bench/run.ts --only aws --skip-import --out /tmp/aws.json   # the AWS platform only
 *
 * Options:
 *   --runs N          runs per figure (default 5)
 *   --runs-large N    runs per figure for sizes of 1000 and more (default: --runs)
 *   --sizes A,B,...   sizes to measure instead of each topology's own
 *   --only X,...      scenarios: "platform/topology", a platform or a topology
 *   --source S        load the library from "dist" (built, as users do; default) or "lib" (tsx)
 *   --source-maps M   "off" (compiled JavaScript under plain node), "on" (node's source-map
 *                     support on, as under tsx or ts-node: cdktf maps every stack trace it
 *                     captures) or "both" (default)
 *   --skip-import, --skip-synth, --skip-profile
 *   --out FILE        where to write the results (default bench/results.json)
 *   --check           exit 1 when a target is missed (import time or memory, ratio, linearity)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  formatJson,
  type LibrarySource,
  REPO_ROOT,
  round,
  type Summary,
  type SynthRequest,
  type SynthResult,
  summarize,
  type Variant,
} from "./common";
import { IMPORT_PROBES, type ImportProbe, measureImport, parseResult } from "./import-cost";
import { formatProfile, type ProfileSummary, summarizeProfile } from "./profile";
import { cell, num, table, times } from "./report";
import { PLATFORMS, TOPOLOGIES } from "./scenarios";

/** Targets from DESIGN.md and issue 5. */
const TARGET_RATIO = 1.25;
/** Growth beyond this share of the size step (10× size → over 12× time) counts as superlinear. */
const LINEAR_SLACK = 1.2;
const LARGE_SIZE = 1000;

const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    "runs-large": { type: "string" },
    sizes: { type: "string" },
    only: { type: "string" },
    source: { type: "string", default: "dist" },
    "source-maps": { type: "string", default: "both" },
    "skip-import": { type: "boolean", default: false },
    "skip-synth": { type: "boolean", default: false },
    "skip-profile": { type: "boolean", default: false },
    out: { type: "string", default: path.join(REPO_ROOT, "bench", "results.json") },
    check: { type: "boolean", default: false },
  },
});

const runs = positiveInt("--runs", opts.runs as string);
const runsLarge = opts["runs-large"] === undefined ? runs : positiveInt("--runs-large", opts["runs-large"]);
const source = opts.source as LibrarySource;
if (source !== "dist" && source !== "lib") fail(`--source must be "dist" or "lib", not ${opts.source}`);
const sourceMapModes: boolean[] =
  opts["source-maps"] === "both"
    ? [false, true]
    : opts["source-maps"] === "on"
      ? [true]
      : opts["source-maps"] === "off"
        ? [false]
        : fail(`--source-maps must be "on", "off" or "both", not ${opts["source-maps"]}`);
const sizeOverride = opts.sizes?.split(",").map((s) => positiveInt("--sizes", s));
const only = opts.only?.split(",").map((s) => s.trim());

function positiveInt(what: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${what} must be a positive whole number, not ${text}`);
  return n;
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Machine and package state

function gitState(): { commit?: string; dirty?: boolean } {
  // Read-only: --no-optional-locks keeps `git status` from refreshing the index.
  const git = (...args: string[]) =>
    spawnSync("git", ["--no-optional-locks", ...args], { cwd: REPO_ROOT, encoding: "utf8" });
  const head = git("rev-parse", "HEAD");
  if (head.status !== 0) return {};
  const status = git("status", "--porcelain", "--", "lib", "bench", "package.json");
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== "" };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

const notes: string[] = [];
const misses: string[] = [];

const distIndex = path.join(REPO_ROOT, "dist", "index.js");
if (source === "dist" || !opts["skip-import"]) {
  if (!fs.existsSync(distIndex)) fail("dist/ is missing: run `npm run build` first (`npm run bench` does)");
  if (fs.statSync(distIndex).mtimeMs < newestMtime(path.join(REPO_ROOT, "lib"))) {
    notes.push(
      "dist/ is older than some file in lib/: the figures are for the last build (run `npm run build`)",
    );
  }
}

const cpus = os.cpus();
const machine = {
  cpuModel: cpus[0]?.model ?? "unknown",
  cores: cpus.length,
  memoryGB: round(os.totalmem() / 1024 ** 3, 1),
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  date: new Date().toISOString(),
  loadAverageAtStart: os.loadavg().map((x) => round(x)),
  loadAverageAtEnd: [] as number[],
  ...gitState(),
};
if ((machine.loadAverageAtStart[0] ?? 0) > 0.5) {
  notes.push(
    `the machine was busy when the benchmark started (load average ${machine.loadAverageAtStart[0]} on ${machine.cores} cores): timings are noisy`,
  );
}
const started = performance.now();
progress(
  `bench: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGB} GB, node ${machine.node}, load ${machine.loadAverageAtStart.join(" ")}`,
);

// ---------------------------------------------------------------------------------------------
// Import cost

interface ImportFigure {
  readonly name: string;
  readonly specifier?: string;
  readonly tsx: boolean;
  readonly runs: number;
  readonly requireMs: Summary;
  readonly processMs: Summary;
  readonly peakRssMB: Summary;
  readonly target?: ImportProbe["target"];
  readonly meetsTarget?: boolean;
}

function measureImports(): ImportFigure[] {
  const samples = IMPORT_PROBES.map(() => ({
    requireMs: [] as number[],
    processMs: [] as number[],
    rss: [] as number[],
  }));
  // Round-robin over the probes, so that a burst of load elsewhere spreads over all of them.
  for (let r = 0; r < runs; r++) {
    IMPORT_PROBES.forEach((probe, i) => {
      progress(`import ${probe.name}: run ${r + 1}/${runs}`);
      const m = measureImport(probe);
      const s = samples[i] as (typeof samples)[number];
      s.requireMs.push(m.requireMs);
      s.processMs.push(m.processMs);
      s.rss.push(m.peakRssMB);
    });
  }
  return IMPORT_PROBES.map((probe, i) => {
    const s = samples[i] as (typeof samples)[number];
    const requireMs = summarize(s.requireMs);
    const peakRssMB = summarize(s.rss);
    const meetsTarget = probe.target
      ? requireMs.median <= probe.target.requireMs && peakRssMB.median <= probe.target.peakRssMB
      : undefined;
    if (meetsTarget === false) {
      misses.push(
        `import ${probe.name}: ${num(requireMs.median)} ms, ${num(peakRssMB.median)} MB (target ≤ ${probe.target?.requireMs} ms, ≤ ${probe.target?.peakRssMB} MB)`,
      );
    }
    return {
      name: probe.name,
      specifier: probe.specifier,
      tsx: probe.tsx ?? false,
      runs,
      requireMs,
      processMs: summarize(s.processMs),
      peakRssMB,
      ...(probe.target ? { target: probe.target, meetsTarget } : {}),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Synth cost

interface VariantFigures {
  readonly constructMs: Summary;
  readonly synthMs: Summary;
  readonly totalMs: Summary;
  readonly totalCpuMs: Summary;
  readonly peakRssMB: Summary;
  readonly rssAfterImportMB: Summary;
  readonly outputBytes: Summary;
  readonly otherOutputBytes: Summary;
  readonly resources: Record<string, number>;
}

interface SizeFigures {
  readonly size: number;
  readonly runs: number;
  readonly library: VariantFigures;
  readonly plain?: VariantFigures;
  /** library / plain, of the medians. */
  readonly ratio?: {
    totalMs: number;
    totalCpuMs: number;
    constructMs: number;
    synthMs: number;
    peakRssMB: number;
    outputBytes: number;
  };
  /** From the previous size: how the median total time grew, and the cost of each added unit. */
  readonly growth?: {
    readonly fromSize: number;
    readonly sizeFactor: number;
    readonly library: number;
    readonly plain?: number;
    readonly libraryMarginalMsPerUnit: number;
    readonly plainMarginalMsPerUnit?: number;
    readonly linear: boolean;
  };
}

interface ScenarioFigures {
  readonly platform: string;
  readonly topology: string;
  readonly sizeUnit: string;
  readonly source: LibrarySource;
  readonly sourceMaps: boolean;
  readonly sizes: SizeFigures[];
}

function runSynthChild(request: SynthRequest): SynthResult {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "synth-child.ts"), JSON.stringify(request)],
    { cwd: REPO_ROOT, encoding: "utf8", timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return parseResult<SynthResult>(
    `${request.platform}/${request.topology} ${request.variant} ${request.size}`,
    child,
  );
}

function figures(results: SynthResult[]): VariantFigures {
  const pick = (f: (r: SynthResult) => number) => summarize(results.map(f));
  return {
    constructMs: pick((r) => r.constructMs),
    synthMs: pick((r) => r.synthMs),
    totalMs: pick((r) => r.totalMs),
    totalCpuMs: pick((r) => r.totalCpuMs),
    peakRssMB: pick((r) => r.peakRssMB),
    rssAfterImportMB: pick((r) => r.rssAfterImportMB),
    outputBytes: pick((r) => r.outputBytes),
    otherOutputBytes: pick((r) => r.otherOutputBytes),
    resources: results[0]?.resources ?? {},
  };
}

function selected(platform: string, topology: string): boolean {
  return (
    only === undefined ||
    only.some((o) => o === platform || o === topology || o === `${platform}/${topology}`)
  );
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-ha-bench-run-"));
process.on("exit", () => fs.rmSync(work, { recursive: true, force: true }));

/** Payload files of the plain baselines, by scenario and size: made once, used in every mode. */
const payloads = new Set<string>();

function measureScenario(platform: string, topology: string, sourceMaps: boolean): ScenarioFigures {
  const mode = sourceMaps ? "source maps on" : "source maps off";
  const topo = TOPOLOGIES[topology];
  if (!topo) throw new Error(`unknown topology ${topology}`);
  const hasBaseline = PLATFORMS[platform]?.plain[topology] !== undefined;
  const sizes: SizeFigures[] = [];
  for (const size of sizeOverride ?? topo.sizes) {
    const n = size >= LARGE_SIZE ? runsLarge : runs;
    const base = { platform, topology, size, source, sourceMaps };
    const payload = path.join(work, `${platform}-${topology}-${size}.payload.json`);
    if (hasBaseline && !payloads.has(payload)) {
      // Untimed: the library's output gives the plain baseline its payload (and warms the caches).
      progress(`${platform}/${topology} ${size} (${mode}): preparing the plain baseline's payload`);
      runSynthChild({ ...base, variant: "library", payloadOut: payload });
      payloads.add(payload);
    }
    const results: Record<Variant, SynthResult[]> = { library: [], plain: [] };
    for (let r = 0; r < n; r++) {
      // ABBA order, so that a trend in the machine's load hits both variants alike.
      const order: Variant[] = !hasBaseline
        ? ["library"]
        : r % 2 === 0
          ? ["library", "plain"]
          : ["plain", "library"];
      for (const variant of order) {
        progress(`${platform}/${topology} ${size} ${variant}, ${mode}: run ${r + 1}/${n}`);
        results[variant].push(
          runSynthChild({ ...base, variant, ...(variant === "plain" ? { payloadIn: payload } : {}) }),
        );
      }
    }
    const library = figures(results.library);
    const plain = hasBaseline ? figures(results.plain) : undefined;
    let ratio: SizeFigures["ratio"];
    if (plain) {
      const r = (f: (v: VariantFigures) => Summary) => round(f(library).median / f(plain).median, 3);
      ratio = {
        totalMs: r((v) => v.totalMs),
        totalCpuMs: r((v) => v.totalCpuMs),
        constructMs: r((v) => v.constructMs),
        synthMs: r((v) => v.synthMs),
        peakRssMB: r((v) => v.peakRssMB),
        outputBytes: r((v) => v.outputBytes),
      };
      const same = JSON.stringify(sorted(library.resources)) === JSON.stringify(sorted(plain.resources));
      if (!same) {
        notes.push(
          `${platform}/${topology} ${size} (${mode}): the plain baseline's resources differ from the library's: library ${JSON.stringify(sorted(library.resources))}, plain ${JSON.stringify(sorted(plain.resources))}`,
        );
      }
      if (Math.abs(ratio.outputBytes - 1) > 0.1) {
        notes.push(
          `${platform}/${topology} ${size} (${mode}): output sizes differ by more than 10% (library/plain ${ratio.outputBytes})`,
        );
      }
      if (round(ratio.totalMs) > TARGET_RATIO) {
        misses.push(
          `${platform}/${topology} ${size} (${mode}): library/plain ${times(ratio.totalMs)} (target ≤ ${TARGET_RATIO})`,
        );
      }
    }
    const prev = sizes[sizes.length - 1];
    let growth: SizeFigures["growth"];
    if (prev) {
      const sizeFactor = size / prev.size;
      const lib = library.totalMs.median / prev.library.totalMs.median;
      const marginal = (now: VariantFigures, before: VariantFigures) =>
        round((now.totalMs.median - before.totalMs.median) / (size - prev.size), 3);
      growth = {
        fromSize: prev.size,
        sizeFactor: round(sizeFactor, 3),
        library: round(lib, 3),
        libraryMarginalMsPerUnit: marginal(library, prev.library),
        ...(plain && prev.plain
          ? {
              plain: round(plain.totalMs.median / prev.plain.totalMs.median, 3),
              plainMarginalMsPerUnit: marginal(plain, prev.plain),
            }
          : {}),
        linear: lib <= sizeFactor * LINEAR_SLACK,
      };
      if (!growth.linear) {
        misses.push(
          `${platform}/${topology} ${prev.size}→${size} (${mode}): library time grew ${times(lib)} for ${times(sizeFactor)} the size (superlinear)`,
        );
      }
    }
    sizes.push({
      size,
      runs: n,
      library,
      ...(plain ? { plain } : {}),
      ...(ratio ? { ratio } : {}),
      ...(growth ? { growth } : {}),
    });
  }
  return { platform, topology, sizeUnit: topo.sizeUnit, source, sourceMaps, sizes };
}

function sorted(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

// ---------------------------------------------------------------------------------------------
// Profile of the worst case

interface ProfileFigures {
  readonly platform: string;
  readonly topology: string;
  readonly size: number;
  readonly sourceMaps: boolean;
  readonly summary: ProfileSummary;
}

/** Profiles the slowest library case (construction and synthesis only) of the given scenarios. */
function profileWorstCase(scenarios: ScenarioFigures[]): ProfileFigures | undefined {
  let worst: { scenario: ScenarioFigures; size: SizeFigures } | undefined;
  for (const scenario of scenarios) {
    for (const size of scenario.sizes) {
      if (!worst || size.library.totalMs.median > worst.size.library.totalMs.median)
        worst = { scenario, size };
    }
  }
  if (!worst) return undefined;
  const { platform, topology, sourceMaps } = worst.scenario;
  const size = worst.size.size;
  const maps = sourceMaps ? "on" : "off";
  const file = path.join(
    os.tmpdir(),
    `cdktf-ha-bench-${platform}-${topology}-${size}-source-maps-${maps}.cpuprofile`,
  );
  progress(`profiling ${platform}/${topology} ${size} (library, source maps ${maps}) into ${file}`);
  runSynthChild({ platform, topology, size, source, sourceMaps, variant: "library", profileOut: file });
  return { platform, topology, size, sourceMaps, summary: summarizeProfile(file) };
}

// ---------------------------------------------------------------------------------------------
// Run, write, print

const imports = opts["skip-import"] ? [] : measureImports();
const scenarios: ScenarioFigures[] = [];
const profiles: ProfileFigures[] = [];
if (!opts["skip-synth"]) {
  for (const sourceMaps of sourceMapModes) {
    const inMode: ScenarioFigures[] = [];
    for (const platform of Object.keys(PLATFORMS)) {
      for (const topology of Object.keys(TOPOLOGIES)) {
        if (selected(platform, topology)) inMode.push(measureScenario(platform, topology, sourceMaps));
      }
    }
    if (only && inMode.length === 0) fail(`--only ${opts.only} matches no scenario`);
    scenarios.push(...inMode);
    // The worst case of each platform: their libraries' costs differ (a cloud-init document per
    // EC2 instance, an upload per container).
    for (const platform of Object.keys(PLATFORMS)) {
      const profile = opts["skip-profile"]
        ? undefined
        : profileWorstCase(inMode.filter((s) => s.platform === platform));
      if (profile) profiles.push(profile);
    }
  }
}
machine.loadAverageAtEnd = os.loadavg().map((x) => round(x));
const elapsedSeconds = round((performance.now() - started) / 1000, 1);
if (runsLarge < runs)
  notes.push(`sizes of ${LARGE_SIZE} and more ran ${runsLarge} times per figure, the others ${runs}`);

const results = {
  machine,
  config: {
    runs,
    runsLarge,
    source,
    sourceMaps: sourceMapModes,
    elapsedSeconds,
    targets: { ratio: TARGET_RATIO, linearSlack: LINEAR_SLACK },
  },
  import: imports,
  synth: scenarios,
  profiles,
  notes,
  misses,
};
fs.writeFileSync(opts.out as string, formatJson(results));

const out: string[] = [];
out.push(
  `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGB} GB, node ${machine.node}, ${machine.platform}`,
  `Date: ${machine.date}${machine.commit ? `, commit ${machine.commit.slice(0, 12)}${machine.dirty ? " (with local changes)" : ""}` : ""}; load average ${machine.loadAverageAtStart[0]} at start, ${machine.loadAverageAtEnd[0]} at end`,
  "Each figure: median (min–max) over fresh node processes, one process per measurement.",
);
if (imports.length) {
  out.push(
    "",
    `Import cost (${runs} runs each; require = time inside require(), process = whole node process)`,
    table(
      ["module", "require ms", "process ms", "peak RSS MB", "target"],
      imports.map((f) => [
        f.name,
        cell(f.requireMs),
        cell(f.processMs),
        cell(f.peakRssMB),
        f.target
          ? `≤ ${f.target.requireMs} ms, ≤ ${f.target.peakRssMB} MB: ${f.meetsTarget ? "ok" : "MISSED"}`
          : "",
      ]),
    ),
  );
}
for (const s of scenarios) {
  out.push(
    "",
    `Synth: ${s.topology} on ${s.platform}, library from ${s.source}/, source maps ${s.sourceMaps ? "on (as under tsx or ts-node)" : "off (compiled JavaScript under plain node)"}`,
    "construct = building the constructs; synth = app.synth() to a temp folder; CPU = user + system time of both",
    "(steadier than wall time on a busy machine); peak RSS = high-water mark of the whole process",
    table(
      [
        s.sizeUnit,
        "variant",
        "runs",
        "construct ms",
        "synth ms",
        "total ms",
        "total CPU ms",
        "peak RSS MB",
        "cdk.tf.json KB",
      ],
      s.sizes.flatMap((z) =>
        [["library", z.library] as const, ...(z.plain ? ([["plain cdktf", z.plain]] as const) : [])].map(
          ([name, v]) => [
            String(z.size),
            name,
            String(z.runs),
            cell(v.constructMs),
            cell(v.synthMs),
            cell(v.totalMs),
            cell(v.totalCpuMs),
            cell(v.peakRssMB),
            num(v.outputBytes.median / 1024),
          ],
        ),
      ),
    ),
    "",
    `Library against plain cdktf (ratios of medians; target total ≤ ${TARGET_RATIO}), and growth of the total from the previous size`,
    table(
      [
        s.sizeUnit,
        "total",
        "CPU",
        "construct",
        "synth",
        "peak RSS",
        "output",
        "growth lib",
        "growth plain",
        `ms/${s.sizeUnit} lib`,
        `ms/${s.sizeUnit} plain`,
      ],
      s.sizes.map((z) => [
        String(z.size),
        z.ratio ? `${times(z.ratio.totalMs)}${round(z.ratio.totalMs) > TARGET_RATIO ? " MISSED" : ""}` : "-",
        z.ratio ? times(z.ratio.totalCpuMs) : "-",
        z.ratio ? times(z.ratio.constructMs) : "-",
        z.ratio ? times(z.ratio.synthMs) : "-",
        z.ratio ? times(z.ratio.peakRssMB) : "-",
        z.ratio ? times(z.ratio.outputBytes) : "-",
        z.growth
          ? `${times(z.growth.library)} for ${times(z.growth.sizeFactor)}${z.growth.linear ? "" : " SUPERLINEAR"}`
          : "-",
        z.growth?.plain !== undefined ? times(z.growth.plain) : "-",
        z.growth ? num(z.growth.libraryMarginalMsPerUnit) : "-",
        z.growth?.plainMarginalMsPerUnit !== undefined ? num(z.growth.plainMarginalMsPerUnit) : "-",
      ]),
    ),
  );
}
if (scenarios.length) {
  out.push(
    "Growth: time at this size / time at the previous size (10× the size should cost about 10× the time once",
    "fixed costs fade; less at small sizes). ms/unit: added time per added unit between the two sizes,",
    "constant when synthesis is linear.",
  );
}
for (const p of profiles) {
  out.push(
    "",
    `CPU profile of construct + synth: ${p.topology} on ${p.platform}, ${p.size} ${TOPOLOGIES[p.topology]?.sizeUnit ?? ""}, library, source maps ${p.sourceMaps ? "on" : "off"}`,
    formatProfile(p.summary),
  );
}
if (notes.length) out.push("", "Notes:", ...notes.map((n) => `- ${n}`));
if (misses.length) out.push("", "Targets missed:", ...misses.map((m) => `- ${m}`));
out.push("", `Wrote ${path.relative(process.cwd(), opts.out as string)} in ${elapsedSeconds} s.`);
console.log(out.join("\n"));
if (opts.check && misses.length) process.exit(1);
