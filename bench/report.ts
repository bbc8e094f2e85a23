/** Plain-text tables for the benchmark's output. */
import type { Summary } from "./common";

/** Formats rows as an aligned table; columns whose cells all look numeric are right-aligned. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.every((r) => /^[-\d.,×%()– ]*$/.test(r[i] ?? "")));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A number with sensible precision: none from 100 up, one decimal below. */
export function num(x: number): string {
  return Math.abs(x) >= 100 ? Math.round(x).toString() : x.toFixed(1);
}

/** "median (min–max)". */
export function cell(s: Summary, scale = 1): string {
  return `${num(s.median * scale)} (${num(s.min * scale)}–${num(s.max * scale)})`;
}

/** A ratio as "1.07×". */
export function times(x: number): string {
  return `${x.toFixed(2)}×`;
}
