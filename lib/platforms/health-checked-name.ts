import type { AllUnhealthy } from "../model/all-unhealthy";
import type { DnsAnswerSelection } from "../model/dns-answer-selection";
import type { DnsZone } from "../model/dns-zone";
import type { HealthCheck } from "../model/health-check";
import type { IHost } from "./host";
import type { ISegment } from "./segment";

/** One member of a health-checked name, as the platform sees it at synthesis. */
export interface HealthCheckedMember {
  /** A short name, unique in the request (letters, digits, '-'): health-check and record ids. */
  readonly name: string;
  /** The address the name answers with and the checker probes. */
  readonly address: string;
  /** The HA report's component or group the member stands for. */
  readonly componentId: string;
  /** The member's host when the platform made it (AWS: its public address, its metric publisher). */
  readonly host?: IHost;
  /** Traffic group that must admit the checker; undefined for members outside the platform. */
  readonly trafficGroup?: string;
}

/**
 * What a topology asks for: one DNS name (`recordName` in `zone`) that answers with the members
 * passing `healthCheck`, picked by `selection`, and `allUnhealthy`'s answer when none passes.
 * Validated by the platform against its own limits when asked (a ValidationError at `scope`).
 */
export interface HealthCheckedNameRequest {
  readonly zone: DnsZone;
  /** Relative to the zone, or "@" for its apex. */
  readonly recordName: string;
  readonly ttlSeconds: number;
  /** How many members there are; known when asked (for the platform's limits). */
  readonly memberCount: number;
  /** The members; read at synthesis (addresses are given out lazily). */
  readonly members: () => readonly HealthCheckedMember[];
  /** How the checker probes each member; `port` set (the members' probe port). */
  readonly healthCheck: HealthCheck;
  /** The members' service port (what clients connect to). */
  readonly servicePort: number;
  readonly selection: DnsAnswerSelection;
  readonly allUnhealthy: AllUnhealthy;
  /**
   * Self-hosted servers to run (`traits.healthCheckedNames.selfHostedServers`), each its own
   * failure unit; platforms whose servers are managed refuse a number.
   */
  readonly serverCount?: number;
  /** Segment self-hosted servers attach to. */
  readonly segment: ISegment;
  /** Construct path of the topology, for the report. */
  readonly topology: string;
}

/** What the platform made for a health-checked name. */
export interface HealthCheckedNameBinding {
  /** The fully qualified name, without a final dot. */
  readonly fqdn: string;
  /** Addresses (self-hosted) or names (managed, known at deploy) of the zone's name servers. */
  readonly nameServers: readonly string[];
  /** The self-hosted servers' hosts, empty when the servers are managed. */
  readonly servers: readonly IHost[];
  /** One line on who checks the members and how, for the report. */
  readonly checker: string;
  /** Worst-case ms from a member refusing connections to its leaving the answers, with the arithmetic. */
  readonly refusedRemoval: { readonly ms: number; readonly arithmetic: string };
  /** Worst-case ms from a member going silent (drops packets) to its leaving the answers. */
  readonly silentRemoval: { readonly ms: number; readonly arithmetic: string };
  /** Worst-case ms from a member serving again to its return to the answers. */
  readonly return: { readonly ms: number; readonly arithmetic: string };
  /** How the platform's checks differ from the portable one, when they do. */
  readonly notes: readonly string[];
  /**
   * The address the name answers for `member`, for the report, when it is not `member.address`
   * (AWS public zones answer with the host's public address, known at deploy).
   * @default - the member's address
   */
  answeredAddress?(member: HealthCheckedMember): string;
}
