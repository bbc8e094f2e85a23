/**
 * The route to a service address in a router container, as it changes: `ip monitor route` in
 * the container's network namespace (entered from the engine's side by its PID), each change
 * stamped when it arrived. Multipath routes print one line per next hop after their header.
 */
import { type ChildProcess, spawn } from "node:child_process";

/** One state of the route: since when, and its next hops (none: no route). */
export interface RouteState {
  readonly t: number;
  readonly hops: string[];
  readonly line: string;
}

/** Reads `ip monitor route` lines into route states for `service`. */
export class RouteStates {
  public readonly states: RouteState[] = [];
  private open: RouteState | undefined;

  constructor(private readonly service: string) {}

  /** A state known otherwise (the route as shown when the monitor started). */
  public seed(hops: readonly string[], t = Date.now()): void {
    this.states.push({ t, hops: [...hops].sort(), line: "(seed)" });
  }

  /** Takes one line the monitor printed at `t`. */
  public take(line: string, t = Date.now()): void {
    const nexthop = /^\s*nexthop via (\S+)/.exec(line);
    if (nexthop) {
      this.open?.hops.push(nexthop[1] as string);
      this.open?.hops.sort();
      return;
    }
    this.open = undefined;
    const text = line.trim();
    if (text.startsWith(`Deleted ${this.service} `)) {
      this.states.push({ t, hops: [], line: text });
    } else if (text.startsWith(`${this.service} `)) {
      const via = /^\S+ via (\S+)/.exec(text);
      const state = { t, hops: via ? [via[1] as string] : [], line: text };
      this.states.push(state);
      if (!via) this.open = state;
    }
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
    this.child = spawn("nsenter", [`--net=/proc/${pid}/ns/net`, "ip", "-4", "monitor", "route"], {
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
