/**
 * What the benchmark's parent (run.ts) and its child processes share: the request and result
 * shapes, memory probes and small statistics.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root (bench/..). */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** Children print exactly one line starting with this, followed by their result as JSON. */
export const RESULT_MARKER = "BENCH_RESULT ";

/** Name of the stack every synth measurement builds. */
export const STACK_NAME = "bench";

/** The library's runtime module, typed from its sources (the type import is erased at run time). */
export type Lib = typeof import("../lib");

/** Where the library is loaded from: the built package as users load it, or the sources via tsx. */
export type LibrarySource = "dist" | "lib";

/** Loads the library from `dist/` (built, as users get it) or from `lib/` (through tsx). */
export function loadLibrary(source: LibrarySource): Lib {
  return require(path.join(REPO_ROOT, source)) as Lib;
}

/** Which side of the comparison a synth child builds. */
export type Variant = "library" | "plain";

/** What run.ts asks one synth child to do. */
export interface SynthRequest {
  readonly platform: string;
  readonly topology: string;
  readonly variant: Variant;
  readonly size: number;
  readonly source: LibrarySource;
  /**
   * Keep node's source-map support on, as tsx and ts-node run apps (every stack trace cdktf
   * captures is then mapped through source maps). Off, the child runs like compiled JavaScript
   * under plain node.
   */
  readonly sourceMaps: boolean;
  /** Plain variant: the payload file written by a library run of the same size. */
  readonly payloadIn?: string;
  /** Library variant: write the plain baseline's payload, extracted from the output, here. */
  readonly payloadOut?: string;
  /** Write a CPU profile of construction and synthesis here. */
  readonly profileOut?: string;
}

/** What one synth child measured. */
export interface SynthResult {
  readonly constructMs: number;
  readonly synthMs: number;
  readonly totalMs: number;
  /** CPU time (user + system, all threads) of construction plus synthesis: less sensitive to
   * other load on the machine than wall time. */
  readonly totalCpuMs: number;
  /** Peak resident set size of the whole process (imports included). */
  readonly peakRssMB: number;
  /** Resident set size once everything was imported, before construction started. */
  readonly rssAfterImportMB: number;
  /** Bytes of `cdk.tf.json`. */
  readonly outputBytes: number;
  /** Bytes of every other file synthesized for the stack (assets, HA report, diagram). */
  readonly otherOutputBytes: number;
  /** Terraform resources by type in `cdk.tf.json`, plus "data:<type>" and "provider:<name>" entries. */
  readonly resources: Record<string, number>;
}

/** What one import child measured. */
export interface ImportResult {
  readonly requireMs: number;
  readonly peakRssMB: number;
}

/** Peak resident set size of this process in MB (Linux VmHWM, else the OS's maxRSS). */
export function peakRssMB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Current resident set size of this process in MB. */
export function currentRssMB(): number {
  return process.memoryUsage.rss() / 1024 / 1024;
}

/** Total size of the regular files under `dir`. */
export function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(p);
    else if (entry.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** Median, minimum and maximum of a sample, with the sample itself. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number[];
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error("summarize: no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return {
    median: round(median),
    min: round(sorted[0] as number),
    max: round(sorted[sorted.length - 1] as number),
    samples: samples.map((x) => round(x)),
  };
}

/** Rounds to 2 decimals (milliseconds and MB need no more). */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * JSON as the repository's formatter (biome) writes it: two-space indent, objects expanded, arrays
 * of plain values on one line when they fit in `lineWidth`. Keeps bench/results.json lint-clean.
 */
export function formatJson(value: unknown, lineWidth = 110): string {
  const write = (v: unknown, indent: string, prefixLength: number): string => {
    if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      if (v.every((x) => x === null || typeof x !== "object")) {
        const flat = `[${v.map((x) => JSON.stringify(x) ?? "null").join(", ")}]`;
        if (prefixLength + flat.length + 1 <= lineWidth) return flat;
      }
      return `[\n${v.map((x) => `${inner}${write(x, inner, inner.length)}`).join(",\n")}\n${indent}]`;
    }
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return "{}";
    return `{\n${entries
      .map(([k, x]) => {
        const key = `${inner}${JSON.stringify(k)}: `;
        return `${key}${write(x, inner, key.length)}`;
      })
      .join(",\n")}\n${indent}}`;
  };
  return `${write(value, "", 0)}\n`;
}
