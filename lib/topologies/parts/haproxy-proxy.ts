import type { Construct } from "constructs";
import { invalid } from "../../errors";
import { assertIntegerInRange, assertPort } from "../../model/config-text";
import { HealthCheckKind, httpProbeCommand } from "../../model/health-check";
import type { HostProcess } from "../../model/host-spec";
import type { IPlatform } from "../../platforms/platform";
import { type ITrafficPeer, Traffic, TrafficSource } from "../../platforms/traffic";
import { type HaproxyBackend, renderHaproxyCfg } from "../../render/haproxy";
import type { KeepalivedTrackFile, KeepalivedTrackScript } from "../../render/keepalived";
import { processDownFile } from "../../render/supervisor";
import type { IBackendPool } from "./backend-pool";
import { Balance, ProxyMode, type Stickiness } from "./load-balancing";

export const HAPROXY_CFG = "/etc/haproxy/haproxy.cfg";
/** Path of the nodes' health endpoint (HAProxy `monitor-uri`). */
export const HEALTH_URI = "/ha-health";
const STATS_URI = "/stats";

/** How HAProxy nodes balance, check and retry. */
export interface HaproxyOptions {
  /**
   * Proxy mode.
   * @default - HTTP when the backends' health check is HTTP, TCP otherwise
   */
  readonly mode?: ProxyMode;
  /**
   * Load-balancing algorithm.
   * @default Balance.roundRobin() - even spread for short, uniform requests
   */
  readonly balance?: Balance;
  /**
   * Keep a client on one backend.
   * @default - none: any backend may serve any request
   */
  readonly stickiness?: Stickiness;
  /**
   * Loopback port of the per-node health endpoint keepalived tracks (HAProxy `monitor-uri`).
   * @default 8404
   */
  readonly healthPort?: number;
  /**
   * Loopback port of the HAProxy statistics page.
   * @default 8405
   */
  readonly statsPort?: number;
  /**
   * Concurrent client connections per node.
   * @default 4096
   */
  readonly maxConnections?: number;
  /**
   * Connection attempts per request before HAProxy gives up; with `option redispatch` the last
   * attempts go to another backend.
   * @default 3 - a request to a backend that just died is retried on a healthy one
   */
  readonly retries?: number;
  /**
   * Consecutive connection errors seen on live traffic (`observe layer4`) that mark a backend down
   * before its active check does.
   * @default 3 - a dead backend leaves the rotation after 3 failed connections, not after 2 s of checks
   */
  readonly passiveErrorLimit?: number;
  /**
   * HTTP mode: seconds an idle kept-alive client connection stays open between requests
   * (HAProxy `timeout http-keep-alive`), 1 to 3600.
   * @default 2 on VIP pairs and DNS pools (a client that idles reconnects, and so follows a
   * moved address at once); 10 on three-tier L7 nodes, whose point is that kept-alive flows live
   * through changes in the tiers in front of them
   */
  readonly keepAliveTimeoutSeconds?: number;
}

/** One frontend of the proxy: a port and the pool it sends to. */
export interface HaproxyListener {
  /** Frontend name suffix, e.g. the topology's id. */
  readonly name: string;
  readonly port: number;
  readonly backends: IBackendPool;
}

/**
 * HAProxy on a group of nodes in front of backend pools: validation of the proxy options, the
 * `haproxy.cfg` of each node (frontends, active and passive checks, algorithms, retries and
 * redispatch, a loopback health endpoint and statistics page), its process and its traffic.
 */
export class HaproxyProxy {
  public readonly mode: ProxyMode;
  public readonly balance: Balance;
  public readonly healthPort: number;
  public readonly statsPort: number;
  public readonly maxConnections: number;
  public readonly retries: number;
  public readonly passiveErrorLimit: number;
  public readonly keepAliveTimeoutSeconds: number;

  /** `defaultKeepAliveSeconds`: the topology's default for `keepAliveTimeoutSeconds`. */
  constructor(
    private readonly where: Construct,
    public readonly listeners: readonly HaproxyListener[],
    private readonly options: HaproxyOptions,
    defaultKeepAliveSeconds = 2,
  ) {
    const first = listeners[0] as HaproxyListener;
    for (const l of listeners) assertPort(where, "listenerPort", l.port);
    this.healthPort = assertPort(where, "healthPort", options.healthPort ?? 8404);
    this.statsPort = assertPort(where, "statsPort", options.statsPort ?? 8405);
    const ports = [...listeners.map((l) => l.port), this.healthPort, this.statsPort];
    if (new Set(ports).size !== ports.length) {
      invalid(
        where,
        "ports (listener, health, stats)",
        ports,
        `use ${ports.length === 3 ? "three" : ports.length} different ports`,
      );
    }
    this.maxConnections = assertIntegerInRange(
      where,
      "maxConnections",
      options.maxConnections ?? 4096,
      1,
      1_000_000,
    );
    this.retries = assertIntegerInRange(where, "retries", options.retries ?? 3, 0, 10);
    this.passiveErrorLimit = assertIntegerInRange(
      where,
      "passiveErrorLimit",
      options.passiveErrorLimit ?? 3,
      1,
      100,
    );
    this.keepAliveTimeoutSeconds = assertIntegerInRange(
      where,
      "keepAliveTimeoutSeconds",
      options.keepAliveTimeoutSeconds ?? defaultKeepAliveSeconds,
      1,
      3600,
    );
    this.mode =
      options.mode ??
      (first.backends.healthCheck.kind === HealthCheckKind.HTTP ? ProxyMode.HTTP : ProxyMode.TCP);
    if (this.mode !== ProxyMode.HTTP && this.mode !== ProxyMode.TCP) {
      invalid(where, "mode", options.mode, "use ProxyMode.HTTP or ProxyMode.TCP");
    }
    this.balance = options.balance ?? Balance.roundRobin();
    this.balance._validate(where.node.path);
    if (this.balance.httpOnly && this.mode !== ProxyMode.HTTP) {
      invalid(where, "balance", this.balance.algorithm, "header hashing needs mode ProxyMode.HTTP");
    }
    const stickiness = options.stickiness;
    if (stickiness) {
      stickiness._validate(where.node.path);
      if (this.mode !== ProxyMode.HTTP) {
        invalid(where, "stickiness", stickiness.cookieName, "cookie stickiness needs mode ProxyMode.HTTP");
      }
    }
  }

  /** Debian packages a node needs (curl for the track script, procps for operators' `ps`). */
  public get packages(): string[] {
    return ["haproxy", "curl", "ca-certificates", "procps"];
  }

  /** The command that tells whether this node's HAProxy serves: its loopback health endpoint. */
  public get healthCommand(): string[] {
    return httpProbeCommand(`http://127.0.0.1:${this.healthPort}${HEALTH_URI}`, 1);
  }

  /**
   * A keepalived track script over `healthCommand`: every 1 s, 2 failures put the node in FAULT
   * (weight 0), 2 passes bring it back.
   */
  public get trackScript(): KeepalivedTrackScript {
    return {
      name: "chk_haproxy",
      command: this.healthCommand,
      intervalSeconds: 1,
      timeoutSeconds: 1,
      rise: 2,
      fall: 2,
      weight: 0,
    };
  }

  /**
   * A keepalived track file the host's supervisor rewrites the moment HAProxy exits (1) or
   * starts (0): keepalived reads it through inotify, so a dead proxy puts the node in FAULT within
   * milliseconds, and a master entering FAULT sends a priority-0 advert that makes the backup
   * take over after its skew time instead of the master-down interval. Missing at keepalived's
   * start, it is created as 1 (down) until the supervisor has started HAProxy.
   */
  public get exitTrackFile(): KeepalivedTrackFile {
    return { name: "haproxy_down", path: processDownFile(this.process.name), weight: 0, initialValue: 1 };
  }

  /** Seconds until the track script sees a hung proxy: fall × interval + timeout. */
  public get trackDetectionSeconds(): number {
    const t = this.trackScript;
    return t.fall * t.intervalSeconds + t.timeoutSeconds;
  }

  /** HAProxy in the foreground, master-worker mode. */
  public get process(): HostProcess {
    return { name: "haproxy", command: ["/usr/sbin/haproxy", "-W", "-db", "-f", HAPROXY_CFG] };
  }

  /** Clients may reach the listeners; `peer`'s hosts may reach the backends. */
  public allowTraffic(platform: IPlatform, peer: ITrafficPeer): void {
    for (const l of this.listeners) {
      platform.allowTraffic(this.where, {
        toGroup: peer.trafficGroup,
        traffic: Traffic.tcp(l.port),
        from: TrafficSource.clients(),
        description: "clients to the listener",
      });
    }
    for (const pool of new Set(this.listeners.map((l) => l.backends))) {
      pool.allowFrom(peer, "load balancers to the backends");
    }
  }

  /**
   * haproxy.cfg of the node `nodeName`, binding each listener on `bindAddresses`. `exposedHealth`
   * also binds the health endpoint on the node's own addresses, for checkers on other hosts, and
   * makes it fail while a listener's pool has no server up.
   */
  public config(
    nodeName: string,
    bindAddresses: readonly string[],
    exposedHealth?: { readonly addresses: readonly string[] },
  ): string {
    const backends = new Map<IBackendPool, HaproxyBackend>();
    for (const l of this.listeners)
      if (!backends.has(l.backends)) backends.set(l.backends, this.backend(l.backends));
    return renderHaproxyCfg({
      nodeName,
      mode: this.mode,
      maxConnections: this.maxConnections,
      timeouts: {
        connectMs: 2000,
        clientMs: 30_000,
        serverMs: 30_000,
        httpKeepAliveMs: this.keepAliveTimeoutSeconds * 1000,
      },
      frontends: this.listeners.map((l) => ({
        name: safeName(`fe_${l.name}`),
        binds: [...new Set(bindAddresses)].map((address) => ({ address, port: l.port })),
        backend: (backends.get(l.backends) as HaproxyBackend).name,
      })),
      backends: [...backends.values()],
      health: {
        address: "127.0.0.1",
        port: this.healthPort,
        uri: HEALTH_URI,
        ...(exposedHealth
          ? {
              moreAddresses: exposedHealth.addresses,
              failWithoutServers: [...backends.values()].map((b) => b.name),
            }
          : {}),
      },
      stats: { address: "127.0.0.1", port: this.statsPort, uri: STATS_URI },
    });
  }

  private backend(pool: IBackendPool): HaproxyBackend {
    const check = pool.healthCheck;
    return {
      name: safeName(`be_${pool.node.id}`),
      balance: this.balance.algorithm,
      consistentHash: this.balance.consistent,
      ...(this.options.stickiness ? { stickyCookie: this.options.stickiness.cookieName } : {}),
      servers: pool.members.map((m) => ({ name: m.name, address: m.address, port: m.port })),
      check: {
        kind: check.kind,
        intervalMs: check.intervalMs,
        timeoutMs: check.timeoutMs,
        rise: check.healthyThreshold,
        fall: check.unhealthyThreshold,
        ...(check.port !== undefined ? { port: check.port } : {}),
        ...(check.path !== undefined ? { path: check.path } : {}),
        ...(check.expectedStatus !== undefined ? { expectedStatus: check.expectedStatus } : {}),
        ...(check.command !== undefined ? { command: check.command } : {}),
      },
      passiveErrorLimit: this.passiveErrorLimit,
      retries: this.retries,
      retryOn:
        this.mode === ProxyMode.HTTP
          ? ["conn-failure", "empty-response", "response-timeout"]
          : ["conn-failure"],
    };
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_");
}
