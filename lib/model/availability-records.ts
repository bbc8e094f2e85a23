/** The records of the availability model (see `AvailabilityModel`). Plain data, no behaviour. */

/** A platform of the stack. */
export interface PlatformRecord {
  /** The platform's construct path (unique in the stack). */
  readonly id: string;
  /** Its kind, e.g. "docker" or "aws". */
  readonly name: string;
}

/** A failure domain: what can fail together. */
export interface FailureDomain {
  /** Stable id, e.g. "docker-host:local" or "zone:eu-west-1a". */
  readonly id: string;
  /** "host" for a Docker host, "zone" for a cloud availability zone. */
  readonly kind: "host" | "zone";
  readonly description: string;
  /**
   * Id of the platform that has this domain.
   * @default - the platform added to the model last
   */
  readonly platform?: string;
}

/** A host that serves a role. */
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

/** One way of running that loses a different amount of data, e.g. synchronous or asynchronous replication. */
export interface DataLossMode {
  /** e.g. "synchronous", "asynchronous". */
  readonly mode: string;
  /** Seconds of acknowledged writes lost in this mode. */
  readonly seconds: number;
  /** What is lost, e.g. "none: a commit waits for the standby's flush". */
  readonly description: string;
}

/**
 * What a fault costs in data (RPO). A stateless tier loses nothing (`NO_DATA_LOSS`). A replicated
 * database says e.g. `{ seconds: 10, description: "acknowledged writes: none in synchronous mode,
 * up to 10 s of WAL in asynchronous mode", modes: [{ mode: "synchronous", seconds: 0, ... },
 * { mode: "asynchronous", seconds: 10, ... }] }`.
 */
export interface DataLoss {
  /** Worst-case seconds of acknowledged writes lost (the RPO); at least every mode's figure. */
  readonly seconds: number;
  /** What is lost, in words. */
  readonly description: string;
  /** How the figure was derived, with the configured values in it. @default - none */
  readonly basis?: string;
  /** Figures per mode when the loss depends on how the tier runs at the time. @default - one mode */
  readonly modes?: readonly DataLossMode[];
}

/** A tier that keeps no state loses no data. */
export const NO_DATA_LOSS: DataLoss = { seconds: 0, description: "none: the tier keeps no state" };

/** Predicted outcome of one fault. */
export interface FailurePrediction {
  /** Fault name, e.g. "node-loss", "proxy-process-death", "backend-process-death". */
  readonly fault: string;
  /**
   * Seconds from the fault until service is restored (RTO), as predicted from the configuration.
   * Give exactly one of it and `splitBrainAfterSeconds`.
   * @default - none: the fault does not end in a recovery (see `splitBrainAfterSeconds`)
   */
  readonly recoverySeconds?: number;
  /**
   * Seconds from the fault until a second node holds the same address (split brain), for faults
   * whose outcome is not a recovery, e.g. a partition between VRRP nodes.
   * @default - none: the fault ends in a recovery (`recoverySeconds`)
   */
  readonly splitBrainAfterSeconds?: number;
  /**
   * Seconds until clients stop using the failed part, where that comes later than the recovery
   * (DNS: its removal from the answers plus the TTL that resolvers and clients cache it for).
   * @default - the recovery time: clients move when the service does
   */
  readonly clientsMoveSeconds?: number;
  /** Client requests expected to fail: "none", or a description. */
  readonly failedRequests: string;
  /** How the figure was derived, with the configured values in it. */
  readonly basis: string;
  /**
   * Data lost to the fault (RPO).
   * @default NO_DATA_LOSS - the tier keeps no state
   */
  readonly dataLoss?: DataLoss;
}

/** One failover figure the cloud documents for a managed service. */
export interface ManagedFailoverFigure {
  /** Fault name, e.g. "zone-loss", "primary-instance-failure". */
  readonly fault: string;
  /** Seconds until service is restored, as the cloud documents it (its upper figure). */
  readonly recoverySeconds: number;
  /** What the cloud says, e.g. "failover typically completes within 60-120 s". */
  readonly description: string;
  /** Where the cloud documents it (a URL). */
  readonly source: string;
  /** @default NO_DATA_LOSS */
  readonly dataLoss?: DataLoss;
  /** Client requests expected to fail. @default - "those in flight during the failover" */
  readonly failedRequests?: string;
}

/**
 * A component the cloud runs (a managed load balancer or database): one record however many
 * nodes the cloud runs for it. It fails with a failure domain only when every domain it spans
 * fails; the cloud's own figures say what its failover costs.
 */
export interface ManagedComponentRecord {
  /** Construct path of the construct that made it. */
  readonly id: string;
  /** The cloud's service, e.g. "AWS Network Load Balancer", "Amazon RDS for PostgreSQL Multi-AZ". */
  readonly service: string;
  readonly role: string;
  /** The topology construct that made it. */
  readonly topology: string;
  /** Ids of the failure domains it spans (at least one). */
  readonly failureDomains: readonly string[];
  /** The cloud's documented failover figures, each with its source. */
  readonly failover: ReadonlyArray<ManagedFailoverFigure>;
}

/** Members that back each other up. */
export interface RedundancyGroupRecord {
  readonly id: string;
  readonly role: string;
  readonly topology: string;
  /** Component ids (hosts or managed components). Read at analysis: a growing list counts. */
  readonly members: readonly string[];
  /** How many members must be up for the service to work. */
  readonly minimumHealthy: number;
  /** How the group moves work off a failed member, e.g. "vrrp", "haproxy-health-check". */
  readonly mechanism: string;
  readonly predictions: readonly FailurePrediction[];
  /** Group ids this group needs to serve (the LB group needs its backend group). */
  readonly dependsOn: readonly string[];
}

/** One VRRP instance: a virtual router id in use where its adverts travel. */
export interface VrrpInstanceRecord {
  /** Id of the segment (L2 network) the adverts travel on, e.g. the segment's construct path. */
  readonly segment: string;
  /** The virtual router id (1-255). */
  readonly virtualRouterId: number;
  /** Construct path of what owns the instance (the floating address or VRRP group). */
  readonly owner: string;
  /** keepalived's instance name, e.g. "VI_51". @default - none */
  readonly instance?: string;
  /** Component ids of the hosts that run it. @default - none recorded */
  readonly members?: readonly string[];
}

/** A floating (virtual) address: how it moves, what listens on it, where it lives while healthy. */
export interface FloatingAddressRecord {
  /** Construct path of the address. */
  readonly id: string;
  /** Construct path of the topology that serves it. */
  readonly topology: string;
  /** The address, or a description when the cloud allocates it at deploy time. */
  readonly address: string;
  /** How it moves between hosts, e.g. "gratuitous-arp", "route-table". */
  readonly mode: string;
  /** The ports listeners answer on at this address. */
  readonly listenerPorts: readonly number[];
  /** Component id of the host that holds it while every host is healthy (read at analysis). */
  readonly healthyOn: string;
  /** Its VRRP virtual router id. @default - none */
  readonly virtualRouterId?: number;
  /**
   * The redundancy group every member of which announces it (an anycast address routed by BGP
   * with ECMP); `healthyOn` is then empty: no one host holds it. @default - none
   */
  readonly announcedBy?: string;
}

/** A health-checked DNS name, as the report and the drills read it. */
export interface HealthCheckedNameRecord {
  /** Construct path of the topology that publishes it. */
  readonly id: string;
  /** The fully qualified name, without a final dot. */
  readonly fqdn: string;
  readonly ttlSeconds: number;
  /** Addresses (self-hosted) or names of the name servers; read at analysis. */
  readonly nameServers: readonly string[];
  /** Host names of self-hosted name servers, in the order of `nameServers`; empty when managed. */
  readonly serverHosts: readonly string[];
  /** The members (read at analysis): name, the address answered, the probe port. */
  readonly members: ReadonlyArray<{
    readonly name: string;
    readonly address: string;
    readonly componentId: string;
  }>;
  /** The members' service port. */
  readonly servicePort: number;
  /** Who checks the members and how. */
  readonly checker: string;
  /** The answer selection: "all", "random N", "hashed". */
  readonly selection: string;
  /** The all-unhealthy answer: "all", "none" or "fallback a, b". */
  readonly allUnhealthy: string;
}
