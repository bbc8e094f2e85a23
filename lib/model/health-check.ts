import { type ErrorLocation, invalid } from "../errors";
import { assertCommand, assertIntegerInRange, assertPort, assertUrlPath } from "./config-text";

/** What a health check probes. */
export enum HealthCheckKind {
  /** An HTTP request that must answer with the expected status. */
  HTTP = "http",
  /** A TCP connection that must be accepted. */
  TCP = "tcp",
  /** A command that must exit 0. */
  SCRIPT = "script",
}

/** Timing shared by every kind of health check. */
export interface HealthCheckTimingOptions {
  /**
   * Time between two probes of one target.
   * @default 1000 - one probe a second finds a dead target in `unhealthyThreshold` seconds
   * while costing a backend one request a second per load balancer.
   */
  readonly intervalMs?: number;
  /**
   * How long one probe may take before it counts as failed. Must be shorter than the interval.
   * @default 500 - half the default interval: a healthy local backend answers in milliseconds.
   */
  readonly timeoutMs?: number;
  /**
   * Consecutive passing probes before a target counts as healthy again ("rise").
   * @default 2 - one lucky probe does not bring a flapping target back.
   */
  readonly healthyThreshold?: number;
  /**
   * Consecutive failing probes before a target counts as unhealthy ("fall").
   * @default 2 - one lost probe does not take a target out, two do (2 s at the default interval).
   */
  readonly unhealthyThreshold?: number;
}

/** Options of an HTTP health check. */
export interface HttpHealthCheckOptions extends HealthCheckTimingOptions {
  /**
   * Request path.
   * @default "/"
   */
  readonly path?: string;
  /**
   * Port to probe.
   * @default - the service port of the target
   */
  readonly port?: number;
  /**
   * Status code a healthy target answers with.
   * @default 200
   */
  readonly expectedStatus?: number;
}

/** Options of a TCP health check. */
export interface TcpHealthCheckOptions extends HealthCheckTimingOptions {
  /**
   * Port to probe.
   * @default - the service port of the target
   */
  readonly port?: number;
}

/**
 * A portable health check: rendered as HAProxy `check` options, keepalived `vrrp_script`s,
 * container health checks, PowerDNS `ifurlup`/`ifportup` or Route 53 health checks.
 *
 * ```ts
 * HealthCheck.http({ path: "/healthz" })
 * HealthCheck.tcp({ intervalMs: 2000 })
 * HealthCheck.script(["/usr/local/bin/check-app", "--quick"])
 * ```
 */
export class HealthCheck {
  /** Probe with an HTTP GET that must answer `expectedStatus`. */
  public static http(options: HttpHealthCheckOptions = {}): HealthCheck {
    return new HealthCheck(HealthCheckKind.HTTP, options, {
      path: options.path ?? "/",
      port: options.port,
      expectedStatus: options.expectedStatus ?? 200,
    });
  }

  /** Probe by opening a TCP connection. */
  public static tcp(options: TcpHealthCheckOptions = {}): HealthCheck {
    return new HealthCheck(HealthCheckKind.TCP, options, { port: options.port });
  }

  /** Probe by running a command on the checking host; exit status 0 means healthy. */
  public static script(command: string[], options: HealthCheckTimingOptions = {}): HealthCheck {
    // A plain string (possible from JavaScript) must reach validate() as it is: spread, it would
    // become a list of one-character arguments that passes every check.
    return new HealthCheck(HealthCheckKind.SCRIPT, options, {
      command: Array.isArray(command) ? [...command] : command,
    });
  }

  public readonly kind: HealthCheckKind;
  public readonly intervalMs: number;
  public readonly timeoutMs: number;
  public readonly healthyThreshold: number;
  public readonly unhealthyThreshold: number;
  /** HTTP only: request path. */
  public readonly path?: string;
  /** HTTP and TCP: port to probe, when not the service port. */
  public readonly port?: number;
  /** HTTP only: the expected status code. */
  public readonly expectedStatus?: number;
  /** Script only: the command. */
  public readonly command?: readonly string[];

  private constructor(
    kind: HealthCheckKind,
    timing: HealthCheckTimingOptions,
    target: { path?: string; port?: number; expectedStatus?: number; command?: readonly string[] },
  ) {
    this.kind = kind;
    this.path = target.path;
    this.port = target.port;
    this.expectedStatus = target.expectedStatus;
    this.command = target.command;
    this.intervalMs = timing.intervalMs ?? 1000;
    this.timeoutMs = timing.timeoutMs ?? Math.min(500, this.intervalMs);
    this.healthyThreshold = timing.healthyThreshold ?? 2;
    this.unhealthyThreshold = timing.unhealthyThreshold ?? 2;
  }

  /**
   * Throws a ValidationError at `where` if this check cannot be rendered safely.
   * Constructs call it with their own path, so the message points at the user's construct.
   */
  public validate(where: ErrorLocation): void {
    assertIntegerInRange(where, "health check intervalMs", this.intervalMs, 100, 3_600_000);
    assertIntegerInRange(where, "health check timeoutMs", this.timeoutMs, 10, 3_600_000);
    if (this.timeoutMs > this.intervalMs) {
      invalid(where, "health check timeoutMs", this.timeoutMs, `use at most intervalMs (${this.intervalMs})`);
    }
    assertIntegerInRange(where, "health check healthyThreshold", this.healthyThreshold, 1, 10);
    assertIntegerInRange(where, "health check unhealthyThreshold", this.unhealthyThreshold, 1, 10);
    if (this.port !== undefined) assertPort(where, "health check port", this.port);
    if (this.kind === HealthCheckKind.HTTP) {
      assertUrlPath(where, "health check path", this.path as string);
      assertIntegerInRange(where, "health check expectedStatus", this.expectedStatus as number, 100, 599);
    }
    if (this.kind === HealthCheckKind.SCRIPT) {
      assertCommand(where, "health check command", this.command as string[]);
    }
  }

  /**
   * Worst-case time from a target's death until this check marks it down:
   * `unhealthyThreshold` probes, each up to one interval apart and timing out.
   */
  public get detectionTimeMs(): number {
    return this.unhealthyThreshold * this.intervalMs + this.timeoutMs;
  }
}

/**
 * The argument vector that probes `url` over HTTP from the host itself (curl; exit 0 on a 2xx or
 * 3xx answer within `timeoutSeconds`), for host health commands and keepalived track scripts.
 */
export function httpProbeCommand(url: string, timeoutSeconds: number): string[] {
  return [
    "/usr/bin/curl",
    "--fail",
    "--silent",
    "--output",
    "/dev/null",
    "--max-time",
    String(timeoutSeconds),
    url,
  ];
}
