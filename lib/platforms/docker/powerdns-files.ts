/**
 * The files a PowerDNS server of a zone runs with, built from the zone's requests with the pure
 * renderers: pdns.conf, the bind backend's named.conf, the zone file and the warm-up script.
 */
import { createHash } from "node:crypto";
import { renderPowerDnsConf } from "../../render/powerdns-conf";
import { renderBindNamedConf } from "../../render/powerdns-named-conf";
import { POWERDNS_CHECK_EXPIRE_SECONDS } from "../../render/powerdns-timing";
import { renderPowerDnsWarmup } from "../../render/powerdns-warmup";
import {
  type PowerDnsPoolRecord,
  type PowerDnsZoneServer,
  renderPowerDnsZone,
} from "../../render/powerdns-zone";
import { SUPERVISOR_RUN_DIR } from "../../render/supervisor";

/** Where the server's configuration lives: Debian's own directory, whose files these replace. */
export const POWERDNS_CONFIG_DIR = "/etc/powerdns";
export const POWERDNS_CONF_PATH = `${POWERDNS_CONFIG_DIR}/pdns.conf`;
export const POWERDNS_NAMED_CONF_PATH = `${POWERDNS_CONFIG_DIR}/named.conf`;
/** The warm-up script (see render/powerdns-warmup). */
export const POWERDNS_WARMUP_PATH = "/usr/local/sbin/ha-dns-warmup";
/** The account Debian's pdns-server package makes; the server drops to it after binding port 53. */
export const POWERDNS_ACCOUNT = "pdns";
/** DNS port the servers listen on (UDP and TCP). */
export const DNS_PORT = 53;
/** Seconds between two warm-ups while a server keeps answering. */
export const WARMUP_REPEAT_SECONDS = 60;
/**
 * TTL of the zone's SOA, NS and server address records. The servers' addresses change only with
 * a deploy; five minutes lets resolvers follow a redeploy soon without asking for them all the time.
 */
export const ZONE_TTL_SECONDS = 300;

/** The zone file of `zone` on the servers. */
export function zoneFilePath(zone: string): string {
  return `${POWERDNS_CONFIG_DIR}/${zone}.zone`;
}

/**
 * pdns.conf of one server: listening on its own address and on 127.0.0.1 (the warm-up and the
 * health command ask there), probing every `intervalSeconds`, as the pdns account, with its
 * control socket in the supervisor's run directory (the container's /run is a fresh tmpfs).
 */
export function powerDnsConfText(address: string, intervalSeconds: number): string {
  return renderPowerDnsConf({
    localAddresses: [address, "127.0.0.1"],
    localPort: DNS_PORT,
    bindConfigPath: POWERDNS_NAMED_CONF_PATH,
    healthCheckIntervalSeconds: intervalSeconds,
    healthCheckExpireSeconds: POWERDNS_CHECK_EXPIRE_SECONDS,
    runAs: POWERDNS_ACCOUNT,
    socketDir: SUPERVISOR_RUN_DIR,
  });
}

/** named.conf: the one zone the servers answer for. */
export function namedConfText(zone: string): string {
  return renderBindNamedConf([{ name: zone, file: zoneFilePath(zone) }]);
}

/**
 * The zone file. The serial is derived from the zone's content (the first 32 bits of a SHA-256
 * of the file rendered with serial 0), not from the clock: synthesizing an unchanged stack again
 * gives the same file, so Terraform sees no change. The serial is therefore not increasing; no
 * server transfers the zone (each loads the same file, and AXFR is off), so none compares them.
 * The negative TTL (SOA minimum) is the shortest pool TTL: a fail-closed pool's empty answer is
 * cached no longer than an answer with addresses.
 */
export function zoneText(
  zone: string,
  servers: readonly PowerDnsZoneServer[],
  pools: readonly PowerDnsPoolRecord[],
): string {
  const negativeTtlSeconds = Math.min(ZONE_TTL_SECONDS, ...pools.map((p) => p.ttlSeconds));
  const render = (serial: number) =>
    renderPowerDnsZone({
      origin: zone,
      serial,
      ttlSeconds: ZONE_TTL_SECONDS,
      negativeTtlSeconds,
      servers,
      pools,
    });
  const digest = createHash("sha256").update(render(0)).digest();
  return render(digest.readUInt32BE(0));
}

/** The warm-up script: queries every pool name of the zone at 127.0.0.1. */
export function warmupText(zone: string, fqdns: readonly string[]): string {
  return renderPowerDnsWarmup({
    server: "127.0.0.1",
    zone,
    names: fqdns,
    repeatSeconds: WARMUP_REPEAT_SECONDS,
  });
}
