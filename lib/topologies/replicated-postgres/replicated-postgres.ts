import { Construct } from "constructs";
import { invalid } from "../../errors";
import { assertConstructId, assertIntegerInRange, assertPort } from "../../model/config-text";
import { Spread, SpreadKind } from "../../model/placement";
import { ReplicationMode } from "../../model/replication-mode";
import type { FloatingAddressMode } from "../../platforms/floating-address";
import type { IHost } from "../../platforms/host";
import type { ManagedDatabaseBinding } from "../../platforms/managed-database";
import { type IPlatform, Platform } from "../../platforms/platform";
import type { ISecret } from "../../platforms/secret";
import type { ISegment } from "../../platforms/segment";
import type { ITrafficPeer } from "../../platforms/traffic";
import { ETCD_DEFAULTS } from "../../render/etcd";
import { POSTGRES_ROUTER_DEFAULTS } from "../../render/haproxy-postgres";
import { assertRole } from "../../render/patroni";
import type { FloatingAddress } from "../parts/floating-address";
import { VrrpGroup } from "../parts/vrrp-group";
import {
  addEtcdHost,
  addPostgresNode,
  addRouter,
  type ClusterSecrets,
  etcdCluster,
  etcdHosts,
  PG_DATA_DIR,
  PG_SOCKET_DIR,
  type PlannedHost,
  POSTGRES_PORT,
  planHost,
  REST_API_PORT,
} from "./cluster-hosts";
import { allowClusterFlows, recordCluster } from "./cluster-records";
import { buildManagedDatabase, type ManagedContext } from "./managed";
import { resolveChecks, resolveTiming } from "./patroni-timing";
import {
  DatabaseImplementation,
  EtcdPlacement,
  type ReplicatedPostgresProps,
} from "./replicated-postgres-props";

/**
 * A replicated PostgreSQL cluster with automatic failover: N PostgreSQL nodes managed by
 * Patroni, its leader lock in an etcd cluster (on the nodes or on hosts of its own), and HAProxy
 * routers whose read-write port follows the primary and whose read-only port serves the
 * replicas within a lag bound, both checked through Patroni's REST API; optionally the routers
 * share a floating address (VRRP). Data lives on volumes, passwords are generated at deploy time
 * and reach the nodes as files. On AWS it may instead be RDS Multi-AZ or Aurora.
 *
 * ```ts
 * const db = new ReplicatedPostgres(platform, "orders", {
 *   replication: ReplicationMode.synchronous(),
 * });
 * // clients connect to db.readWriteAddress:db.readWritePort as db.applicationUser
 * ```
 */
export class ReplicatedPostgres extends Construct implements ITrafficPeer {
  /** The group clients reach: the routers, or the managed database. */
  public readonly trafficGroup: string;
  public readonly databaseName: string;
  public readonly applicationUser: string;
  /** Where writes go: the routers' shared address (or the first router's), or the writer endpoint. */
  public readonly readWriteAddress: string;
  public readonly readWritePort: number;
  /** Where reads of replicas go (the routers' read-only port, or the managed reader endpoint). */
  public readonly readOnlyAddress: string | undefined;
  public readonly readOnlyPort: number | undefined;
  /** The application user's password: a generated secret (self-managed). */
  public readonly applicationPassword: ISecret | undefined;
  /** The managed database, when it is one. */
  public readonly managed: ManagedDatabaseBinding | undefined;
  public readonly replication: ReplicationMode | undefined;
  private readonly platform: IPlatform;
  private readonly nodeHosts: IHost[] = [];
  private readonly etcdHostList: IHost[] = [];
  private readonly routerHosts: IHost[] = [];

  constructor(scope: Construct, id: string, props: ReplicatedPostgresProps = {}) {
    super(scope, assertConstructId(scope, id));
    this.platform = Platform.of(this);
    if (typeof props !== "object" || props === null) {
      invalid(this, "props", props, "give the cluster's props (or none for the defaults)");
    }
    this.databaseName = assertRole(this, "databaseName", props.databaseName ?? "app");
    this.applicationUser = assertRole(this, "applicationUser", props.applicationUser ?? "app");
    if (["postgres", "replicator", "rewind_user"].includes(this.applicationUser)) {
      invalid(
        this,
        "applicationUser",
        this.applicationUser,
        "use a role other than the cluster's own (postgres, replicator, rewind_user)",
      );
    }
    const implementation = props.implementation ?? DatabaseImplementation.selfManaged();
    if (!(implementation instanceof DatabaseImplementation)) {
      invalid(
        this,
        "implementation",
        props.implementation,
        "use DatabaseImplementation.selfManaged() or DatabaseImplementation.managed(kind)",
      );
    }
    const clients = this.checkClients(props.clients);
    if (implementation.managedKind !== undefined) {
      this.trafficGroup = `${this.node.path}/Database`;
      this.managed = buildManagedDatabase(this.managedContext(), props, implementation, clients);
      this.readWriteAddress = this.managed.writerEndpoint;
      this.readWritePort = this.managed.port;
      this.readOnlyAddress = this.managed.readerEndpoint;
      this.readOnlyPort = this.managed.readerEndpoint ? this.managed.port : undefined;
      this.applicationPassword = undefined;
      this.replication = undefined;
      return;
    }
    this.managed = undefined;
    this.trafficGroup = `${this.node.path}/Routers`;
    const self = this.buildSelfManaged(props, clients);
    this.replication = self.replication;
    this.readWriteAddress = self.address;
    this.readWritePort = self.readWritePort;
    this.readOnlyAddress = self.address;
    this.readOnlyPort = self.readOnlyPort;
    this.applicationPassword = self.secrets.application;
  }

  /** The PostgreSQL nodes (empty for a managed database). */
  public get nodes(): readonly IHost[] {
    return [...this.nodeHosts];
  }

  /** The etcd members of their own (empty when colocated or managed). */
  public get etcdMembers(): readonly IHost[] {
    return [...this.etcdHostList];
  }

  /** The routers (empty for a managed database). */
  public get routers(): readonly IHost[] {
    return [...this.routerHosts];
  }

  private checkClients(given: readonly ITrafficPeer[] | undefined): readonly ITrafficPeer[] | undefined {
    if (given === undefined) return undefined;
    if (!Array.isArray(given) || given.some((c) => typeof c?.trafficGroup !== "string")) {
      invalid(this, "clients", given, "give the traffic peers that connect (pools, tiers, hosts' groups)");
    }
    return given;
  }

  private managedContext(): ManagedContext {
    return {
      scope: this,
      platform: this.platform,
      databaseName: this.databaseName,
      applicationUser: this.applicationUser,
      trafficGroup: this.trafficGroup,
    };
  }

  private buildSelfManaged(props: ReplicatedPostgresProps, clients: readonly ITrafficPeer[] | undefined) {
    const p = this.platform;
    const nodeCount = assertIntegerInRange(this, "nodes", props.nodes ?? 3, 2, 9);
    const replication = props.replication ?? ReplicationMode.synchronous();
    if (!(replication instanceof ReplicationMode)) {
      invalid(
        this,
        "replication",
        props.replication,
        "use ReplicationMode.asynchronous(), .synchronous() or .quorum({ count })",
      );
    }
    replication.check(this, nodeCount);
    const timing = resolveTiming(this, props.patroni);
    const checks = resolveChecks(this, props.routerChecks);
    const placement = props.etcd ?? EtcdPlacement.colocated();
    if (!(placement instanceof EtcdPlacement)) {
      invalid(
        this,
        "etcd",
        props.etcd,
        "use EtcdPlacement.colocated() or EtcdPlacement.separate({ members })",
      );
    }
    const etcdCount = placement.separateMembers ?? nodeCount;
    if (etcdCount < 3 || etcdCount % 2 === 0) {
      invalid(
        this,
        placement.separateMembers === undefined ? "nodes (etcd colocated)" : "etcd members",
        etcdCount,
        placement.separateMembers === undefined
          ? "colocated etcd needs an odd node count of at least 3 (an even count tolerates no more failures than one fewer): use 3, 5, 7 or 9 nodes, or EtcdPlacement.separate({ members: 3 })"
          : "use an odd number of etcd members, at least 3: an even count tolerates no more failures than one fewer",
      );
    }
    if (etcdCount > 9) invalid(this, "etcd members", etcdCount, "use 3, 5, 7 or 9 members");
    const electionTimeoutMs = assertIntegerInRange(
      this,
      "etcdElectionTimeoutMs",
      props.etcdElectionTimeoutMs ?? ETCD_DEFAULTS.electionTimeoutMs,
      5 * ETCD_DEFAULTS.heartbeatIntervalMs,
      50_000,
    );
    const routerCount = assertIntegerInRange(this, "routers", props.routers ?? 2, 1, 8);
    const floating = props.floatingAddress ?? routerCount >= 2;
    if (floating && routerCount < 2) {
      invalid(
        this,
        "floatingAddress",
        floating,
        "a floating address needs 2 or more routers to move between",
      );
    }
    const readWritePort = assertPort(
      this,
      "readWritePort",
      props.readWritePort ?? POSTGRES_ROUTER_DEFAULTS.readWritePort,
    );
    const readOnlyPort = assertPort(
      this,
      "readOnlyPort",
      props.readOnlyPort ?? POSTGRES_ROUTER_DEFAULTS.readOnlyPort,
    );
    const routerPorts = [
      readWritePort,
      readOnlyPort,
      POSTGRES_ROUTER_DEFAULTS.healthPort,
      POSTGRES_ROUTER_DEFAULTS.statsPort,
    ];
    if (new Set(routerPorts).size !== routerPorts.length) {
      invalid(
        this,
        "readWritePort / readOnlyPort",
        [readWritePort, readOnlyPort],
        `use two different ports, neither ${POSTGRES_ROUTER_DEFAULTS.healthPort} nor ${POSTGRES_ROUTER_DEFAULTS.statsPort} (the routers' health and statistics pages)`,
      );
    }
    const replicaMaxLagBytes = assertIntegerInRange(
      this,
      "replicaMaxLagBytes",
      props.replicaMaxLagBytes ?? POSTGRES_ROUTER_DEFAULTS.replicaMaxLagBytes,
      0,
      Number.MAX_SAFE_INTEGER,
    );
    const maxConnections = assertIntegerInRange(
      this,
      "maxConnections",
      props.maxConnections ?? 100,
      10,
      10_000,
    );
    const volumeSizeGiB = assertIntegerInRange(this, "volumeSizeGiB", props.volumeSizeGiB ?? 20, 1, 16_384);
    const segment: ISegment = props.segment ?? p.defaultSegment;
    const spread = props.spread ?? Spread.even();
    if (!(spread instanceof Spread))
      invalid(this, "spread", props.spread, "use Spread.even() or Spread.strict()");
    if (spread.kind === SpreadKind.TOGETHER && p.failureDomains.length > 1) {
      invalid(
        this,
        "spread",
        spread.kind,
        `the platform has ${p.failureDomains.length} failure domains (${p.failureDomains.map((d) => d.id).join(", ")}): keeping every node in one would lose the whole cluster with it; use Spread.even() or Spread.strict()`,
      );
    }

    const lower = this.node.id.toLowerCase();
    const secret = (name: string, description: string) =>
      p.addSecret(this, name, { length: 32, description: `${this.node.path}: ${description}` });
    const secrets: ClusterSecrets = {
      superuser: secret("SuperuserPassword", "PostgreSQL superuser (postgres) password"),
      replication: secret("ReplicationPassword", "PostgreSQL replication user password"),
      rewind: secret("RewindPassword", "PostgreSQL pg_rewind user password"),
      application: secret("ApplicationPassword", `the ${this.applicationUser} user's password`),
    };
    const nodesGroup = `${this.node.path}/Nodes`;
    const etcdGroup = placement.separateMembers === undefined ? nodesGroup : `${this.node.path}/Etcd`;
    const routersGroup = this.trafficGroup;

    // Routers' VRRP address first, so that no host's lazily leased address takes it.
    const mode = p.traits.floatingAddressModes[0] as FloatingAddressMode | undefined;
    let vrrp: { group: VrrpGroup; address: FloatingAddress } | undefined;
    if (floating) {
      if (mode === undefined) {
        invalid(
          this,
          "floatingAddress",
          floating,
          `the ${p.platformName} platform has no floating addresses: set it to false`,
        );
      }
      const group = new VrrpGroup(this, p, segment, routerCount, {});
      vrrp = { group, address: group.addAddress(this, "RouterAddress", { preferredNode: 0 }, mode) };
    }

    const plan = (kind: string, id: string, i: number) =>
      planHost(
        this,
        p,
        segment,
        `${lower}-${kind}-${i}`,
        `${this.node.path}/${id}${i}`,
        spread.domainFor(this, kind, i, p.failureDomains),
      );
    const nodes: PlannedHost[] = Array.from({ length: nodeCount }, (_, i) => plan("pg", "Node", i));
    if (p.failureDomains.length > 1 && new Set(nodes.map((n) => n.domain.id)).size === 1) {
      invalid(
        this,
        "spread",
        spread.kind,
        `every node would be in ${nodes[0]?.domain.id}, and the platform has ${p.failureDomains.length} failure domains`,
      );
    }
    const etcdPlanned =
      placement.separateMembers === undefined
        ? nodes
        : Array.from({ length: etcdCount }, (_, i) => plan("etcd", "Etcd", i));
    const cluster = etcdCluster(`${lower}-etcd`, etcdPlanned, electionTimeoutMs);
    if (placement.separateMembers !== undefined) {
      for (const [i, h] of etcdPlanned.entries()) {
        this.etcdHostList.push(addEtcdHost(this, p, h, i, cluster, etcdGroup));
      }
    }
    const routers: PlannedHost[] = Array.from({ length: routerCount }, (_, i) => plan("router", "Router", i));
    const slash32 = (hosts: readonly PlannedHost[]) => () => hosts.map((h) => `${h.address()}/32`);
    const nodeCidrs = slash32(nodes);
    const routerCidrs = slash32(routers);
    const endpoints = etcdHosts(cluster);
    for (const [i, h] of nodes.entries()) {
      this.nodeHosts.push(
        addPostgresNode(
          {
            scope: this,
            platform: p,
            patroni: () => ({
              scope: lower,
              clusterSize: nodeCount,
              etcdHosts: endpoints(),
              dataDir: PG_DATA_DIR,
              socketDir: PG_SOCKET_DIR,
              postgresPort: POSTGRES_PORT,
              restApiPort: REST_API_PORT,
              replication,
              ttlSeconds: timing.ttlSeconds,
              loopWaitSeconds: timing.loopWaitSeconds,
              retryTimeoutSeconds: timing.retryTimeoutSeconds,
              clusterCidrs: nodeCidrs(),
              clientCidrs: routerCidrs(),
              maxConnections,
            }),
            secrets,
            databaseName: this.databaseName,
            applicationUser: this.applicationUser,
            ...(placement.separateMembers === undefined ? { colocatedEtcd: cluster } : {}),
            volumeSizeGiB,
            trafficGroup: nodesGroup,
            startsAfter: () => this.etcdHostList.map((e) => e.node.path),
          },
          h,
          i,
        ),
      );
    }
    for (const [i, h] of routers.entries()) {
      this.routerHosts.push(
        addRouter(
          {
            scope: this,
            platform: p,
            router: () => ({
              nodes: nodes.map((n) => ({ name: n.hostname, address: n.address() })),
              readWritePort,
              readOnlyPort,
              postgresPort: POSTGRES_PORT,
              restApiPort: REST_API_PORT,
              replicaMaxLagBytes,
              checkIntervalMs: checks.intervalMs,
              fall: checks.fall,
              rise: checks.rise,
            }),
            ...(vrrp ? { vrrp } : {}),
            trafficGroup: routersGroup,
            startsAfter: () => this.nodeHosts.map((n) => n.node.path),
            healthPort: POSTGRES_ROUTER_DEFAULTS.healthPort,
          },
          h,
          i,
        ),
      );
    }
    if (vrrp) {
      vrrp.group.attach(this.routerHosts);
      vrrp.group.allowAdverts(this);
    }
    allowClusterFlows(
      { scope: this, platform: p },
      {
        clients,
        readWritePort,
        readOnlyPort,
        nodesGroup,
        etcdGroup,
        routersGroup,
        separateEtcd: placement.separateMembers !== undefined,
      },
    );
    const address = vrrp ? vrrp.address.address : ((this.routerHosts[0] as IHost).address as string);
    recordCluster(
      {
        scope: this,
        platform: p,
        etcdHosts: this.etcdHostList,
        nodeHosts: this.nodeHosts,
        routerHosts: this.routerHosts,
      },
      {
        replication,
        timing,
        checks,
        nodeCount,
        etcdCount,
        electionTimeoutMs,
        nodesGroup,
        etcdGroup,
        routersGroup,
        separateEtcd: placement.separateMembers !== undefined,
        vrrp,
        mode,
        readWritePort,
        readOnlyPort,
      },
    );
    return { replication, secrets, address, readWritePort, readOnlyPort };
  }
}
