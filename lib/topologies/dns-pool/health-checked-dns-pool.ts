import { Annotations, Token } from "cdktf";
import { Construct } from "constructs";
import { invalid } from "../../errors";
import { AllUnhealthy, AllUnhealthyKind } from "../../model/all-unhealthy";
import { assertConstructId, assertIntegerInRange, assertPort } from "../../model/config-text";
import { DnsAnswerSelection, DnsAnswerSelectionKind } from "../../model/dns-answer-selection";
import { assertRelativeDnsName } from "../../model/dns-text";
import { DnsZone } from "../../model/dns-zone";
import type { IEndpoint } from "../../model/endpoint";
import { HealthCheck } from "../../model/health-check";
import { Spread } from "../../model/placement";
import type { HealthCheckedMember, HealthCheckedNameBinding } from "../../platforms/health-checked-name";
import type { IHost } from "../../platforms/host";
import { type IPlatform, Platform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import type { ITrafficPeer } from "../../platforms/traffic";
import { addHaproxyNode, haproxyNodeMembers } from "../parts/haproxy-nodes";
import { HaproxyProxy, HEALTH_URI } from "../parts/haproxy-proxy";
import { type HealthCheckedDnsPoolProps, OWN_NODE_PROPS } from "./health-checked-dns-pool-props";
import { allUnhealthyBehaviour, memberPredictions } from "./predictions";

/** Most members one name may have. */
const MAX_MEMBERS = 64;

/**
 * One DNS name whose answers are the members that pass a health check: load balancers that each
 * have their own address, so the tier scales out instead of sharing one VIP. On Docker the name
 * is served by PowerDNS servers the platform runs (LUA records probing each member); on AWS by
 * Route 53 (a health check per member, multivalue answer records).
 *
 * ```ts
 * const web = new BackendPool(platform, "web", { replicas: 3 });
 * new HealthCheckedDnsPool(platform, "www", {
 *   zone: "pool.example.test", backends: web, nodeCount: 3, allUnhealthy: AllUnhealthy.answerAll(),
 * });
 * ```
 */
export class HealthCheckedDnsPool extends Construct implements ITrafficPeer {
  /** The fully qualified name clients resolve. */
  public readonly fqdn: string;
  public readonly ttlSeconds: number;
  public readonly selection: DnsAnswerSelection;
  public readonly allUnhealthy: AllUnhealthy;
  /** How the checker probes each member. */
  public readonly healthCheck: HealthCheck;
  /** What the platform made to serve the name. */
  public readonly binding: HealthCheckedNameBinding;
  /** The own nodes' traffic group. */
  public readonly trafficGroup: string;
  /** The members' service port. */
  public readonly servicePort: number;
  private readonly platform: IPlatform;
  private readonly ownNodes: IHost[] = [];
  private readonly endpoints: readonly IEndpoint[];

  constructor(scope: Construct, id: string, props: HealthCheckedDnsPoolProps) {
    super(scope, assertConstructId(scope, id));
    this.platform = Platform.of(this);
    const p = this.platform;
    const traits = p.traits.healthCheckedNames;
    this.trafficGroup = this.node.path;
    if (typeof props !== "object" || props === null) {
      invalid(this, "props", props, "give the pool's props, at least `zone`, `backends` and `allUnhealthy`");
    }
    const zone = typeof props.zone === "string" ? DnsZone.create(props.zone) : props.zone;
    if (!(zone instanceof DnsZone)) {
      invalid(this, "zone", props.zone, 'give a zone name ("pool.example.test") or a DnsZone');
    }
    const zoneName = zone.validate(this);
    const recordName = assertRelativeDnsName(
      this,
      "recordName",
      props.recordName ?? this.node.id.toLowerCase(),
    );
    this.fqdn = recordName === "@" ? zoneName : `${recordName.toLowerCase()}.${zoneName}`;
    this.ttlSeconds = assertIntegerInRange(this, "ttlSeconds", props.ttlSeconds ?? 5, 1, 3600);
    if (!(props.allUnhealthy instanceof AllUnhealthy)) {
      invalid(
        this,
        "allUnhealthy",
        props.allUnhealthy,
        "choose what the name answers when every member is down: AllUnhealthy.answerAll() (fail open), AllUnhealthy.answerNone() (fail closed) or AllUnhealthy.fallback(address)",
      );
    }
    this.allUnhealthy = props.allUnhealthy;
    this.allUnhealthy.validate(this);
    this.selection = props.selection ?? DnsAnswerSelection.all();
    if (!(this.selection instanceof DnsAnswerSelection)) {
      invalid(
        this,
        "selection",
        props.selection,
        "use DnsAnswerSelection.all(), .random(n) or .hashedByClient()",
      );
    }
    this.selection.validate(this);
    const segment: ISegment = props.segment ?? p.defaultSegment;

    const { memberCount, proxy } = this.membersFrom(props);
    this.endpoints = props.endpoints ?? [];
    this.servicePort = proxy
      ? assertPort(this, "listenerPort", props.listenerPort ?? 80)
      : this.endpointPort();
    this.healthCheck = this.chooseHealthCheck(props, proxy);
    this.checkAnswerLimit(memberCount);
    const serverCount = this.serverCount(props);

    if (proxy) {
      const spread = props.spread ?? Spread.even();
      const backends = props.backends as NonNullable<HealthCheckedDnsPoolProps["backends"]>;
      const ctx = {
        scope: this,
        platform: p,
        proxy,
        segment,
        spread,
        trafficGroup: this.trafficGroup,
        startsAfter: () => backends.members.map((m) => m.componentId),
      };
      for (let i = 0; i < memberCount; i++) this.ownNodes.push(addHaproxyNode(ctx, i));
      proxy.allowTraffic(p, this);
    }
    this.binding = p.addHealthCheckedName(this, "Name", {
      zone,
      recordName,
      ttlSeconds: this.ttlSeconds,
      memberCount,
      members: () => this.members,
      healthCheck: this.healthCheck,
      servicePort: this.servicePort,
      selection: this.selection,
      allUnhealthy: this.allUnhealthy,
      ...(serverCount !== undefined ? { serverCount } : {}),
      segment,
      topology: this.node.path,
    });
    this.record();
    if (traits.selfHostedServers && this.binding.servers.length === 1) {
      Annotations.of(this).addWarning(
        `${this.node.path}: one DNS server serves ${this.fqdn}; while it is down the name does not resolve. Run two or more (dnsServers).`,
      );
    }
  }

  /** The members as the platform sees them, read at synthesis. */
  public get members(): readonly HealthCheckedMember[] {
    if (this.ownNodes.length > 0) return haproxyNodeMembers(this.ownNodes, this.trafficGroup);
    return this.endpoints.map((e) => ({
      name: e.endpointName,
      address: e.address,
      componentId: e.componentId,
      ...(e.trafficGroup !== undefined ? { trafficGroup: e.trafficGroup } : {}),
    }));
  }

  /** The pool's own HAProxy nodes (empty when the members are endpoints). */
  public get nodes(): readonly IHost[] {
    return [...this.ownNodes];
  }

  /** Name servers clients (their resolvers) ask: addresses on Docker, the zone's names on AWS. */
  public get nameServers(): readonly string[] {
    return this.binding.nameServers;
  }

  /** Own nodes over `backends`, or `endpoints`: exactly one. */
  private membersFrom(props: HealthCheckedDnsPoolProps): { memberCount: number; proxy?: HaproxyProxy } {
    const hasBackends = props.backends !== undefined;
    const hasEndpoints = props.endpoints !== undefined;
    if (hasBackends === hasEndpoints) {
      invalid(
        this,
        "backends / endpoints",
        hasBackends ? "both" : "neither",
        "give `backends` (the pool runs its own HAProxy nodes in front of them) or `endpoints` (members made elsewhere), not both",
      );
    }
    if (hasEndpoints) {
      const endpoints = props.endpoints as readonly IEndpoint[];
      const given = OWN_NODE_PROPS.filter((k) => props[k] !== undefined);
      if (given.length > 0) {
        invalid(
          this,
          given.join(", "),
          given,
          "these configure the pool's own nodes: leave them out with `endpoints`",
        );
      }
      assertIntegerInRange(this, "endpoints (count)", endpoints.length, 1, MAX_MEMBERS);
      const names = endpoints.map((e) => e.endpointName);
      const duplicate = names.find((n, i) => names.indexOf(n) !== i);
      if (duplicate !== undefined) {
        invalid(this, "endpoint name", duplicate, "give every endpoint its own name");
      }
      for (const n of names) {
        if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(n)) {
          invalid(
            this,
            "endpoint name",
            n,
            "use 1-63 lower-case letters, digits and '-', not starting or ending with '-'",
          );
        }
      }
      return { memberCount: endpoints.length };
    }
    const backends = props.backends as NonNullable<HealthCheckedDnsPoolProps["backends"]>;
    if (typeof backends !== "object" || backends === null || backends.platform === undefined) {
      invalid(this, "backends", backends, "give the BackendPool the pool's nodes balance over");
    }
    if (backends.platform !== this.platform) {
      invalid(
        this,
        "backends",
        backends.node.path,
        `use a backend pool made on this pool's platform (${this.platform.node.path})`,
      );
    }
    const memberCount = assertIntegerInRange(this, "nodeCount", props.nodeCount ?? 2, 1, MAX_MEMBERS);
    const listenerPort = assertPort(this, "listenerPort", props.listenerPort ?? 80);
    const proxy = new HaproxyProxy(this, [{ name: this.node.id, port: listenerPort, backends }], props);
    return { memberCount, proxy };
  }

  /** The endpoints' common service port (a name's members serve one port). */
  private endpointPort(): number {
    const ports = [...new Set(this.endpoints.map((e) => e.port))];
    if (ports.length !== 1) {
      invalid(
        this,
        "endpoint ports",
        ports,
        "give endpoints that serve the same port: a DNS name carries no port",
      );
    }
    return assertPort(this, "endpoint port", ports[0] as number);
  }

  /** The check each member gets, at an interval the platform's checker offers. */
  private chooseHealthCheck(props: HealthCheckedDnsPoolProps, proxy: HaproxyProxy | undefined): HealthCheck {
    const offered = this.platform.traits.healthCheckedNames.checkIntervalsMs;
    const intervalMs = offered ? (offered.find((ms) => ms >= 1000) ?? (offered[0] as number)) : 1000;
    let check = props.healthCheck;
    if (check === undefined && proxy) {
      check = HealthCheck.http({ path: HEALTH_URI, port: proxy.healthPort, intervalMs });
    }
    if (check === undefined) {
      // Checks that probe alike count as one, whichever object describes them.
      const byShape = new Map(this.endpoints.map((e) => [JSON.stringify(e.healthCheck), e.healthCheck]));
      const checks = [...byShape.values()];
      if (checks.length !== 1) {
        invalid(
          this,
          "healthCheck",
          `${checks.length} different endpoint checks`,
          "one name has one check for all its members: give `healthCheck`, or endpoints checked alike",
        );
      }
      check = checks[0] as HealthCheck;
    }
    if (!(check instanceof HealthCheck)) {
      invalid(this, "healthCheck", check, "use HealthCheck.http(...) or HealthCheck.tcp(...)");
    }
    check.validate(this);
    if (offered && !offered.includes(check.intervalMs)) {
      invalid(
        this,
        "healthCheck intervalMs",
        check.intervalMs,
        `the ${this.platform.platformName} platform's DNS checker probes every ${offered.map((ms) => `${ms} ms`).join(" or ")}: use one of those`,
      );
    }
    return check;
  }

  /** The platform's cap on healthy answers, for the selection asked. */
  private checkAnswerLimit(memberCount: number): void {
    const max = this.platform.traits.healthCheckedNames.maxHealthyAnswers;
    if (max === undefined) return;
    const size =
      this.selection.kind === DnsAnswerSelectionKind.ALL ? memberCount : (this.selection.count as number);
    if (size > max) {
      invalid(
        this,
        this.selection.kind === DnsAnswerSelectionKind.ALL
          ? "selection all() with members"
          : "selection count",
        size,
        `the ${this.platform.platformName} platform answers with at most ${max} healthy addresses per name: use DnsAnswerSelection.random(${max}) or at most ${max} members`,
      );
    }
  }

  private serverCount(props: HealthCheckedDnsPoolProps): number | undefined {
    const traits = this.platform.traits.healthCheckedNames;
    if (!traits.selfHostedServers) {
      if (props.dnsServers !== undefined) {
        invalid(
          this,
          "dnsServers",
          props.dnsServers,
          `the ${this.platform.platformName} platform's DNS service runs its own name servers: leave dnsServers out`,
        );
      }
      return undefined;
    }
    return assertIntegerInRange(this, "dnsServers", props.dnsServers ?? 2, 1, 9);
  }

  /** The members, the name servers and the name in the HA report. */
  private record(): void {
    const model = this.platform.availability;
    const binding = this.binding;
    const members = () => this.members.map((m) => m.componentId);
    const serverGroup = `${this.node.path}/DnsServers`;
    if (binding.servers.length > 0) {
      model.addGroup({
        id: serverGroup,
        role: "dns-server",
        topology: this.node.path,
        members: binding.servers.map((s) => s.node.path),
        minimumHealthy: 1,
        mechanism: "resolvers ask the next name server when one does not answer",
        predictions: [
          {
            fault: "dns-server-loss",
            recoverySeconds: 0,
            failedRequests:
              "none: the other servers answer; a resolver that asks the lost server first waits its resolv.conf `timeout` (glibc: 5 s unless set; hosts given the pool's servers get 1 s), then asks the next, so resolutions are slower but succeed",
            basis: `${binding.servers.length} servers each answer the whole zone from the same files and run their own checks`,
          },
        ],
        dependsOn: [],
      });
    }
    model.addGroup({
      id: this.node.path,
      role: "load-balancer",
      topology: this.node.path,
      get members() {
        return members();
      },
      minimumHealthy: 1,
      mechanism: `health-checked DNS: ${binding.checker}`,
      predictions: memberPredictions(binding, this.ttlSeconds, this.allUnhealthy),
      dependsOn: binding.servers.length > 0 ? [serverGroup] : [],
    });
    const self = this;
    model.addHealthCheckedName({
      id: this.node.path,
      fqdn: this.fqdn,
      ttlSeconds: this.ttlSeconds,
      get nameServers() {
        const deployed = "the zone's name servers (known at deploy)";
        if (Token.isUnresolved(binding.nameServers)) return [deployed];
        return binding.nameServers.map((n) => (Token.isUnresolved(n) ? deployed : n));
      },
      serverHosts: binding.servers.map((s) => s.hostname),
      get members() {
        return self.members.map((m) => ({
          name: m.name,
          address: binding.answeredAddress?.(m) ?? m.address,
          componentId: m.componentId,
        }));
      },
      servicePort: this.servicePort,
      checker: binding.checker,
      selection:
        this.selection.kind === DnsAnswerSelectionKind.RANDOM
          ? `random ${this.selection.count}`
          : this.selection.kind,
      allUnhealthy:
        this.allUnhealthy.kind === AllUnhealthyKind.FALLBACK
          ? `fallback ${this.allUnhealthy.addresses.join(", ")}`
          : this.allUnhealthy.kind,
    });
    model.addNote(
      `${this.node.path}: when every member of ${this.fqdn} is down — ${allUnhealthyBehaviour(this.allUnhealthy)}.`,
    );
    for (const note of binding.notes) model.addNote(`${this.node.path}: ${note}`);
  }
}
