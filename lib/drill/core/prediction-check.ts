/** A measured figure against the analysis' prediction, as every topology drill checks it. */
import type { DrillCheck } from "./scenario";

/** Slack over a prediction: the clients' pacing and the checker's own probe time. */
export function allowedSeconds(predicted: number): number {
  return Math.round((predicted * 1.25 + 0.25) * 1000) / 1000;
}

/** The measured figure, when there is one, is within the prediction (with slack). */
export function withinPrediction(
  name: string,
  measured: number | null,
  predicted: number | undefined,
): DrillCheck {
  if (measured === null) return { name, passed: false, detail: "never happened within the wait" };
  if (predicted === undefined)
    return { name, passed: true, detail: `${measured} s (no prediction in the report)` };
  const allowed = allowedSeconds(predicted);
  return {
    name,
    passed: measured <= allowed,
    detail: `${measured} s, predicted ${predicted} s (allowed ${allowed} s)`,
  };
}
