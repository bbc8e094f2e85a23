/**
 * The hosts of a self-managed cluster: etcd members, Patroni + PostgreSQL nodes and HAProxy
 * routers, as host specs any platform runs. Every rendered file comes from a pure renderer; the
 * addresses are read at synthesis, once the platform has leased them.
 */
import type { Construct } from "constructs";
import type { FailureDomain } from "../../model/availability";
import { type HostFile, type HostProcess, type HostSpec, Software } from "../../model/host-spec";
import type { HostSecretFile } from "../../model/host-storage";
import type { IHost } from "../../platforms/host";
import type { IPlatform } from "../../platforms/platform";
import type { ISecret } from "../../platforms/secret";
import type { ISegment } from "../../platforms/segment";
import { type EtcdCluster, etcdClientEndpoints, renderEtcdConfig } from "../../render/etcd";
import { renderHaproxyCfg } from "../../render/haproxy";
import { type PostgresRouterConfig, postgresHaproxyConfig } from "../../render/haproxy-postgres";
import { type PatroniConfig, renderPatroniYml } from "../../render/patroni";
import { renderPatroniStartScript } from "../../render/patroni-start";
import { renderPostgresPostInit } from "../../render/postgres-post-init";
import { processDownFile } from "../../render/supervisor";
import { generatedHeader, lines, shellQuote } from "../../render/text";
import type { FloatingAddress } from "../parts/floating-address";
import type { VrrpGroup, VrrpNode } from "../parts/vrrp-group";

export const ETCD_CONFIG = "/etc/etcd/etcd.yml";
/** The etcd volume's mount point; the data directory is inside it (a fresh ext4 holds lost+found). */
export const ETCD_VOLUME = "/var/lib/etcd";
export const ETCD_DATA_DIR = `${ETCD_VOLUME}/data`;
export const PATRONI_YML = "/etc/patroni/patroni.yml";
export const PATRONI_START = "/usr/local/sbin/ha-patroni-start";
export const POST_INIT = "/usr/local/sbin/ha-postgres-post-init";
export const NODE_HEALTH = "/usr/local/sbin/ha-postgres-health";
/** The data volume's mount point; PostgreSQL's data directory is inside it. */
export const PG_VOLUME = "/var/lib/postgresql/ha";
export const PG_DATA_DIR = `${PG_VOLUME}/data`;
export const PG_SOCKET_DIR = "/var/run/postgresql";
export const SECRET_DIR = "/etc/patroni/secrets";
export const ROUTER_CFG = "/etc/haproxy/haproxy.cfg";
export const POSTGRES_PORT = 5432;
export const REST_API_PORT = 8008;
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

/** The cluster's four generated passwords. */
export interface ClusterSecrets {
  readonly superuser: ISecret;
  readonly replication: ISecret;
  readonly rewind: ISecret;
  readonly application: ISecret;
}

/** A host being made: its attachment leases the address, read at synthesis. */
export interface PlannedHost {
  readonly hostname: string;
  readonly domain: FailureDomain;
  readonly address: () => string;
  readonly attachment: HostSpec["attachments"][number];
}

/** Leases an address for a host of the cluster. */
export function planHost(
  scope: Construct,
  platform: IPlatform,
  segment: ISegment,
  hostname: string,
  owner: string,
  domain: FailureDomain,
): PlannedHost {
  const attachment = platform.attachHost(scope, owner, segment, domain, 0);
  return { hostname, domain, attachment, address: () => attachment.lease.address };
}

/** The etcd cluster of `members`, read at synthesis. */
export function etcdCluster(
  token: string,
  members: readonly PlannedHost[],
  electionTimeoutMs: number,
): () => EtcdCluster {
  return () => ({
    token,
    members: members.map((m) => ({ name: m.hostname, address: m.address() })),
    clientPort: ETCD_CLIENT_PORT,
    peerPort: ETCD_PEER_PORT,
    electionTimeoutMs,
  });
}

/** etcd's config file, process and volume for the member on `host`. */
export function etcdParts(where: string, host: PlannedHost, cluster: () => EtcdCluster) {
  const file: HostFile = {
    path: ETCD_CONFIG,
    content: () => renderEtcdConfig(where, cluster(), host.hostname, ETCD_DATA_DIR),
  };
  const process: HostProcess = { name: "etcd", command: ["/usr/bin/etcd", "--config-file", ETCD_CONFIG] };
  return { file, process, volume: { name: "etcd", mountPath: ETCD_VOLUME, sizeGiB: 5 } };
}

/** A separate etcd member. */
export function addEtcdHost(
  scope: Construct,
  platform: IPlatform,
  host: PlannedHost,
  index: number,
  cluster: () => EtcdCluster,
  trafficGroup: string,
): IHost {
  const parts = etcdParts(`${scope.node.path}/Etcd${index}`, host, cluster);
  const spec: HostSpec = {
    hostname: host.hostname,
    role: "dcs",
    failureDomain: host.domain,
    software: Software.debianPackages("ha-etcd", ["etcd-server", "etcd-client", "curl"]),
    files: [parts.file],
    processes: [parts.process],
    capabilities: [],
    sysctls: {},
    attachments: [host.attachment],
    trafficGroup,
    volumes: [parts.volume],
    healthCommand: {
      command: [
        "/usr/bin/curl",
        "-fsS",
        "-o",
        "/dev/null",
        "--max-time",
        "2",
        `http://127.0.0.1:${ETCD_CLIENT_PORT}/health`,
      ],
      intervalSeconds: 5,
      timeoutSeconds: 3,
      retries: 3,
    },
  };
  return platform.addHost(scope, `Etcd${index}`, spec);
}

/** What every PostgreSQL node shares. */
export interface NodeContext {
  readonly scope: Construct;
  readonly platform: IPlatform;
  /** Patroni's settings but for the node's own name and address. */
  readonly patroni: () => Omit<PatroniConfig, "name" | "address">;
  readonly secrets: ClusterSecrets;
  readonly databaseName: string;
  readonly applicationUser: string;
  /** The etcd member on each node, when colocated. */
  readonly colocatedEtcd?: () => EtcdCluster;
  readonly volumeSizeGiB: number;
  readonly trafficGroup: string;
  /** Hosts the node starts after (separate etcd members). */
  readonly startsAfter: () => readonly string[];
}

function secretFile(name: keyof ClusterSecrets, secret: ISecret): HostSecretFile {
  return { path: `${SECRET_DIR}/${name}`, secret, mode: "0400", owner: "postgres:postgres" };
}

/** PostgreSQL node `index`: Patroni running PostgreSQL 15 on its data volume, etcd beside it if colocated. */
export function addPostgresNode(ctx: NodeContext, host: PlannedHost, index: number): IHost {
  const { scope, secrets } = ctx;
  const where = `${scope.node.path}/Node${index}`;
  const etcd = ctx.colocatedEtcd ? etcdParts(where, host, ctx.colocatedEtcd) : undefined;
  const files: HostFile[] = [
    {
      path: PATRONI_YML,
      content: () =>
        renderPatroniYml(where, {
          ...ctx.patroni(),
          name: host.hostname,
          address: host.address(),
          postInit: POST_INIT,
        }),
    },
    {
      path: PATRONI_START,
      executable: true,
      content: renderPatroniStartScript(where, {
        configPath: PATRONI_YML,
        secretFiles: {
          superuser: `${SECRET_DIR}/superuser`,
          replication: `${SECRET_DIR}/replication`,
          rewind: `${SECRET_DIR}/rewind`,
        },
        ownedDirs: [PG_DATA_DIR, PG_SOCKET_DIR],
      }),
    },
    {
      path: POST_INIT,
      executable: true,
      // Patroni, as postgres, runs it.
      mode: "0755",
      content: renderPostgresPostInit(where, {
        owner: ctx.applicationUser,
        database: ctx.databaseName,
        passwordFile: `${SECRET_DIR}/application`,
      }),
    },
    {
      path: NODE_HEALTH,
      executable: true,
      mode: "0755",
      content: () =>
        lines(
          "#!/bin/sh",
          generatedHeader("#"),
          "# Patroni's REST API answers 200 on /health while PostgreSQL runs, primary or replica.",
          `exec /usr/bin/curl -fsS -o /dev/null --max-time 2 ${shellQuote(`http://${host.address()}:${REST_API_PORT}/health`)}`,
        ),
    },
    ...(etcd ? [etcd.file] : []),
  ];
  const spec: HostSpec = {
    hostname: host.hostname,
    role: "database",
    failureDomain: host.domain,
    software: Software.debianPackages(etcd ? "ha-postgres-etcd" : "ha-postgres", [
      "postgresql-15",
      "patroni",
      "python3-psycopg2",
      "curl",
      "procps",
      ...(etcd ? ["etcd-server", "etcd-client"] : []),
    ]),
    files,
    processes: [...(etcd ? [etcd.process] : []), { name: "patroni", command: [PATRONI_START] }],
    capabilities: [],
    sysctls: {},
    attachments: [host.attachment],
    trafficGroup: ctx.trafficGroup,
    volumes: [
      { name: "pgdata", mountPath: PG_VOLUME, sizeGiB: ctx.volumeSizeGiB, owner: "postgres:postgres" },
      ...(etcd ? [etcd.volume] : []),
    ],
    secretFiles: [
      secretFile("superuser", secrets.superuser),
      secretFile("replication", secrets.replication),
      secretFile("rewind", secrets.rewind),
      secretFile("application", secrets.application),
    ],
    startsAfter: ctx.startsAfter,
    healthCommand: { command: [NODE_HEALTH], intervalSeconds: 5, timeoutSeconds: 3, retries: 3 },
  };
  return ctx.platform.addHost(scope, `Node${index}`, spec);
}

/** What every router shares. */
export interface RouterContext {
  readonly scope: Construct;
  readonly platform: IPlatform;
  /** The router settings but for its name and bind addresses, read at synthesis. */
  readonly router: () => Omit<PostgresRouterConfig, "nodeName" | "bindAddresses">;
  /** The routers' VRRP group and its address, when they share one. */
  readonly vrrp?: { readonly group: VrrpGroup; readonly address: FloatingAddress };
  readonly trafficGroup: string;
  readonly startsAfter: () => readonly string[];
  /** HAProxy's loopback health endpoint (`/healthz`). */
  readonly healthPort: number;
}

/** The routers' HAProxy process: foreground, master-worker. */
export const ROUTER_PROCESS: HostProcess = {
  name: "haproxy",
  command: ["/usr/sbin/haproxy", "-W", "-db", "-f", ROUTER_CFG],
};

/** Router `index`: HAProxy sending the read-write port to the primary and the read-only port to replicas. */
export function addRouter(ctx: RouterContext, host: PlannedHost, index: number): IHost {
  const { scope, vrrp } = ctx;
  const where = `${scope.node.path}/Router${index}`;
  const config = () => {
    const binds = [host.address(), ...(vrrp ? [vrrp.address.binding.bindAddress(host.address())] : [])];
    return postgresHaproxyConfig(where, {
      ...ctx.router(),
      nodeName: host.hostname,
      bindAddresses: [...new Set(binds)],
    });
  };
  const health = [
    "/usr/bin/curl",
    "-fsS",
    "-o",
    "/dev/null",
    "--max-time",
    "1",
    `http://127.0.0.1:${ctx.healthPort}/healthz`,
  ];
  const vrrpNode = (): VrrpNode => ({
    index,
    routerId: host.hostname,
    address: host.address(),
    interfaceName: host.attachment.interfaceName,
  });
  const files: HostFile[] = [{ path: ROUTER_CFG, content: () => renderHaproxyCfg(config()) }];
  if (vrrp) {
    const downFile = {
      name: "haproxy_down",
      path: processDownFile(ROUTER_PROCESS.name),
      weight: 0,
      initialValue: 1,
    };
    const track = {
      name: "chk_haproxy",
      command: health,
      intervalSeconds: 1,
      timeoutSeconds: 1,
      rise: 2,
      fall: 2,
      weight: 0,
    };
    files.push(vrrp.group.configFile(vrrpNode, [track], [downFile]), ...vrrp.group.supportFiles(vrrpNode));
  }
  const spec: HostSpec = {
    hostname: host.hostname,
    role: "database-router",
    failureDomain: host.domain,
    software: Software.debianPackages(vrrp ? "ha-db-router-vrrp" : "ha-db-router", [
      "haproxy",
      "curl",
      "procps",
      ...(vrrp ? vrrp.group.packages : []),
    ]),
    files,
    processes: [ROUTER_PROCESS, ...(vrrp ? [vrrp.group.process] : [])],
    capabilities: vrrp ? vrrp.group.capabilities : [],
    // HAProxy binds the shared address on every router, also while another holds it.
    sysctls: vrrp ? { "net.ipv4.ip_nonlocal_bind": "1" } : {},
    attachments: [host.attachment],
    trafficGroup: ctx.trafficGroup,
    startsAfter: ctx.startsAfter,
    healthCommand: {
      command: health,
      intervalSeconds: 2,
      timeoutSeconds: 1,
      retries: 3,
    },
  };
  return ctx.platform.addHost(scope, `Router${index}`, spec);
}

/** The etcd client endpoints of a cluster, read at synthesis. */
export function etcdHosts(cluster: () => EtcdCluster): () => string[] {
  return () => etcdClientEndpoints(cluster());
}
