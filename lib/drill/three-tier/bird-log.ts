/**
 * The routers' BGP and BFD session changes, read from their BIRD logs (`log stderr all` with the
 * timestamp format of `render/bird-text.ts`: `2026-12-03 14:34:19.342 +0000 <TRACE> proto: ...`).
 * A drill reports them beside the routes' next-hop changes: a route that left because BFD
 * expired tells another story than one the L4 node's gate withdrew.
 */
import type { Lab } from "../core/lab";
import { nowMs } from "../core/proc";

/** One change of a session, at `t` (monotonic ms, as `nowMs`). */
export interface SessionChange {
  readonly t: number;
  readonly router: string;
  /** "bgp" for a BGP protocol's state, "bfd" for a BFD session's. */
  readonly kind: "bgp" | "bfd";
  /** The BGP protocol's name (e.g. `l4_n0`) or the BFD session's peer address. */
  readonly session: string;
  /** The new state: BGP "up" or "down"; BFD "Up", "Down", "Init", "AdminDown" or "expired". */
  readonly state: string;
}

/** A line of a BIRD log: date, time to the millisecond, UTC offset, class, protocol, message. */
const BIRD_LOG_LINE =
  /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) ([+-]\d\d)(\d\d) <[A-Z]+> ([A-Za-z0-9_]+): (.*)$/;
const BGP_STATE = /^State changed to (up|stop)$/;
const BFD_STATE = /^Session to (\S+) changed state from \S+ to (\S+)$/;
const BFD_EXPIRED = /^Session to (\S+) expired$/;

/**
 * The session change a BIRD log line tells, with its wall-clock time (ms since the epoch); undefined
 * for any other line. BGP protocols are those not named `bfd*`, `device*`, `kernel*` or
 * `static*`/`svc_*` (the L4 node's service protocols); "stop" (the first step of a session's
 * loss) is reported as "down".
 */
export function parseBirdSessionLine(
  line: string,
): (Omit<SessionChange, "t" | "router"> & { readonly wallMs: number }) | undefined {
  const m = BIRD_LOG_LINE.exec(line.trim());
  if (!m) return undefined;
  const [, date, time, zh, zm, proto, message] = m as unknown as string[];
  const wallMs = Date.parse(`${date}T${time}${zh}:${zm}`);
  if (Number.isNaN(wallMs)) return undefined;
  if (/^bfd/.test(proto as string)) {
    const changed = BFD_STATE.exec(message as string);
    if (changed) return { wallMs, kind: "bfd", session: changed[1] as string, state: changed[2] as string };
    const expired = BFD_EXPIRED.exec(message as string);
    if (expired) return { wallMs, kind: "bfd", session: expired[1] as string, state: "expired" };
    return undefined;
  }
  if (/^(device|kernel|static|svc_)/.test(proto as string)) return undefined;
  const state = BGP_STATE.exec(message as string);
  if (!state) return undefined;
  return { wallMs, kind: "bgp", session: proto as string, state: state[1] === "up" ? "up" : "down" };
}

/** At most this many last lines of each router's log are read (a drill's lab is fresh: far fewer). */
const MAX_LINES = 20_000;

/**
 * Every session change the `routers` logged from `sinceMs` (monotonic) on, in time order. The
 * routers run on this machine, whose clock their logs' wall-clock times come from.
 */
export function sessionChanges(lab: Lab, routers: readonly string[], sinceMs: number): SessionChange[] {
  const wallToMono = nowMs() - Date.now();
  const out: SessionChange[] = [];
  for (const router of routers) {
    for (const line of lab.logTail(router, MAX_LINES).split("\n")) {
      const c = parseBirdSessionLine(line);
      if (!c) continue;
      const t = c.wallMs + wallToMono;
      // The log's times are to the millisecond: a change in the same millisecond as sinceMs counts.
      if (t < sinceMs - 1) continue;
      out.push({ t, router, kind: c.kind, session: c.session, state: c.state });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

/** `changes` as a run's details list them: seconds after `fromMs`, router, session and state. */
export function sessionChangeDetails(
  changes: readonly SessionChange[],
  fromMs: number,
): { afterSeconds: number; router: string; session: string; state: string }[] {
  return changes.map((c) => ({
    afterSeconds: Math.round(c.t - fromMs) / 1000,
    router: c.router,
    session: c.kind === "bfd" ? `bfd ${c.session}` : c.session,
    state: c.state,
  }));
}
