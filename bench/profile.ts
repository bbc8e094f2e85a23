/**
 * Summarizes a V8 CPU profile (.cpuprofile, as written by `node --cpu-prof` or the inspector):
 * time per phase, self time by package and by function, and inclusive time by function (time
 * with the function anywhere on the stack), overall and for the library's own functions.
 *
 * Phases are marked by function names on the stack (the synth child runs its work in
 * `constructPhase` and `synthPhase`); the marker and everything below it (module loading, the
 * harness) are left out of the inclusive figures.
 *
 *   npx tsx bench/profile.ts <file.cpuprofile> [phase function names...]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, round } from "./common";

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Time attributed to one function, package or phase. */
export interface ProfileEntry {
  readonly name: string;
  readonly package: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly samples: number;
  /** Time per phase marker, and "(no phase: GC, profiler)" for samples outside every marker. */
  readonly phases: ProfileEntry[];
  /** Self time by package ("cdktf-ha-topologies", "cdktf", "constructs", "node", "(gc)", ...). */
  readonly selfByPackage: ProfileEntry[];
  /** Time with a frame of the package anywhere on the stack (above the phase marker). */
  readonly inclusiveByPackage: ProfileEntry[];
  /** The functions with the most self time, per phase. */
  readonly topSelfByPhase: Record<string, ProfileEntry[]>;
  readonly topInclusive: ProfileEntry[];
  /** The library's own functions by self time. */
  readonly topLibrarySelf: ProfileEntry[];
  /** The library's own functions by inclusive time (what they call in cdktf included). */
  readonly topLibraryInclusive: ProfileEntry[];
}

export const LIBRARY_PACKAGE = "cdktf-ha-topologies";
/** The synth child's phase functions (bench/synth-child.ts). */
export const SYNTH_PHASES = ["constructPhase", "synthPhase"];

/** The package a script belongs to, from its URL. */
function packageOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node";
  const file = url.startsWith("file://") ? decodeURIComponent(url.slice("file://".length)) : url;
  const nm = file.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const parts = file.slice(nm + "/node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? "?");
  }
  const rel = path.relative(REPO_ROOT, file);
  if (rel.startsWith("dist/") || rel.startsWith("lib/")) return LIBRARY_PACKAGE;
  if (rel.startsWith("bench/")) return "bench";
  return "(other)";
}

/** A short location: the path inside its package, or inside the repository. */
function locationOf(url: string, line: number): string {
  if (url === "") return "";
  const file = url.startsWith("file://") ? decodeURIComponent(url.slice("file://".length)) : url;
  const nm = file.lastIndexOf("/node_modules/");
  const short = nm >= 0 ? file.slice(nm + "/node_modules/".length) : path.relative(REPO_ROOT, file);
  return `${short}:${line + 1}`;
}

type Tally = Map<string, { package: string; us: number }>;

function add(map: Tally, key: string, pkg: string, us: number): void {
  const entry = map.get(key);
  if (entry) entry.us += us;
  else map.set(key, { package: pkg, us });
}

function top(map: Tally, totalUs: number, n: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, n)
    .map(([name, v]) => ({
      name,
      package: v.package,
      ms: round(v.us / 1000, 1),
      percent: round((100 * v.us) / totalUs, 1),
    }));
}

export function summarizeProfile(
  file: string,
  phaseMarkers: string[] = SYNTH_PHASES,
  topN = 15,
): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map<number, CpuProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const keyOf = (node: CpuProfileNode) => {
    const f = node.callFrame;
    const name = f.functionName || "(anonymous)";
    const where = locationOf(f.url, f.lineNumber);
    return where ? `${name} ${where}` : name;
  };

  const phases: Tally = new Map();
  const self: Tally = new Map();
  const selfByPhase = new Map<string, Tally>();
  const inclusive: Tally = new Map();
  const selfPackages: Tally = new Map();
  const inclusivePackages: Tally = new Map();

  // A sample lasts until the next one (the last until the profile's end).
  const stamps: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) {
    t += delta;
    stamps.push(t);
  }
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const us = Math.max(0, (stamps[i + 1] ?? profile.endTime) - (stamps[i] as number));
    const leaf = byId.get(id);
    if (!leaf || leaf.callFrame.functionName === "(idle)") return;
    const stack: CpuProfileNode[] = [];
    for (let node: CpuProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      stack.push(node);
    }
    // The outermost phase marker names the phase; it and the frames below it are the harness.
    let phase = "(no phase: GC, profiler)";
    let cut = stack.length;
    for (let j = stack.length - 1; j >= 0; j--) {
      const name = (stack[j] as CpuProfileNode).callFrame.functionName;
      if (phaseMarkers.includes(name)) {
        phase = name;
        cut = j;
        break;
      }
    }
    totalUs += us;
    add(phases, phase, "", us);
    const leafPkg = packageOf(leaf.callFrame.url, leaf.callFrame.functionName);
    add(self, keyOf(leaf), leafPkg, us);
    add(selfPackages, leafPkg, leafPkg, us);
    const bucket: Tally = selfByPhase.get(phase) ?? new Map();
    selfByPhase.set(phase, bucket);
    add(bucket, keyOf(leaf), leafPkg, us);
    const seen = new Set<string>();
    for (const node of stack.slice(0, cut)) {
      const f = node.callFrame;
      if (f.functionName === "(root)") continue;
      const pkg = packageOf(f.url, f.functionName);
      if (pkg === "bench") continue;
      const key = keyOf(node);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, pkg, us);
      }
      if (!seen.has(`package:${pkg}`)) {
        seen.add(`package:${pkg}`);
        add(inclusivePackages, pkg, pkg, us);
      }
    }
  });

  const ofLibrary = (map: Tally): Tally => new Map([...map].filter(([, v]) => v.package === LIBRARY_PACKAGE));
  return {
    file,
    totalMs: round(totalUs / 1000, 1),
    samples: profile.samples.length,
    phases: top(phases, totalUs, 10),
    selfByPackage: top(selfPackages, totalUs, 10),
    inclusiveByPackage: top(inclusivePackages, totalUs, 10),
    topSelfByPhase: Object.fromEntries(
      [...selfByPhase.entries()]
        .sort((a, b) => phaseMarkers.indexOf(a[0]) - phaseMarkers.indexOf(b[0]))
        .map(([phase, tally]) => [phase, top(tally, totalUs, 10)]),
    ),
    topInclusive: top(inclusive, totalUs, topN),
    topLibrarySelf: top(ofLibrary(self), totalUs, 10),
    topLibraryInclusive: top(ofLibrary(inclusive), totalUs, topN),
  };
}

/** The summary as text. */
export function formatProfile(s: ProfileSummary): string {
  const section = (title: string, entries: ProfileEntry[]) =>
    [
      title,
      ...entries.map(
        (e) => `  ${e.ms.toFixed(1).padStart(9)} ms ${e.percent.toFixed(1).padStart(5)} %  ${e.name}`,
      ),
    ].join("\n");
  return [
    `${s.file}: ${s.totalMs} ms sampled (${s.samples} samples); percentages are of that total`,
    section("time by phase:", s.phases),
    section("self time by package:", s.selfByPackage),
    section("time with the package on the stack:", s.inclusiveByPackage),
    ...Object.entries(s.topSelfByPhase).map(([phase, entries]) =>
      section(`self time by function in ${phase}:`, entries),
    ),
    section("inclusive time by function:", s.topInclusive),
    section(`self time of ${LIBRARY_PACKAGE} functions:`, s.topLibrarySelf),
    section(`inclusive time of ${LIBRARY_PACKAGE} functions:`, s.topLibraryInclusive),
  ].join("\n\n");
}

if (require.main === module) {
  const [file, ...markers] = process.argv.slice(2);
  if (!file) {
    console.error("usage: tsx bench/profile.ts <file.cpuprofile> [phase function names...]");
    process.exit(2);
  }
  console.log(formatProfile(summarizeProfile(file, markers.length ? markers : SYNTH_PHASES)));
}
