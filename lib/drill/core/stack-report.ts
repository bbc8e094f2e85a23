/**
 * Reads `ha-report.json` (written beside `cdk.tf.json` at synthesis): its redundancy groups, so
 * that a topology drill can recognize its topology by role and topology name, and their
 * predictions, so that a drill can print what the analysis predicted next to what it measured.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FailurePrediction } from "../../model/availability";

/** A redundancy group of the report, as a drill reads it. */
export interface ReportGroupLike {
  readonly id?: string;
  readonly role?: string;
  readonly topology?: string;
  /** How the group fails over (`vrrp (multicast): ...`, `dns health checks`, ...). */
  readonly mechanism?: string;
  readonly members?: readonly string[];
  readonly predictions?: readonly FailurePrediction[];
}

/** A health-checked DNS name of the report, as a drill reads it. */
export interface ReportNameLike {
  readonly id?: string;
  readonly fqdn?: string;
  readonly ttlSeconds?: number;
  readonly nameServers?: readonly string[];
  readonly serverHosts?: readonly string[];
  readonly members?: ReadonlyArray<{ readonly name?: string; readonly address?: string }>;
  readonly servicePort?: number;
  readonly allUnhealthy?: string;
}

/** A floating address of the report, as a drill reads it. */
export interface ReportFloatingLike {
  readonly id?: string;
  readonly topology?: string;
  readonly address?: string;
  readonly mode?: string;
  readonly listenerPorts?: readonly number[];
  readonly healthyOn?: string;
  /** The group every member of which announces it (BGP anycast). */
  readonly announcedBy?: string;
}

/** The parts of ha-report.json a drill reads. */
export interface ReportLike {
  readonly redundancyGroups?: readonly ReportGroupLike[];
  readonly healthCheckedNames?: readonly ReportNameLike[];
  readonly floatingAddresses?: readonly ReportFloatingLike[];
}

export class StackReport {
  /** No report: no groups, every look-up answers undefined. */
  public static none(): StackReport {
    return new StackReport({});
  }

  /** Reads `ha-report.json` beside a `cdk.tf.json`; none when it is missing or unreadable. */
  public static besideStack(stackFile: string): StackReport {
    const file = path.join(path.dirname(stackFile), "ha-report.json");
    try {
      return new StackReport(JSON.parse(fs.readFileSync(file, "utf8")) as ReportLike);
    } catch {
      return StackReport.none();
    }
  }

  constructor(private readonly report: ReportLike) {}

  /** The report's redundancy groups (empty without a report). */
  public get groups(): readonly ReportGroupLike[] {
    return this.report.redundancyGroups ?? [];
  }

  /** The report's health-checked DNS names (empty without a report). */
  public get healthCheckedNames(): readonly ReportNameLike[] {
    return this.report.healthCheckedNames ?? [];
  }

  /** The report's floating addresses (empty without a report). */
  public get floatingAddresses(): readonly ReportFloatingLike[] {
    return this.report.floatingAddresses ?? [];
  }

  /** The groups one of whose members is the construct at `constructPath`. */
  public groupsOf(constructPath: string | undefined): readonly ReportGroupLike[] {
    if (!constructPath) return [];
    return this.groups.filter((g) =>
      (g.members ?? []).some((m) => constructPath === m || constructPath.startsWith(`${m}/`)),
    );
  }

  /**
   * The prediction for `fault` of the group one of whose members is the construct at
   * `constructPath` (a container's metadata path, e.g. `stack/local/edge/Node0/Resource`).
   */
  public forMember(constructPath: string | undefined, fault: string): FailurePrediction | undefined {
    for (const g of this.groupsOf(constructPath)) {
      const p = (g.predictions ?? []).find((x) => x.fault === fault);
      if (p) return p;
    }
    return undefined;
  }
}
