/**
 * The route to a service address in a router container, as it changes: `ip monitor route` in
 * the container's network namespace (entered from the engine's side by its PID), each change
 * stamped when it arrived; `-o` prints a multipath route on one line, which the drills' own
 * route watch parses the same way.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { nextHopsOf } from "../../lib/drill/three-tier/route-watch";

/** One state of the route: since when, and its next hops (none: no route). */
export interface RouteState {
  readonly t: number;
  readonly hops: string[];
  readonly line: string;
}

/** Reads `ip -o monitor route` lines (one per change) into route states for `service`. */
export class RouteStates {
  public readonly states: RouteState[] = [];

  constructor(private readonly service: string) {}

  /** A state known otherwise (the route as shown when the monitor started). */
  public seed(hops: readonly string[], t = Date.now()): void {
    this.states.push({ t, hops: [...hops].sort(), line: "(seed)" });
  }

  /** Takes one line the monitor printed at `t` (the drills' parser reads it). */
  public take(line: string, t = Date.now()): void {
    const text = line.replace(/\\\s*/g, " ").trim();
    const hops = nextHopsOf(text, this.service);
    if (hops) this.states.push({ t, hops, line: text });
  }

  /** The latest state, if any. */
  public get last(): RouteState | undefined {
    return this.states.at(-1);
  }
}

/** `ip monitor route` in the network namespace of process `pid`. */
export class RouteWatch extends RouteStates {
  private readonly child: ChildProcess;

  constructor(pid: number, service: string) {
    super(service);
    this.child = spawn("nsenter", [`--net=/proc/${pid}/ns/net`, "ip", "-o", "-4", "monitor", "route"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let buffer = "";
    this.child.stdout?.on("data", (d: Buffer) => {
      const t = Date.now();
      buffer += d.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const l of lines) this.take(l, t);
    });
  }

  public stop(): void {
    if (this.child.pid !== undefined && this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}
