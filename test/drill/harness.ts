/**
 * Runs `ha-drill` as a user does, from drill tests: one child process per call, its JSON lines
 * parsed; and finds what a drill left behind. A lab's prefix is `hd<PID in base 36>` and 3 random
 * characters, so the leak checks find only labs of the drills this harness started, not those
 * other test files may have up at the same time.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { DrillRunResult, DrillSummary } from "../../lib/drill/core/run-result";

const BIN = path.resolve(__dirname, "..", "..", "bin", "ha-drill.js");

export interface DrillOutput {
  readonly code: number | null;
  readonly runs: DrillRunResult[];
  readonly summary: DrillSummary;
  readonly stderr: string;
}

function statOf(pid: string): { ppid: number; start: string } | undefined {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const rest = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return { ppid: Number(rest[1]), start: rest[19] ?? "" };
  } catch {
    return undefined;
  }
}

export class DrillHarness {
  public readonly summaries: DrillSummary[] = [];
  public readonly allRuns: DrillRunResult[] = [];
  private readonly drillPids = new Set<number>();
  private readonly children = new Set<ChildProcess>();
  /**
   * Descendants of the ha-drill processes seen while they ran (PID and start time, so that a
   * reused PID is not mistaken for a leftover): their clients and monitors.
   */
  private readonly descendants = new Map<number, string>();

  private labPrefix(): string {
    return `hd(?:${[...this.drillPids].map((p) => p.toString(36)).join("|") || "-"})[0-9a-z]{3}`;
  }

  /** Namespaces of this harness's drills (`hd<pid><random>-...`). */
  public namespaces(): string[] {
    const out = spawnSync("ip", ["netns", "list"], { encoding: "utf8", timeout: 10_000 }).stdout ?? "";
    const tag = new RegExp(`^${this.labPrefix()}-`);
    return out
      .split("\n")
      .map((l) => l.split(" ")[0] ?? "")
      .filter((n) => tag.test(n));
  }

  /** Records every process below `root` now. */
  public recordDescendants(root: number): void {
    const children = new Map<number, number[]>();
    const starts = new Map<number, string>();
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const st = statOf(entry);
      if (!st) continue;
      starts.set(Number(entry), st.start);
      children.set(st.ppid, [...(children.get(st.ppid) ?? []), Number(entry)]);
    }
    const queue = [...(children.get(root) ?? [])];
    while (queue.length) {
      const pid = queue.shift() as number;
      this.descendants.set(pid, starts.get(pid) ?? "");
      queue.push(...(children.get(pid) ?? []));
    }
  }

  /** Processes of this harness's drills still alive: hosts (by their /run mount) and recorded descendants. */
  public processes(): string[] {
    const hostMount = new RegExp(` ${this.labPrefix()}-run `);
    const found: string[] = [];
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
        const mounts = fs.readFileSync(`/proc/${entry}/mountinfo`, "utf8");
        const recorded = this.descendants.get(Number(entry));
        if (hostMount.test(mounts) || (recorded !== undefined && statOf(entry)?.start === recorded)) {
          found.push(`${entry}: ${cmdline}`);
        }
      } catch {
        // exited meanwhile
      }
    }
    return found;
  }

  /** Stops drills still running (a test that timed out): each tears its lab down on SIGTERM. */
  public async stopAll(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("exit", resolve));
      }
    }
    this.children.clear();
  }

  /** Runs `ha-drill <stack> --scenario <s> --runs <n> --json` and parses its lines. */
  public run(
    stackFile: string,
    scenario: string,
    runs: number,
    onStderr?: (line: string, child: ChildProcess) => void,
  ): Promise<DrillOutput> {
    return new Promise<DrillOutput>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [BIN, stackFile, "--scenario", scenario, "--runs", String(runs), "--json"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      this.children.add(child);
      if (child.pid !== undefined) this.drillPids.add(child.pid);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        const text = d.toString();
        stderr += text;
        if (child.pid !== undefined) this.recordDescendants(child.pid);
        for (const line of text.split("\n")) if (line) onStderr?.(line, child);
      });
      child.on("error", reject);
      child.on("exit", (code) => {
        const lines = stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as DrillRunResult | DrillSummary);
        const found = lines.filter((l): l is DrillRunResult => l.type === "run");
        const summary = lines.find((l): l is DrillSummary => l.type === "summary");
        if (summary) {
          this.summaries.push(summary);
          this.allRuns.push(...found);
        }
        resolve({ code, runs: found, summary: summary as DrillSummary, stderr });
      });
    });
  }
}

/** What a failed run's assertion message shows. */
export function explain(out: DrillOutput): string {
  return `exit ${out.code}\n${out.stderr.slice(-3000)}\n${JSON.stringify(out.runs.map((r) => r.checks))}`;
}
