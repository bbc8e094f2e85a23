import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { demultiplex, EngineApiError, EngineClient } from "../../../lib/drill/engine/engine-client";
import { EngineError } from "../../../lib/drill/engine/engine-error";

function frame(kind: number, text: string): Buffer {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = kind;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

// A stand-in for the daemon's socket: answers as the Engine API does for the paths below.
const dir = mkdtempSync(join(tmpdir(), "ha-engine-sock-"));
const socketPath = join(dir, "docker.sock");
const seen: { method: string; url: string; body: string }[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", body: Buffer.concat(chunks).toString() });
    if (req.url === "/v1.41/_ping") return res.end("OK");
    if (req.url?.startsWith("/v1.41/containers/missing")) {
      res.statusCode = 404;
      return res.end(JSON.stringify({ message: "No such container: missing" }));
    }
    if (req.url?.startsWith("/v1.41/build")) {
      return res.end(
        `${JSON.stringify({ stream: "Step 1/2\n" })}\n${JSON.stringify({ errorDetail: { message: "Temporary failure resolving 'deb.debian.org'" }, error: "x" })}\n`,
      );
    }
    if (req.url === "/v1.41/containers/c1/exec") return res.end(JSON.stringify({ Id: "e1" }));
    if (req.url === "/v1.41/exec/e1/start")
      return res.end(Buffer.concat([frame(1, "out\n"), frame(2, "err\n")]));
    if (req.url === "/v1.41/exec/e1/json") return res.end(JSON.stringify({ ExitCode: 3, Running: false }));
    res.statusCode = 500;
    res.end("unexpected");
  });
});

beforeAll(() => new Promise<void>((r) => server.listen(socketPath, r)));
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("EngineClient", () => {
  test("pings the daemon on its socket with the API version in the path", async () => {
    expect(await new EngineClient(socketPath).ping()).toBe(true);
    expect(await new EngineClient(join(dir, "absent.sock")).ping()).toBe(false);
  });

  test("throws an EngineApiError with the engine's message for a failed call", async () => {
    const err = await new EngineClient(socketPath).json("GET", "/containers/missing/json").catch((e) => e);
    expect(err).toBeInstanceOf(EngineApiError);
    expect((err as EngineApiError).status).toBe(404);
    expect((err as Error).message).toContain("No such container: missing");
  });

  test("accepts a status it is told to allow", async () => {
    const res = await new EngineClient(socketPath).call(
      "DELETE",
      "/containers/missing",
      { query: { force: 1 } },
      [404],
    );
    expect(res.status).toBe(404);
    expect(seen.at(-1)?.url).toBe("/v1.41/containers/missing?force=1");
  });

  test("fails a build whose progress stream reports an error, with the output before it", async () => {
    const err = await new EngineClient(socketPath)
      .progress("POST", "/build", { body: Buffer.from("tar") })
      .catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toContain("Temporary failure resolving");
    expect((err as Error).message).toContain("Step 1/2");
  });

  test("runs exec and splits stdout from stderr, with the exit code", async () => {
    const r = await new EngineClient(socketPath).exec("c1", ["sh", "-c", "x"]);
    expect(r).toEqual({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
    expect(JSON.parse(seen.find((s) => s.url === "/v1.41/containers/c1/exec")?.body ?? "{}").Cmd).toEqual([
      "sh",
      "-c",
      "x",
    ]);
  });
});

describe("demultiplex", () => {
  test("joins the frames of each stream in order", () => {
    const raw = Buffer.concat([frame(1, "a"), frame(2, "b"), frame(1, "c")]);
    expect(demultiplex(raw)).toEqual({ stdout: "ac", stderr: "b" });
  });
});
