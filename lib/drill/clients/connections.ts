/**
 * The long-lived connection client: keeps a set of HTTP/1.1 keep-alive connections open to one
 * address (each from its own source port, so that flow hashing spreads them) and sends a request
 * on one of them every interval, the one idle longest, so that each connection carries a request
 * every `connections × intervalMs`. A connection that fails (reset, closed, no answer in time) is
 * closed and replaced by a new one; every record names its connection, so that a drill can tell
 * the connections a fault broke from those that lived through it, and which node answered each.
 */
import { DrillError } from "../core/drill-error";
import type { Lab } from "../core/lab";
import type { ClientKind, CommonOutcome, DrillClient, ProbePacing } from "./client";
import { checkHttpOptions, HTTP_HEAD_PY } from "./http";
import { ProbeProcess, probeProgram } from "./probe-process";

/**
 * How a request on a kept-alive connection ended: `closed` when the peer ended the connection,
 * `busy` when every connection was still waiting for an earlier answer (no request was sent).
 */
export type ConnectionOutcome =
  | CommonOutcome
  | "closed"
  | "http-5xx"
  | "http-other"
  | "bad-response"
  | "busy";

export interface ConnectionClientOptions extends ProbePacing {
  readonly address: string;
  readonly port: number;
  /** Connections kept open. @default 16 */
  readonly connections?: number;
  /** @default "/" */
  readonly path?: string;
  /** Response header naming the node that answered. @default "X-Load-Balancer" */
  readonly answeredByHeader?: string;
  /** Response header naming the node behind it that served. @default "X-Served-By" */
  readonly servedByHeader?: string;
}

const PROBE_PY = String.raw`
HOST, PORT, WANT = CONFIG["address"], CONFIG["port"], CONFIG["connections"]
BY, BE = CONFIG["answeredByHeader"].lower(), CONFIG["servedByHeader"].lower()
REQUEST = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ha-drill\r\n\r\n" % (CONFIG["path"], HOST)).encode("latin-1")
next_id = [0]

class Conn:
    def __init__(self):
        next_id[0] += 1
        self.id = next_id[0]
        self.reader = None
        self.writer = None
        self.busy = False
        # A new connection takes its turn after the others, as the one it replaces would have.
        self.used = time.monotonic()

# One slot per connection; a failed connection's slot gets a new one, opened by its next probe.
slots = [Conn() for _ in range(WANT)]

def pick():
    idle = [c for c in slots if not c.busy]
    return min(idle, key=lambda c: c.used) if idle else None

async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return lines

async def probe(rec):
    c = pick()
    if c is None:
        rec["k"] = "busy"
        return
    rec["c"] = c.id
    c.busy = True
    ok = False
    try:
        if c.writer is None:
            rec["n"] = 1
            c.reader, c.writer = await asyncio.open_connection(HOST, PORT)
        else:
            rec["id"] = round((time.monotonic() - c.used) * 1000)
        c.writer.write(REQUEST)
        await c.writer.drain()
        try:
            lines = await read_response(c.reader)
        except asyncio.IncompleteReadError:
            rec["k"] = "closed"
            return
        headers = read_head(lines, rec)
        if headers is None:
            rec["k"] = "bad-response"
            return
        if headers.get("connection", "").lower() == "close":
            rec["k"] = "closed"
            return
        ok = rec["k"] == "ok"
    finally:
        c.used = time.monotonic()
        c.busy = False
        if not ok:
            # A failed connection is done with: the next probe opens a new one in its place.
            if c.writer is not None:
                c.writer.transport.abort()
            slots[slots.index(c)] = Conn()
`;

export const CONNECTION_CLIENT: ClientKind<ConnectionClientOptions, ConnectionOutcome> = {
  kind: "http-keep-alive",
  start(lab: Lab, place: string, options: ConnectionClientOptions): Promise<DrillClient<ConnectionOutcome>> {
    checkHttpOptions({ ...options, method: "GET" });
    const connections = options.connections ?? 16;
    if (!Number.isInteger(connections) || connections < 1 || connections > 1024) {
      throw new DrillError(`connections ${connections}: give a whole number from 1 to 1024`);
    }
    return ProbeProcess.start<ConnectionOutcome>(lab, place, {
      target: `http://${options.address}:${options.port}${options.path ?? "/"} (${connections} kept-alive connections)`,
      name: "connection-client",
      program: probeProgram(`${HTTP_HEAD_PY}\n${PROBE_PY}`),
      pacing: options,
      config: {
        address: options.address,
        port: options.port,
        connections,
        path: options.path ?? "/",
        answeredByHeader: options.answeredByHeader ?? "X-Load-Balancer",
        servedByHeader: options.servedByHeader ?? "X-Served-By",
      },
    });
  },
};
