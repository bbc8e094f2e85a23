/**
 * The shape of `ha-report.json`.
 *
 * Schema history (`schemaVersion`):
 * - 5: a floating address may be `announcedBy` a redundancy group: every member of it announces
 *   the address (the three tiers' service addresses, mode `bgp-ecmp`; `healthyOn` is empty).
 * - 4: predictions may carry `clientsMoveSeconds` (DNS: removal plus TTL); `healthCheckedNames`
 *   lists each health-checked DNS name with its checker and all-unhealthy answer.
 * - 3: `floatingAddresses`: each floating address with its mode, listener ports and the host
 *   that holds it while healthy.
 * - 2: predictions carry the data lost (RPO: `dataLossSeconds`, `dataLoss`, optional
 *   `dataLossModes`); `platforms` lists every platform of the stack (`platform` joins their
 *   names); `managedComponents` (cloud-managed services with the cloud's documented figures);
 *   `vrrpInstances`; each failure domain lists its `platforms` and `managedComponents`; `rules`
 *   (what each rule of the pack concluded), `findings` and `suppressedFindings`.
 * - 1: components, failure domains, redundancy groups with RTO predictions, single points of
 *   failure, notes.
 */
import type { DataLossMode, HealthCheckedNameRecord, ManagedComponentRecord } from "../model/availability";
import type { Compliance, Severity } from "./rules/rule";

/** The version of `ha-report.json` this code writes. */
export const HA_REPORT_SCHEMA_VERSION = 5;

export interface ReportComponent {
  readonly id: string;
  readonly hostname: string;
  readonly role: string;
  readonly topology: string;
  readonly failureDomain: string;
  readonly address?: string;
}

/** A managed component as the report writes it: the model's record, as recorded. */
export type ReportManagedComponent = ManagedComponentRecord;

/** A prediction as the report writes it: RTO and RPO side by side. */
export interface ReportPrediction {
  readonly fault: string;
  /** RTO: seconds from the fault until service is restored; absent when it ends in split brain. */
  readonly recoverySeconds?: number;
  /** Seconds from the fault until a second node holds the address; absent for a recovery. */
  readonly splitBrainAfterSeconds?: number;
  /** Seconds until clients stop using the failed part, when later than the recovery (DNS caches). */
  readonly clientsMoveSeconds?: number;
  readonly failedRequests: string;
  readonly basis: string;
  /** RPO: worst-case seconds of acknowledged writes lost; 0 for a stateless tier. */
  readonly dataLossSeconds: number;
  /** What is lost, in words ("none: the tier keeps no state" for a stateless tier). */
  readonly dataLoss: string;
  readonly dataLossBasis?: string;
  readonly dataLossModes?: readonly DataLossMode[];
}

/** A floating address as the report writes it. */
export interface ReportFloatingAddress {
  readonly id: string;
  readonly topology: string;
  readonly address: string;
  readonly mode: string;
  readonly listenerPorts: readonly number[];
  /** Component id of the host holding it while healthy (empty when a group announces it). */
  readonly healthyOn: string;
  readonly virtualRouterId?: number;
  /** Id of the redundancy group every member of which announces it (BGP anycast). */
  readonly announcedBy?: string;
}

/** A health-checked DNS name as the report writes it (the model's record, resolved). */
export type ReportHealthCheckedName = HealthCheckedNameRecord;

export interface ReportGroup {
  readonly id: string;
  readonly role: string;
  readonly topology: string;
  readonly mechanism: string;
  readonly members: readonly string[];
  readonly minimumHealthy: number;
  /** Members that may fail at once with the service still up. */
  readonly toleratedFailures: number;
  /** Distinct failure domains the members are spread over. */
  readonly failureDomains: readonly string[];
  readonly dependsOn: readonly string[];
  readonly predictions: readonly ReportPrediction[];
}

export interface SinglePointOfFailure {
  /** "component" (one host) or "failure-domain" (a Docker host or zone). */
  readonly kind: "component" | "failure-domain";
  readonly id: string;
  /** Redundancy groups that stop serving when it fails. */
  readonly breaks: readonly string[];
  readonly reason: string;
}

export interface ReportFailureDomain {
  readonly id: string;
  readonly kind: string;
  readonly description: string;
  /** Ids of the platforms that have it. */
  readonly platforms: string[];
  /** Host components in it. */
  readonly components: string[];
  /** Managed components that span it. */
  readonly managedComponents: string[];
}

/** What one rule of the pack concluded. */
export interface ReportRuleResult {
  readonly id: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly compliance: Compliance;
  /** Why the rule did not apply. */
  readonly reason?: string;
}

/** A finding of the rule pack; the same text is an Annotation on the construct. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  /** Construct path the finding is about (where the Annotation goes). */
  readonly constructPath: string;
  /** Id of the thing found: a component, failure domain, group or router id. */
  readonly subject: string;
  readonly message: string;
}

/** A finding the user suppressed, with the reason given. */
export interface SuppressedFinding extends Finding {
  readonly suppression: {
    /** Construct path the suppression was added on. */
    readonly scope: string;
    readonly reason: string;
  };
}

export interface HaReportDocument {
  readonly schemaVersion: typeof HA_REPORT_SCHEMA_VERSION;
  readonly stack: string;
  /** Platform names joined by "+", e.g. "docker" or "aws+docker". */
  readonly platform: string;
  readonly platforms: ReadonlyArray<{ id: string; name: string; failureDomains: readonly string[] }>;
  readonly failureDomains: readonly ReportFailureDomain[];
  readonly components: readonly ReportComponent[];
  readonly managedComponents: readonly ReportManagedComponent[];
  readonly redundancyGroups: readonly ReportGroup[];
  readonly floatingAddresses: readonly ReportFloatingAddress[];
  readonly healthCheckedNames: readonly ReportHealthCheckedName[];
  readonly vrrpInstances: ReadonlyArray<{
    segment: string;
    virtualRouterId: number;
    owner: string;
    instance?: string;
    members?: readonly string[];
  }>;
  readonly singlePointsOfFailure: readonly SinglePointOfFailure[];
  readonly rules: readonly ReportRuleResult[];
  readonly findings: readonly Finding[];
  readonly suppressedFindings: readonly SuppressedFinding[];
  readonly notes: readonly string[];
}
