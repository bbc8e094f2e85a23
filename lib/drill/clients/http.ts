/**
 * The HTTP client: opens a new connection for every request (so that each one finds the service
 * afresh, as a new user would), sends a method, headers and body, and records how it ended, the
 * status, and which nodes answered, read from response headers the stack sets.
 */
import { DrillError } from "../core/drill-error";
import type { Lab } from "../core/lab";
import type { ClientKind, CommonOutcome, DrillClient, ProbePacing } from "./client";
import { ProbeProcess, probeProgram } from "./probe-process";

/** How an HTTP request ended. */
export type HttpOutcome = CommonOutcome | "http-5xx" | "http-other" | "bad-response";

export interface HttpClientOptions extends ProbePacing {
  readonly address: string;
  readonly port: number;
  /** @default "GET" */
  readonly method?: string;
  /** @default "/" */
  readonly path?: string;
  /** Request headers besides Host, User-Agent, Connection and Content-Length. @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Request body (sent with its Content-Length). @default - none */
  readonly body?: string;
  /** Response header naming the node that answered. @default "X-Load-Balancer" */
  readonly answeredByHeader?: string;
  /** Response header naming the node behind it that served. @default "X-Served-By" */
  readonly servedByHeader?: string;
}

const PROBE_PY = String.raw`
HOST, PORT = CONFIG["address"], CONFIG["port"]
BY, BE = CONFIG["answeredByHeader"].lower(), CONFIG["servedByHeader"].lower()
BODY = CONFIG["body"].encode()
head = ["%s %s HTTP/1.1" % (CONFIG["method"], CONFIG["path"]), "Host: %s" % HOST, "User-Agent: ha-drill", "Connection: close"]
head += ["%s: %s" % (k, v) for k, v in CONFIG["headers"]]
if BODY:
    head.append("Content-Length: %d" % len(BODY))
REQUEST = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + BODY

async def fetch():
    reader, writer = await asyncio.open_connection(HOST, PORT)
    try:
        writer.write(REQUEST)
        await writer.drain()
        data = await reader.read(65536)
        while data and b"\r\n\r\n" not in data and len(data) < 65536:
            more = await reader.read(65536)
            if not more:
                break
            data += more
        return data
    finally:
        writer.close()

async def probe(rec):
    data = await fetch()
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    if read_head(lines, rec) is None:
        rec["k"] = "bad-response" if data else "reset"
`;

/**
 * `read_head(lines, rec)`: the status line and headers of a response (its lines, without CRLF)
 * into `rec` (status, outcome, the answering nodes from the `BY` and `BE` headers); the headers
 * by lower-case name, or None for what is not an HTTP response.
 */
export const HTTP_HEAD_PY = String.raw`
def read_head(lines, rec):
    parts = lines[0].split(" ")
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        return None
    status = int(parts[1])
    rec["st"] = status
    rec["k"] = "ok" if 200 <= status < 400 else ("http-5xx" if status >= 500 else "http-other")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if BY in headers:
        rec["by"] = headers[BY]
    if BE in headers:
        rec["be"] = headers[BE]
    return headers
`;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
const PATH = /^\/[\x21-\x7e]*$/;

/** Throws for a method, path or header that could break the request line or a header line. */
export function checkHttpOptions(o: HttpClientOptions): void {
  const method = o.method ?? "GET";
  if (!TOKEN.test(method)) throw new DrillError(`HTTP method ${JSON.stringify(method)} is not a token`);
  if (!PATH.test(o.path ?? "/"))
    throw new DrillError(`HTTP path ${JSON.stringify(o.path)} must start with / and hold no spaces`);
  for (const [name, value] of Object.entries(o.headers ?? {})) {
    if (!TOKEN.test(name) || !HEADER_VALUE.test(value)) {
      throw new DrillError(
        `HTTP header ${JSON.stringify(name)}: ${JSON.stringify(value)} is not a valid header line`,
      );
    }
  }
  for (const h of [o.answeredByHeader, o.servedByHeader]) {
    if (h !== undefined && !TOKEN.test(h))
      throw new DrillError(`response header name ${JSON.stringify(h)} is not a token`);
  }
}

export const HTTP_CLIENT: ClientKind<HttpClientOptions, HttpOutcome> = {
  kind: "http",
  start(lab: Lab, place: string, options: HttpClientOptions): Promise<DrillClient<HttpOutcome>> {
    checkHttpOptions(options);
    return ProbeProcess.start<HttpOutcome>(lab, place, {
      target: `http://${options.address}:${options.port}${options.path ?? "/"}`,
      name: "http-client",
      program: probeProgram(`${HTTP_HEAD_PY}\n${PROBE_PY}`),
      pacing: options,
      config: {
        address: options.address,
        port: options.port,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers: Object.entries(options.headers ?? {}),
        body: options.body ?? "",
        answeredByHeader: options.answeredByHeader ?? "X-Load-Balancer",
        servedByHeader: options.servedByHeader ?? "X-Served-By",
      },
    });
  },
};
