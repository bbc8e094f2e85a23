/**
 * A Docker Engine API client over the daemon's unix socket, on node's `http` alone. It speaks
 * the API version of Debian bookworm's docker.io (1.41) and offers what the deployer and a
 * drill lab need: networks, containers (create, archive upload, start, stop, kill, remove,
 * inspect, exec), images (build, import, save, load, inspect).
 */
import http from "node:http";
import type { Readable } from "node:stream";
import { EngineError } from "./engine-error";

/** API version every request names (Docker 20.10). */
export const ENGINE_API_VERSION = "1.41";

/** Options of one request. */
export interface EngineRequest {
  /** Query parameters; a list repeats the parameter. */
  readonly query?: Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;
  /** A JSON body. */
  readonly json?: unknown;
  /** A raw body (a tar archive), as bytes or a stream. */
  readonly body?: Buffer | Readable;
  readonly contentType?: string;
  /** Upper bound for the whole exchange. @default 60_000 */
  readonly timeoutMs?: number;
}

/** A response read to its end. */
export interface EngineResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** Raised for an answer of the engine with status 400 or more. */
export class EngineApiError extends EngineError {
  constructor(
    readonly status: number,
    readonly request: string,
    message: string,
  ) {
    super(`${request}: engine answered ${status}: ${message}`);
    this.name = "EngineApiError";
  }
}

/** What a command run by exec printed and how it ended. */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

function queryString(query: EngineRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else if (v !== undefined) params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** Splits Docker's multiplexed stdout/stderr stream (8-byte frame headers). */
export function demultiplex(raw: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= raw.length) {
    const kind = raw[i];
    const size = raw.readUInt32BE(i + 4);
    const chunk = raw.subarray(i + 8, i + 8 + size);
    if (kind === 2) err.push(chunk);
    else out.push(chunk);
    i += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/** A client of one daemon's socket. */
export class EngineClient {
  constructor(readonly socketPath: string) {}

  /** Sends a request and reads the whole answer; never throws for a status code. */
  public request(method: string, path: string, options: EngineRequest = {}): Promise<EngineResponse> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const target = `/v${ENGINE_API_VERSION}${path}${queryString(options.query)}`;
    const what = `${method} ${path}`;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      let payload: Buffer | Readable | undefined = options.body;
      if (options.json !== undefined) {
        payload = Buffer.from(JSON.stringify(options.json));
        headers["Content-Type"] = "application/json";
      } else if (payload !== undefined) {
        headers["Content-Type"] = options.contentType ?? "application/x-tar";
      }
      if (Buffer.isBuffer(payload)) headers["Content-Length"] = String(payload.length);
      const req = http.request({ socketPath: this.socketPath, method, path: target, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
        res.on("error", (e) => {
          clearTimeout(timer);
          reject(new EngineError(`${what}: ${e.message}`));
        });
      });
      const timer = setTimeout(() => {
        req.destroy(new EngineError(`${what}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      req.on("error", (e) => {
        clearTimeout(timer);
        reject(e instanceof EngineError ? e : new EngineError(`${what}: ${e.message}`));
      });
      if (payload === undefined) req.end();
      else if (Buffer.isBuffer(payload)) req.end(payload);
      else {
        payload.on("error", (e) => req.destroy(new EngineError(`${what}: request body: ${e.message}`)));
        payload.pipe(req);
      }
    });
  }

  /**
   * Sends a bodiless request and hands over the answer's body as a stream (an image archive of
   * hundreds of MB), once the status says it succeeded.
   */
  public openStream(
    method: string,
    path: string,
    options: EngineRequest = {},
  ): Promise<http.IncomingMessage> {
    const target = `/v${ENGINE_API_VERSION}${path}${queryString(options.query)}`;
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, method, path: target }, (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            reject(
              new EngineApiError(
                res.statusCode ?? 0,
                `${method} ${path}`,
                Buffer.concat(chunks).toString().trim(),
              ),
            ),
          );
          return;
        }
        resolve(res);
      });
      req.on("error", (e) => reject(new EngineError(`${method} ${path}: ${e.message}`)));
      req.end();
    });
  }

  /** Sends a request that must succeed (status < 400; `allow` lists more accepted codes). */
  public async call(
    method: string,
    path: string,
    options: EngineRequest = {},
    allow: readonly number[] = [],
  ): Promise<EngineResponse> {
    const res = await this.request(method, path, options);
    if (res.status >= 400 && !allow.includes(res.status)) {
      let message = res.body.toString("utf8").trim();
      try {
        message = (JSON.parse(message) as { message?: string }).message ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw new EngineApiError(res.status, `${method} ${path}`, message);
    }
    return res;
  }

  /** Sends a request that must succeed and parses its JSON answer. */
  public async json<T>(method: string, path: string, options: EngineRequest = {}): Promise<T> {
    const res = await this.call(method, path, options);
    return (res.body.length ? JSON.parse(res.body.toString("utf8")) : {}) as T;
  }

  /**
   * Sends a request whose answer is a stream of JSON messages (build, import, load) and
   * throws with the engine's message when one of them reports an error.
   */
  public async progress(method: string, path: string, options: EngineRequest = {}): Promise<string[]> {
    const res = await this.call(method, path, options);
    const lines: string[] = [];
    for (const line of res.body.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      let message: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } };
      try {
        message = JSON.parse(line);
      } catch {
        lines.push(line);
        continue;
      }
      if (message.error || message.errorDetail) {
        const tail = lines.slice(-15).join("");
        throw new EngineError(
          `${method} ${path}: ${message.errorDetail?.message ?? message.error}\n--- last output ---\n${tail}`,
        );
      }
      lines.push(message.stream ?? message.status ?? line);
    }
    return lines;
  }

  /** Whether the daemon answers `_ping`. */
  public async ping(timeoutMs = 1_000): Promise<boolean> {
    try {
      const res = await this.request("GET", "/_ping", { timeoutMs });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** Runs a command in a running container and waits for it (bounded by `timeoutMs`). */
  public async exec(container: string, argv: readonly string[], timeoutMs = 15_000): Promise<ExecResult> {
    const created = await this.json<{ Id: string }>(
      "POST",
      `/containers/${encodeURIComponent(container)}/exec`,
      {
        json: { Cmd: argv, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false },
      },
    );
    const raw = await this.call("POST", `/exec/${created.Id}/start`, {
      json: { Detach: false, Tty: false },
      timeoutMs,
    });
    const inspect = await this.json<{ ExitCode: number | null; Running: boolean }>(
      "GET",
      `/exec/${created.Id}/json`,
    );
    const { stdout, stderr } = demultiplex(raw.body);
    return { exitCode: inspect.ExitCode ?? -1, stdout, stderr };
  }
}
