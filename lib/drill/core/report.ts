/** Readable tables of drill results, prediction beside measurement. */
import type { Spread } from "./measure";
import type { DrillRunResult, DrillSummary } from "./run-result";

function seconds(value: number | null | undefined): string {
  return value === null || value === undefined ? "-" : `${value.toFixed(3)} s`;
}

function spreadText(s: Spread, unit = " s", digits = 3): string {
  if (s.n === 0) return "-";
  const f = (v: number | null) => (v === null ? "-" : v.toFixed(digits));
  return `${f(s.min)} / ${f(s.median)} / ${f(s.max)}${unit}`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function errorsText(errors: Readonly<Record<string, number | undefined>>): string {
  const parts = Object.entries(errors)
    .filter(([, n]) => n)
    .map(([k, n]) => `${k} ${n}`);
  return parts.length ? parts.join(", ") : "none";
}

/** One row per run. */
export function formatRuns(results: readonly DrillRunResult[]): string {
  const rows: string[][] = [
    [
      "scenario",
      "run",
      "predicted",
      "measured",
      "failover",
      "failed/sent",
      "errors",
      "longest gap",
      "checks",
      "notes",
    ],
  ];
  for (const r of results) {
    rows.push([
      r.scenario,
      `${r.run}/${r.runs}`,
      seconds(r.predictedSeconds),
      `${seconds(r.measuredSeconds)} (${r.measure.replace(/Seconds$/, "")})`,
      seconds(r.failoverSeconds),
      `${r.requests.failed}/${r.requests.sent}`,
      errorsText(r.requests.errors),
      seconds(r.longestGapSeconds),
      r.passed
        ? "pass"
        : `FAIL: ${r.checks
            .filter((c) => !c.passed)
            .map((c) => c.name)
            .join(", ")}`,
      [...r.highlights, ...stallNote(r)].join("; "),
    ]);
  }
  return table(rows);
}

/**
 * The stalls of a split lab's run (the VM's CPU, this machine's beside it, the way into the VM),
 * when it had any.
 */
function stallNote(r: DrillRunResult): string[] {
  const note = (where: string, s: DrillRunResult["emulatedCpuStalls"]) =>
    s && s.count > 0
      ? [`${where} stalled ${s.count}× (${s.thresholdMs} ms late or more; longest ${s.longestMs} ms)`]
      : [];
  const path = r.emulatedPathStalls;
  return [
    ...note("emulated CPU", r.emulatedCpuStalls),
    ...note("this machine's CPU", r.hostCpuStalls),
    ...(path && path.answers === 0
      ? ["the emulated hosts answered no echo (way into the VM not timed)"]
      : []),
    ...(path && path.count > 0
      ? [
          `emulated hosts answered late ${path.count}× (${path.thresholdMs} ms or more; longest ${path.longestMs} ms)`,
        ]
      : []),
    ...lossNote(r.emulatedPathLosses),
  ];
}

/** Per emulated host, its runs of lost echoes (a silenced host's fault among them). */
function lossNote(l: DrillRunResult["emulatedPathLosses"]): string[] {
  if (!l || l.count === 0) return [];
  const byHost = new Map<string, { runs: number; echoes: number; longestMs: number }>();
  for (const x of l.losses) {
    const h = byHost.get(x.host) ?? { runs: 0, echoes: 0, longestMs: 0 };
    h.runs += 1;
    h.echoes += x.echoes;
    h.longestMs = Math.max(h.longestMs, x.ms);
    byHost.set(x.host, h);
  }
  const hosts = [...byHost.entries()].map(
    ([host, h]) =>
      `${host} ${h.echoes} in ${h.runs} run${h.runs === 1 ? "" : "s"} (longest ${h.longestMs} ms)`,
  );
  return [`echoes to emulated hosts lost: ${hosts.join(", ")}${l.count > l.losses.length ? ", …" : ""}`];
}

/** One row per scenario: min / median / max. */
export function formatSummaries(summaries: readonly DrillSummary[]): string {
  const rows: string[][] = [
    ["scenario", "passed", "predicted", "measured min / median / max", "failed requests", "longest gap"],
  ];
  for (const s of summaries) {
    rows.push([
      s.scenario,
      `${s.passedRuns}/${s.runs}`,
      seconds(s.predictedSeconds),
      `${spreadText(s.measuredSeconds)} (${s.measure.replace(/Seconds$/, "")})`,
      spreadText(s.failedRequests, "", 0),
      spreadText(s.longestGapSeconds),
    ]);
  }
  const notes: string[] = [];
  for (const s of summaries) {
    for (const [key, value] of Object.entries(s.details)) {
      notes.push(`${s.scenario}: ${key.replace(/Seconds$/, "")} ${spreadText(value)}`);
    }
    for (const n of s.notes) notes.push(`${s.scenario}: ${n}`);
    for (const f of s.failedChecks) notes.push(`${s.scenario}: FAILED ${f}`);
  }
  return `${table(rows)}${notes.length ? `\n\n${notes.join("\n")}` : ""}`;
}
