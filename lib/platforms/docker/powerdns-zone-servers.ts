/**
 * The PowerDNS servers of one zone on a Docker platform: `serverCount` containers that load the
 * same zone file, with one LUA record per health-checked name asked for in the zone. The first
 * request of a zone makes them; later requests of the zone add their record to the same file.
 */
import { Construct } from "constructs";
import { invalid } from "../../errors";
import { assertConstructId } from "../../model/config-text";
import { type HostSpec, Software } from "../../model/host-spec";
import { Spread } from "../../model/placement";
import type { PowerDnsPoolRecord } from "../../render/powerdns-zone";
import type { IHost } from "../host";
import type { ISegment } from "../segment";
import { type ITrafficPeer, Traffic, TrafficSource } from "../traffic";
import type { DockerPlatform } from "./docker-platform";
import {
  DNS_PORT,
  namedConfText,
  POWERDNS_CONF_PATH,
  POWERDNS_CONFIG_DIR,
  POWERDNS_NAMED_CONF_PATH,
  POWERDNS_WARMUP_PATH,
  powerDnsConfText,
  warmupText,
  zoneFilePath,
  zoneText,
} from "./powerdns-files";
import { MAX_POWERDNS_MEMBERS, type PowerDnsNameRequest } from "./powerdns-request";

/** The Debian packages of a server: the daemon, its bind backend, `dig` for the warm-up, `ps`. */
export const POWERDNS_PACKAGES: readonly string[] = [
  "pdns-server",
  "pdns-backend-bind",
  "bind9-dnsutils",
  "procps",
];

/** The zones' servers of each platform, by zone name. */
const ZONES = new WeakMap<DockerPlatform, Map<string, PowerDnsZoneServers>>();

/** The servers of `name`'s zone on `platform`: made for the zone's first name, shared by the next. */
export function zoneServersFor(platform: DockerPlatform, name: PowerDnsNameRequest): PowerDnsZoneServers {
  let zones = ZONES.get(platform);
  if (zones === undefined) {
    zones = new Map();
    ZONES.set(platform, zones);
  }
  const existing = zones.get(name.zone);
  if (existing !== undefined) {
    existing.add(name);
    return existing;
  }
  const servers = new PowerDnsZoneServers(platform, name);
  zones.set(name.zone, servers);
  return servers;
}

/** The servers of one zone. */
export class PowerDnsZoneServers implements ITrafficPeer {
  public readonly zone: string;
  public readonly serverCount: number;
  public readonly segment: ISegment;
  /** The check interval of every name of the zone (pdns.conf holds one for the server). */
  public readonly intervalSeconds: number;
  public readonly timeoutSeconds: number;
  /** The servers' traffic group: the construct that groups them. */
  public readonly trafficGroup: string;
  /** The servers, ns1 first. */
  public readonly hosts: readonly IHost[];
  private readonly names: PowerDnsNameRequest[] = [];
  /** (member traffic group, port) pairs already admitted, so each rule is stated once. */
  private readonly probeFlows = new Set<string>();

  constructor(
    private readonly platform: DockerPlatform,
    first: PowerDnsNameRequest,
  ) {
    const segment = first.request.segment;
    platform.segmentById(first.scope, segment.segmentId);
    this.zone = first.zone;
    this.serverCount = first.serverCount;
    this.segment = segment;
    this.intervalSeconds = first.timing.intervalSeconds;
    this.timeoutSeconds = first.timing.timeoutSeconds;
    this.assertNotAServerName(first);
    this.names.push(first);
    const group = new Construct(first.scope, assertConstructId(first.scope, first.id));
    this.trafficGroup = group.node.path;
    this.hosts = Array.from({ length: this.serverCount }, (_, i) => this.addServer(group, i + 1));
    for (const traffic of [Traffic.udp(DNS_PORT), Traffic.tcp(DNS_PORT)]) {
      platform.allowTraffic(group, {
        toGroup: this.trafficGroup,
        traffic,
        from: TrafficSource.clients(),
        description: `DNS queries for ${this.zone} to its PowerDNS servers`,
      });
    }
  }

  /** Adds a later name of the zone; throws a ValidationError at its scope when it conflicts. */
  public add(name: PowerDnsNameRequest): void {
    const where = name.scope;
    const first = this.names[0] as PowerDnsNameRequest;
    const holder = `${first.scope.node.path} asked for ${this.zone}'s servers first`;
    if (name.serverCount !== this.serverCount) {
      invalid(where, "serverCount", name.serverCount, `use ${this.serverCount}: ${holder} with that many`);
    }
    if (name.request.segment.segmentId !== this.segment.segmentId) {
      invalid(
        where,
        "segment",
        name.request.segment.displayName,
        `use ${this.segment.displayName}: ${holder} on it`,
      );
    }
    if (
      name.timing.intervalSeconds !== this.intervalSeconds ||
      name.timing.timeoutSeconds !== this.timeoutSeconds
    ) {
      invalid(
        where,
        "health check timing",
        `every ${name.timing.intervalSeconds} s, timeout ${name.timing.timeoutSeconds} s`,
        `use a check PowerDNS runs every ${this.intervalSeconds} s with a ${this.timeoutSeconds} s timeout, as ${first.scope.node.path}'s: a server probes every name of its zone in one round (one lua-health-checks-interval, and the slowest probe holds the round), or put the name in a zone of its own`,
      );
    }
    const taken = this.names.find((n) => n.fqdn === name.fqdn);
    if (taken !== undefined) {
      invalid(
        where,
        "record name",
        name.recordName,
        `${taken.scope.node.path} already publishes ${name.fqdn}`,
      );
    }
    this.assertNotAServerName(name);
    this.names.push(name);
  }

  /** The names published in the zone, fully qualified. */
  public get fqdns(): string[] {
    return this.names.map((n) => n.fqdn);
  }

  private assertNotAServerName(name: PowerDnsNameRequest): void {
    const servers = Array.from({ length: this.serverCount }, (_, i) => `ns${i + 1}`);
    if (servers.includes(name.recordName)) {
      invalid(
        name.scope,
        "record name",
        name.recordName,
        `use another name: ${servers.join(", ")} name the zone's servers`,
      );
    }
  }

  /** Host names: the zone's labels joined by '-', then `-dns-<i>`. */
  private hostname(index: number): string {
    const base = this.zone.replace(/[._]/g, "-").slice(0, 57).replace(/-+$/, "");
    return `${base}-dns-${index}`;
  }

  private addServer(group: Construct, index: number): IHost {
    const platform = this.platform;
    const domain = Spread.even().domainFor(group, "DNS server", index - 1, platform.failureDomains);
    const attachment = platform.attachHost(
      group,
      `${group.node.path}/Server${index}`,
      this.segment,
      domain,
      0,
    );
    const spec: HostSpec = {
      hostname: this.hostname(index),
      role: "dns-server",
      failureDomain: domain,
      software: Software.debianPackages("ha-dns", [...POWERDNS_PACKAGES]),
      files: [
        {
          path: POWERDNS_CONF_PATH,
          content: () => powerDnsConfText(attachment.lease.address, this.intervalSeconds),
        },
        { path: POWERDNS_NAMED_CONF_PATH, content: namedConfText(this.zone) },
        { path: zoneFilePath(this.zone), content: () => this.zoneText(group) },
        { path: POWERDNS_WARMUP_PATH, content: () => warmupText(this.zone, this.fqdns), executable: true },
      ],
      processes: [
        // In the foreground (pdns.conf: daemon=no, guardian=no); it drops to the pdns account itself.
        { name: "pdns", command: ["/usr/sbin/pdns_server", `--config-dir=${POWERDNS_CONFIG_DIR}`] },
        { name: "dns-warmup", command: [POWERDNS_WARMUP_PATH] },
      ],
      capabilities: [],
      sysctls: {},
      attachments: [attachment],
      trafficGroup: this.trafficGroup,
      healthCommand: {
        command: [POWERDNS_WARMUP_PATH, "check"],
        intervalSeconds: 2,
        timeoutSeconds: 3,
        retries: 3,
      },
    };
    return platform.addHost(group, `Server${index}`, spec);
  }

  /** The zone file, read at synthesis: every name's members as they are then. */
  private zoneText(group: Construct): string {
    const servers = this.hosts.map((h, i) => ({ name: `ns${i + 1}`, address: h.address }));
    return zoneText(
      this.zone,
      servers,
      this.names.map((n) => this.poolRecord(group, n)),
    );
  }

  private poolRecord(group: Construct, name: PowerDnsNameRequest): PowerDnsPoolRecord {
    const members = name.request.members();
    if (members.length < 1 || members.length > MAX_POWERDNS_MEMBERS) {
      invalid(
        name.scope,
        "member count",
        members.length,
        `give a health-checked name 1-${MAX_POWERDNS_MEMBERS} members`,
      );
    }
    const names = members.map((m) => m.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined)
      invalid(name.scope, "member name", duplicate, "give each member a name of its own");
    for (const member of members) this.admitProbes(group, member.trafficGroup, name.probe.port);
    return {
      name: name.recordName,
      ttlSeconds: name.ttlSeconds,
      members: members.map((m) => m.address),
      probe: name.probe,
      selection: name.selection,
      allUnhealthy: name.allUnhealthy,
    };
  }

  /**
   * The servers probe the members themselves: their traffic group must admit the probe port. The
   * members are known only at synthesis, so the rule is stated then, once per group and port.
   */
  private admitProbes(group: Construct, memberGroup: string | undefined, port: number): void {
    if (memberGroup === undefined || this.probeFlows.has(`${memberGroup} ${port}`)) return;
    this.probeFlows.add(`${memberGroup} ${port}`);
    this.platform.allowTraffic(group, {
      toGroup: memberGroup,
      traffic: Traffic.tcp(port),
      from: TrafficSource.group(this),
      description: `health probes of ${this.zone}'s PowerDNS servers`,
    });
  }
}
