/**
 * The availability graph: which hosts a topology made, which of them back each other up, and
 * what the topology predicts for each fault. Topologies record into it; `analysis/` reads it.
 */

/** A failure domain: what can fail together. */
export interface FailureDomain {
  /** Stable id, e.g. "docker-host:local" or "zone:eu-west-1a". */
  readonly id: string;
  /** "host" for a Docker host, "zone" for a cloud availability zone. */
  readonly kind: "host" | "zone";
  readonly description: string;
}

/** A host (or managed service) that serves a role. */
export interface ComponentRecord {
  /** Construct path of the host. */
  readonly id: string;
  readonly hostname: string;
  readonly role: string;
  /** The topology construct that made it. */
  readonly topology: string;
  readonly failureDomain: string;
  /** Address on its segment, when known. */
  readonly address?: () => string;
}

/** Predicted outcome of one fault. */
export interface FailurePrediction {
  /** Fault name, e.g. "node-loss", "proxy-process-death", "backend-process-death". */
  readonly fault: string;
  /** Seconds from the fault until service is restored (RTO), as predicted from the configuration. */
  readonly recoverySeconds: number;
  /** Client requests expected to fail: "none", or a description. */
  readonly failedRequests: string;
  /** How the figure was derived, with the configured values in it. */
  readonly basis: string;
}

/** Members that back each other up. */
export interface RedundancyGroupRecord {
  readonly id: string;
  readonly role: string;
  readonly topology: string;
  /** Component ids. */
  readonly members: readonly string[];
  /** How many members must be up for the service to work. */
  readonly minimumHealthy: number;
  /** How the group moves work off a failed member, e.g. "vrrp", "haproxy-health-check". */
  readonly mechanism: string;
  readonly predictions: readonly FailurePrediction[];
  /** Group ids this group needs to serve (the LB group needs its backend group). */
  readonly dependsOn: readonly string[];
}

/** A per-stack record of every HA topology's components and groups. */
export class AvailabilityModel {
  public readonly components: ComponentRecord[] = [];
  public readonly groups: RedundancyGroupRecord[] = [];
  public readonly failureDomains = new Map<string, FailureDomain>();
  public platform = "unknown";
  /** Notes a platform or topology adds, e.g. "single Docker host". */
  public readonly notes: string[] = [];

  public addFailureDomain(domain: FailureDomain): void {
    this.failureDomains.set(domain.id, domain);
  }

  public addComponent(component: ComponentRecord): void {
    this.components.push(component);
  }

  public addGroup(group: RedundancyGroupRecord): void {
    this.groups.push(group);
  }

  /**
   * Adds a prediction to the group `groupId` (e.g. a load balancer predicting how its backends'
   * failures play out). Unknown groups are ignored: the group's owner decides whether it exists.
   */
  public addPrediction(groupId: string, prediction: FailurePrediction): void {
    const group = this.groups.find((g) => g.id === groupId);
    if (group)
      this.groups[this.groups.indexOf(group)] = { ...group, predictions: [...group.predictions, prediction] };
  }
}
