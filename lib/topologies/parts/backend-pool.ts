import { Construct, type IConstruct } from "constructs";
import { invalid } from "../../errors";
import { assertCommand, assertConstructId, assertIntegerInRange, assertPort } from "../../model/config-text";
import { HealthCheck, HealthCheckKind, httpProbeCommand } from "../../model/health-check";
import { type HostSpec, Software } from "../../model/host-spec";
import { Spread } from "../../model/placement";
import type { IHost } from "../../platforms/host";
import { type IPlatform, Platform } from "../../platforms/platform";
import type { ISegment } from "../../platforms/segment";
import { type ITrafficPeer, Traffic, TrafficSource } from "../../platforms/traffic";
import { DEMO_BACKEND_PATH, renderDemoBackend } from "../../render/demo-backend";

/** One backend server of a pool. */
export interface BackendMember {
  /** Server name in load-balancer configuration (the host name). */
  readonly name: string;
  /** Address, fixed at synthesis. */
  readonly address: string;
  readonly port: number;
  /** Construct path of the host, for the HA report. */
  readonly componentId: string;
}

/** A pool of interchangeable backend servers that load balancers send traffic to. */
export interface IBackendPool extends IConstruct, ITrafficPeer {
  /** The port the backends serve on. */
  readonly port: number;
  /** How load balancers check a backend. */
  readonly healthCheck: HealthCheck;
  /** The members; read at synthesis, so replicas added later count. */
  readonly members: readonly BackendMember[];
  /** Id of the pool's redundancy group in the HA report. */
  readonly redundancyGroupId: string;
  /** The platform the pool's hosts run on; a load balancer must share it. */
  readonly platform: IPlatform;
  /** The segment the pool's hosts are attached to. @default - not known (not checked) */
  readonly segment?: ISegment;
  /** Lets `peer`'s hosts reach the service port and the health-check port. */
  allowFrom(peer: ITrafficPeer, description: string): void;
}

/** Properties of a BackendPool. */
export interface BackendPoolProps {
  /**
   * Number of backend replicas.
   * @default 2 - the fewest that survive the loss of one
   */
  readonly replicas?: number;
  /**
   * Port the backends serve on.
   * @default 8080
   */
  readonly port?: number;
  /**
   * How load balancers check a backend.
   * @default HealthCheck.http({ path: "/" }) - every 1 s, down after 2 failures, up after 2 passes
   */
  readonly healthCheck?: HealthCheck;
  /**
   * The application's container image (Docker platform).
   * @default - a built-in demo HTTP server on Debian bookworm that answers every GET with its host
   * name; replace it with your application
   */
  readonly image?: string;
  /**
   * Command to run in `image`, as an argument vector.
   * @default - the image's own entry point
   */
  readonly command?: string[];
  /**
   * Environment variables for the application.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * How the replicas are spread over the platform's failure domains.
   * @default Spread.even() - replica i in domain i mod n, so one zone's loss leaves the others serving
   */
  readonly spread?: Spread;
  /**
   * The segment the replicas attach to.
   * @default - the platform's default segment
   */
  readonly segment?: ISegment;
}

/**
 * A pool of backend replicas, each a host of the platform running the application.
 *
 * ```ts
 * const web = new BackendPool(platform, "web", { replicas: 3, port: 8080,
 *   healthCheck: HealthCheck.http({ path: "/healthz" }) });
 * ```
 */
export class BackendPool extends Construct implements IBackendPool {
  public readonly port: number;
  public readonly healthCheck: HealthCheck;
  public readonly redundancyGroupId: string;
  public readonly trafficGroup: string;
  public readonly platform: IPlatform;
  private readonly hosts: IHost[] = [];
  private readonly memberIds: string[] = [];
  private readonly props: BackendPoolProps;
  private readonly spread: Spread;
  public readonly segment: ISegment;

  constructor(scope: Construct, id: string, props: BackendPoolProps = {}) {
    super(scope, assertConstructId(scope, id));
    this.platform = Platform.of(this);
    this.props = props;
    this.port = assertPort(this, "port", props.port ?? 8080);
    this.healthCheck = props.healthCheck ?? HealthCheck.http({ path: "/" });
    this.healthCheck.validate(this);
    if (this.healthCheck.kind === HealthCheckKind.SCRIPT && (this.healthCheck.command?.length ?? 0) > 1) {
      invalid(
        this,
        "healthCheck command",
        this.healthCheck.command,
        "HAProxy runs a check script as `SCRIPT PROXY_ADDRESS PROXY_PORT SERVER_ADDRESS SERVER_PORT`: give the script alone, without arguments",
      );
    }
    if (props.command) assertCommand(this, "command", props.command);
    if (props.command && !props.image) {
      invalid(this, "command", props.command, "set `image` too: the command runs in your image");
    }
    for (const [key, value] of Object.entries(props.environment ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
        invalid(this, "environment variable name", key, "use letters, digits and '_'");
      if (/[\0\r\n]/.test(value))
        invalid(this, `environment variable ${key}`, value, "use a value without line breaks or NUL");
    }
    const replicas = assertIntegerInRange(this, "replicas", props.replicas ?? 2, 1, 1000);
    this.spread = props.spread ?? Spread.even();
    this.segment = props.segment ?? this.platform.defaultSegment;
    this.redundancyGroupId = this.node.path;
    this.trafficGroup = this.node.path;
    this.platform.availability.addGroup({
      id: this.redundancyGroupId,
      role: "backend",
      topology: this.node.path,
      members: this.memberIds,
      minimumHealthy: 1,
      mechanism: "load-balancer health checks",
      predictions: [],
      dependsOn: [],
    });
    for (let i = 0; i < replicas; i++) this.addReplica();
  }

  /** Adds one more replica and returns its host. */
  public addReplica(): IHost {
    const index = this.hosts.length;
    const hostname = `${this.node.id}-${index}`.toLowerCase();
    const failureDomain = this.spread.domainFor(this, "replica", index, this.platform.failureDomains);
    const attachment = this.platform.attachHost(
      this,
      `${this.node.path}/Replica${index}`,
      this.segment,
      failureDomain,
      0,
    );
    const demo = this.props.image === undefined;
    const spec: HostSpec = {
      hostname,
      role: "backend",
      failureDomain,
      software: demo
        ? Software.debianPackages("ha-demo-backend", ["python3", "curl", "procps"])
        : Software.image(this.props.image as string),
      files: demo ? [{ path: DEMO_BACKEND_PATH, content: renderDemoBackend(), executable: true }] : [],
      processes: demo
        ? [{ name: "backend", command: [DEMO_BACKEND_PATH, String(this.port), hostname] }]
        : this.props.command
          ? [{ name: "backend", command: this.props.command }]
          : [],
      capabilities: [],
      sysctls: {},
      attachments: [attachment],
      trafficGroup: this.trafficGroup,
      ...(demo ? this.demoHealthCommand() : {}),
      environment: this.props.environment,
    };
    const host = this.platform.addHost(this, `Replica${index}`, spec);
    this.hosts.push(host);
    this.memberIds.push(host.node.path);
    return host;
  }

  /**
   * The demo server's own health check, the load balancers' HTTP check run from inside the
   * host (Docker's HEALTHCHECK, or the AWS host checker); none for TCP and script checks.
   */
  private demoHealthCommand(): Pick<HostSpec, "healthCommand"> {
    const check = this.healthCheck;
    if (check.kind !== HealthCheckKind.HTTP) return {};
    const timeoutSeconds = Math.max(1, Math.ceil(check.timeoutMs / 1000));
    const url = `http://127.0.0.1:${check.port ?? this.port}${check.path}`;
    return {
      healthCommand: {
        command: httpProbeCommand(url, timeoutSeconds),
        // The container status is for operators; the load balancers' own checks steer traffic.
        intervalSeconds: Math.max(2, Math.ceil(check.intervalMs / 1000)),
        timeoutSeconds,
        retries: check.unhealthyThreshold,
      },
    };
  }

  public allowFrom(peer: ITrafficPeer, description: string): void {
    const ports = new Set([
      this.port,
      ...(this.healthCheck.port !== undefined ? [this.healthCheck.port] : []),
    ]);
    for (const port of ports) {
      this.platform.allowTraffic(this, {
        toGroup: this.trafficGroup,
        traffic: Traffic.tcp(port),
        from: TrafficSource.group(peer),
        description: `${description} (${port === this.port ? "service" : "health check"})`,
      });
    }
  }

  public get members(): BackendMember[] {
    return this.hosts.map((h) => ({
      name: h.hostname,
      address: h.address,
      port: this.port,
      componentId: h.node.path,
    }));
  }
}
