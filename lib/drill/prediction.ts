/**
 * Reads the predictions of `ha-report.json` (written beside `cdk.tf.json` at synthesis), so that
 * a drill can print what the analysis predicted next to what it measured.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FailurePrediction } from "../model/availability";

/** The parts of ha-report.json a drill reads. */
interface ReportLike {
  readonly redundancyGroups?: ReadonlyArray<{
    readonly id?: string;
    readonly role?: string;
    readonly members?: readonly string[];
    readonly predictions?: readonly FailurePrediction[];
  }>;
}

/** Predictions per redundancy group, found by the construct paths of their members. */
export class Predictions {
  /** No report: every look-up answers undefined. */
  public static none(): Predictions {
    return new Predictions({});
  }

  /** Reads `ha-report.json` beside a `cdk.tf.json`; none when it is missing or unreadable. */
  public static besideStack(stackFile: string): Predictions {
    const file = path.join(path.dirname(stackFile), "ha-report.json");
    try {
      return new Predictions(JSON.parse(fs.readFileSync(file, "utf8")) as ReportLike);
    } catch {
      return Predictions.none();
    }
  }

  constructor(private readonly report: ReportLike) {}

  /**
   * The prediction for `fault` of the group one of whose members is the construct at
   * `constructPath` (a container's metadata path, e.g. `stack/local/edge/Node0/Resource`).
   */
  public forMember(constructPath: string | undefined, fault: string): FailurePrediction | undefined {
    if (!constructPath) return undefined;
    for (const g of this.report.redundancyGroups ?? []) {
      const member = (g.members ?? []).some((m) => constructPath === m || constructPath.startsWith(`${m}/`));
      if (!member) continue;
      const p = (g.predictions ?? []).find((x) => x.fault === fault);
      if (p) return p;
    }
    return undefined;
  }
}
