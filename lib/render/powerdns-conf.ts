/**
 * `pdns.conf` of a PowerDNS Authoritative Server (4.7) that serves health-checked pool names from
 * zone files: the bind backend, LUA records, the checker's timing, and caches that cannot hold an
 * answer computed from an earlier health state.
 */
import { invalid } from "../errors";
import { assertFilePath, assertIntegerInRange, assertName, assertPort } from "../model/config-text";
import { assertIpAddress } from "../model/dns-text";
import { generatedHeader, lines } from "./text";

export interface PowerDnsConf {
  /** Addresses the server listens on (UDP and TCP). */
  readonly localAddresses: readonly string[];
  readonly localPort: number;
  /** Absolute path of the bind backend's named.conf. */
  readonly bindConfigPath: string;
  /** `lua-health-checks-interval`: seconds from the start of one round of probes to the next. */
  readonly healthCheckIntervalSeconds: number;
  /**
   * `lua-health-checks-expire-delay`: a check no query has used for this long stops, and the
   * next query meets the check unrun again (every member counts as down).
   */
  readonly healthCheckExpireSeconds: number;
  /**
   * The account the server drops to once it has bound its sockets and opened its control socket
   * (`setuid`/`setgid`, a user and a group of the same name, e.g. Debian's "pdns"); it reads the
   * zone files as that account.
   * @default - the account that started it
   */
  readonly runAs?: string;
  /**
   * Directory of the control socket (`socket-dir`); the server then writes no pidfile of its own
   * (`write-pid=no`): its supervisor keeps one.
   * @default - the compiled-in directory, with PowerDNS's pidfile in it
   */
  readonly socketDir?: string;
}

const WHERE = "PowerDNS pdns.conf";

/** Renders pdns.conf. Pure: the same input always gives the same text. */
export function renderPowerDnsConf(conf: PowerDnsConf): string {
  if (conf.localAddresses.length === 0) {
    invalid(WHERE, "local addresses", conf.localAddresses, "give at least one address to listen on");
  }
  const addresses = conf.localAddresses.map((a) => assertIpAddress(WHERE, "local address", a));
  assertPort(WHERE, "local port", conf.localPort);
  assertFilePath(WHERE, "bind config", conf.bindConfigPath);
  assertIntegerInRange(WHERE, "health check interval", conf.healthCheckIntervalSeconds, 1, 3600);
  assertIntegerInRange(WHERE, "health check expiry", conf.healthCheckExpireSeconds, 1, 31_536_000);
  if (conf.runAs !== undefined) assertName(WHERE, "runAs", conf.runAs);
  if (conf.socketDir !== undefined) assertFilePath(WHERE, "socket dir", conf.socketDir);
  return lines(
    generatedHeader("#"),
    "# Zones come from zone files; a changed file comes with a new deploy, which restarts the server.",
    "launch=bind",
    `bind-config=${conf.bindConfigPath}`,
    "bind-check-interval=0",
    "",
    "# LUA records, each query in a fresh Lua state (not 'shared'): no state leaks between answers.",
    "enable-lua-records=yes",
    "lua-records-exec-limit=1000",
    `lua-health-checks-interval=${conf.healthCheckIntervalSeconds}`,
    `lua-health-checks-expire-delay=${conf.healthCheckExpireSeconds}`,
    "",
    "# Caches. A LUA answer is never put in the packet cache (4.7 marks it not cacheable); the packet",
    "# cache is off all the same, so that no version can serve an answer from an older health state.",
    "# The query cache holds backend rows (the records' code, not their answers) of zones that change",
    "# only with a restart.",
    "cache-ttl=0",
    "query-cache-ttl=20",
    "negquery-cache-ttl=60",
    "",
    `local-address=${addresses.join(", ")}`,
    `local-port=${conf.localPort}`,
    "",
    "# Authoritative only (PowerDNS Authoritative never recurses); no zone transfers, no updates:",
    "# every server loads the same zone files.",
    "primary=no",
    "secondary=no",
    "disable-axfr=yes",
    "dnsupdate=no",
    "",
    "# In the foreground under a supervisor, logging to stdout; level 6 logs each member going up or down.",
    "daemon=no",
    "guardian=no",
    "disable-syslog=yes",
    "loglevel=6",
    conf.runAs !== undefined &&
      "# Sockets bound and the control socket opened as root, then as this account.",
    conf.runAs !== undefined && `setuid=${conf.runAs}`,
    conf.runAs !== undefined && `setgid=${conf.runAs}`,
    conf.socketDir !== undefined && `socket-dir=${conf.socketDir}`,
    conf.socketDir !== undefined && "write-pid=no",
    "# No query to secpoll.powerdns.com: the servers may have no way out, and need none.",
    "security-poll-suffix=",
    "version-string=anonymous",
  );
}
