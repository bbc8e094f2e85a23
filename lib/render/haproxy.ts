import { generatedHeader, haproxyDuration, indent, lines } from "./text";

export interface HaproxyServer {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export interface HaproxyActiveCheck {
  readonly kind: "http" | "tcp" | "script";
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  /** Port probed, when not the server's port. */
  readonly port?: number;
  /** http: request path and expected status. */
  readonly path?: string;
  readonly expectedStatus?: number;
  /** script: command run by `external-check`. */
  readonly command?: readonly string[];
}

export interface HaproxyBackend {
  readonly name: string;
  /** The `balance` line, e.g. "roundrobin", "random(2)", "hdr(X-User)". */
  readonly balance: string;
  /** Consistent hashing for hash-based algorithms. */
  readonly consistentHash: boolean;
  /** Cookie stickiness: the cookie's name. */
  readonly stickyCookie?: string;
  readonly servers: readonly HaproxyServer[];
  readonly check: HaproxyActiveCheck;
  /** Consecutive passive errors (observe layer4) that mark a server down. */
  readonly passiveErrorLimit: number;
  /** Connection attempts per request before giving up. */
  readonly retries: number;
  /** `retry-on` events. */
  readonly retryOn: readonly string[];
  /**
   * Closes a server's open connections when its check marks it down (`on-marked-down
   * shutdown-sessions`), so clients of a demoted database primary reconnect to the new one.
   * @default false - connections drain
   */
  readonly shutdownSessionsOnMarkDown?: boolean;
}

export interface HaproxyFrontend {
  readonly name: string;
  readonly binds: ReadonlyArray<{ readonly address: string; readonly port: number }>;
  readonly backend: string;
}

export interface HaproxyConfig {
  /** This node's name, sent to HTTP clients as `X-Load-Balancer` (shows which node served). */
  readonly nodeName: string;
  readonly mode: "http" | "tcp";
  readonly maxConnections: number;
  readonly timeouts: {
    readonly connectMs: number;
    readonly clientMs: number;
    readonly serverMs: number;
    /** HTTP mode: how long an idle kept-alive client connection stays open. @default 2000 */
    readonly httpKeepAliveMs?: number;
  };
  readonly frontends: readonly HaproxyFrontend[];
  readonly backends: readonly HaproxyBackend[];
  /**
   * Endpoint that answers 200 while HAProxy runs (keepalived tracks it on loopback; DNS checkers
   * probe it on the node's address): bound on `address` and on each of `moreAddresses`. With
   * `failWithoutServers`, it answers 503 while any of those backends has no server up, so a
   * node that cannot serve leaves a health-checked name.
   */
  readonly health: {
    readonly address: string;
    readonly moreAddresses?: readonly string[];
    readonly port: number;
    readonly uri: string;
    readonly failWithoutServers?: readonly string[];
  };
  /** Loopback statistics page. */
  readonly stats: { readonly address: string; readonly port: number; readonly uri: string };
}

function checkOptions(check: HaproxyActiveCheck, mode: "http" | "tcp"): string[] {
  if (check.kind === "http") {
    const opts = [
      "option httpchk",
      `http-check send meth GET uri ${check.path} ver HTTP/1.1 hdr Host ha-check`,
    ];
    opts.push(`http-check expect status ${check.expectedStatus}`);
    return opts;
  }
  if (check.kind === "script") {
    return [
      "option external-check",
      // HAProxy runs the script with an empty PATH unless told otherwise.
      'external-check path "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
      `external-check command ${(check.command as string[])[0]}`,
    ];
  }
  return mode === "http" ? ["option tcp-check"] : [];
}

/** The `global` and `defaults` sections. */
function globalAndDefaults(config: HaproxyConfig): string[] {
  const needsExternalCheck = config.backends.some((b) => b.check.kind === "script");
  const http = config.mode === "http";
  const global = [
    "log stdout format raw local0 info",
    `maxconn ${config.maxConnections}`,
    "hard-stop-after 30s",
    ...(needsExternalCheck ? ["external-check", "insecure-fork-wanted"] : []),
  ];
  const defaults = [
    `mode ${config.mode}`,
    "log global",
    http ? "option httplog" : "option tcplog",
    "option dontlognull",
    ...(http ? ["option forwardfor"] : []),
    `timeout connect ${haproxyDuration(config.timeouts.connectMs)}`,
    `timeout client ${haproxyDuration(config.timeouts.clientMs)}`,
    `timeout server ${haproxyDuration(config.timeouts.serverMs)}`,
    ...(http
      ? [
          "timeout http-request 10s",
          `timeout http-keep-alive ${haproxyDuration(config.timeouts.httpKeepAliveMs ?? 2000)}`,
        ]
      : []),
  ];
  return ["global", ...indent(global, 1), "", "defaults", ...indent(defaults, 1)];
}

/** One `frontend` section per listener. */
function frontendSections(config: HaproxyConfig): string[] {
  return config.frontends.flatMap((f) => [
    "",
    `frontend ${f.name}`,
    ...indent(
      [
        ...f.binds.map((b) => `bind ${b.address}:${b.port}`),
        ...(config.mode === "http" ? [`http-response set-header X-Load-Balancer ${config.nodeName}`] : []),
        `default_backend ${f.backend}`,
      ],
      1,
    ),
  ]);
}

/** One `backend` section: algorithm, checks (active and passive), retries, servers. */
function backendSection(b: HaproxyBackend, mode: "http" | "tcp"): string[] {
  const c = b.check;
  const hashed = /^(source|uri|hdr\(|url_param)/.test(b.balance);
  const serverDefaults = [
    "check",
    `inter ${haproxyDuration(c.intervalMs)}`,
    `fastinter ${haproxyDuration(Math.max(100, Math.floor(c.intervalMs / 2)))}`,
    `downinter ${haproxyDuration(c.intervalMs * 2)}`,
    `rise ${c.rise}`,
    `fall ${c.fall}`,
    ...(c.port !== undefined ? [`port ${c.port}`] : []),
    "observe layer4",
    `error-limit ${b.passiveErrorLimit}`,
    "on-error mark-down",
    ...(b.shutdownSessionsOnMarkDown ? ["on-marked-down shutdown-sessions"] : []),
    "slowstart 5s",
  ];
  const body = [
    `balance ${b.balance}`,
    ...(hashed && b.consistentHash ? ["hash-type consistent"] : []),
    ...checkOptions(c, mode),
    `timeout check ${haproxyDuration(c.timeoutMs)}`,
    `retries ${b.retries}`,
    `retry-on ${b.retryOn.join(" ")}`,
    "option redispatch 1",
    ...(b.stickyCookie ? [`cookie ${b.stickyCookie} insert indirect nocache`] : []),
    `default-server ${serverDefaults.join(" ")}`,
    ...b.servers.map(
      (s) => `server ${s.name} ${s.address}:${s.port}${b.stickyCookie ? ` cookie ${s.name}` : ""}`,
    ),
  ];
  return ["", `backend ${b.name}`, ...indent(body, 1)];
}

/** The loopback health endpoint (keepalived tracks it) and statistics page. */
function loopbackSections(config: HaproxyConfig): string[] {
  return [
    "",
    "frontend ha_health",
    ...indent(
      [
        "mode http",
        ...[config.health.address, ...(config.health.moreAddresses ?? [])].map(
          (a) => `bind ${a}:${config.health.port}`,
        ),
        `monitor-uri ${config.health.uri}`,
        ...(config.health.failWithoutServers ?? []).map((b) => `monitor fail if { nbsrv(${b}) lt 1 }`),
        "option dontlog-normal",
      ],
      1,
    ),
    "",
    "frontend ha_stats",
    ...indent(
      [
        "mode http",
        `bind ${config.stats.address}:${config.stats.port}`,
        "stats enable",
        `stats uri ${config.stats.uri}`,
        "stats refresh 5s",
        "stats show-legends",
        "option dontlog-normal",
      ],
      1,
    ),
  ];
}

/** Renders `haproxy.cfg`. Pure: the same input always gives the same text. */
export function renderHaproxyCfg(config: HaproxyConfig): string {
  return lines(
    generatedHeader("#"),
    globalAndDefaults(config),
    frontendSections(config),
    config.backends.flatMap((b) => backendSection(b, config.mode)),
    loopbackSections(config),
  );
}
