/**
 * What every drill client shares, whatever it speaks (HTTP and DNS today; SQL writes come with
 * their topology): it runs in a client place of the lab, starts one probe every few
 * milliseconds, each with its own time limit, and records for each how it ended and which node
 * answered. Measurements read only these records.
 */
import type { Lab } from "../core/lab";

/** How a probe ended, for any protocol; a client adds its own kinds (`http-5xx`, `servfail`, ...). */
export type CommonOutcome = "ok" | "refused" | "timeout" | "reset" | "unreachable" | "error";

/** One probe a client made. */
export interface ProbeRecord<O extends string = string> {
  /** Sequence number. */
  readonly seq: number;
  /** Start and end, monotonic milliseconds (the drill's `nowMs` clock). */
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: O;
  /** The node that answered (for HTTP a response header such as `X-Load-Balancer`). */
  readonly answeredBy?: string;
  /** The node behind it that served the answer (for HTTP e.g. `X-Served-By`). */
  readonly servedBy?: string;
  /** Protocol facts of the answer (HTTP status, DNS response code, ...). */
  readonly status?: number;
  /** Addresses the answer named, sorted as strings (DNS: the answer section's A or AAAA records). */
  readonly answers?: readonly string[];
  /** How long the answer may be cached, in seconds (DNS: its records' smallest TTL). */
  readonly ttlSeconds?: number;
  /** The kept-alive connection the probe used (clients that keep connections open). */
  readonly connection?: number;
  /** Whether the probe opened (or tried to open) that connection. */
  readonly opened?: boolean;
  /** On a kept-alive connection it did not open: milliseconds since the connection's last answer. */
  readonly idleMs?: number;
}

/** Pacing every client takes. */
export interface ProbePacing {
  /** Milliseconds between probe starts. @default 15 */
  readonly intervalMs?: number;
  /** Limit for one probe, from connect to its last byte. @default 500 */
  readonly timeoutMs?: number;
  /** The client stops by itself after this many seconds. @default 300 */
  readonly maxSeconds?: number;
}

/** A running client; `records` grows as probes complete. */
export interface DrillClient<O extends string = string> {
  /** What it probes, for reports (`http://198.18.0.10:80/`). */
  readonly target: string;
  readonly records: readonly ProbeRecord<O>[];
  /** Probes skipped because every slot was busy. */
  readonly skipped: number;
  /** Stops probing, lets probes in flight finish (bounded) and ends the process. */
  stop(): Promise<void>;
}

/** A kind of client: starts one in a lab's client place (or a host's network). */
export interface ClientKind<Options, O extends string = string> {
  readonly kind: string;
  start(lab: Lab, place: string, options: Options): Promise<DrillClient<O>>;
}
