import { afterEach, describe, expect, test } from "vitest";
import type { DrillClient } from "../../../lib/drill/clients/client";
import { checkHttpOptions, HTTP_CLIENT } from "../../../lib/drill/clients/http";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { nowMs } from "../../../lib/drill/core/proc";
import { caught } from "../../support/errors";
import { labAvailable, listening, outcomes, probesAfter, tinyLab } from "../lab-fixture";

/** A server (in beta's network, port 9000) that answers with what it received, in headers. */
const ECHO_PY = `
import http.server
class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = "%s %s %s %s" % (self.command, self.path, self.headers.get("X-Drill-Run"), body.decode())
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.send_header("X-Echo", seen)
        self.send_header("X-Tenant", self.headers.get("X-Tenant"))
        self.end_headers()
    do_GET = do_POST = answer
    def log_message(self, *args):
        pass
http.server.HTTPServer(("0.0.0.0", 9000), Echo).serve_forever()
`;

describe("checkHttpOptions", () => {
  test.each([
    [{ method: "GET /x" }, "HTTP method"],
    [{ path: "x" }, "HTTP path"],
    [{ headers: { "X-A": "1\r\nX-B: 2" } }, "HTTP header"],
    [{ headers: { "X A": "1" } }, "HTTP header"],
    [{ answeredByHeader: "X:Y" }, "response header name"],
  ])("throws for %j, which could break the request", (bad, message) => {
    // GIVEN options with a value that would break a request or header line
    // WHEN they are checked
    // THEN they are refused
    expect(caught(() => checkHttpOptions({ address: "198.18.0.1", port: 80, ...bad })).message).toContain(
      message,
    );
  });
});

describe.runIf(labAvailable())("the HTTP client in a lab", () => {
  let lab: NamespaceLab | undefined;
  let client: DrillClient | undefined;
  afterEach(async () => {
    await client?.stop();
    await lab?.teardown();
    client = undefined;
    lab = undefined;
  });

  test("sends the method, path, headers and body, and records status and answering nodes", async () => {
    // GIVEN the tiny stack with an echo server in beta's network
    lab = await tinyLab();
    const echo = lab.spawn("beta", ["/usr/bin/python3", "-c", ECHO_PY], "echo");
    const clientPlace = lab.clientOn("front").place;
    expect(await listening(lab, "beta", 9000)).toBe(true);

    // WHEN the client POSTs with two headers and a body, reading two response headers
    client = await HTTP_CLIENT.start(lab, clientPlace, {
      address: "198.18.10.3",
      port: 9000,
      method: "POST",
      path: "/write?x=1",
      headers: { "X-Drill-Run": "7", "X-Tenant": "blue" },
      body: "hello",
      answeredByHeader: "X-Echo",
      servedByHeader: "X-Tenant",
      intervalMs: 50,
      timeoutMs: 500,
    });
    const records = await probesAfter(client, nowMs() - 10_000, 3);

    // THEN the server saw all of it, and the client recorded status 201 as ok
    expect(records).toHaveLength(3);
    for (const r of records) {
      expect(r.outcome).toBe("ok");
      expect(r.status).toBe(201);
      expect(r.answeredBy).toBe("POST /write?x=1 7 hello");
      expect(r.servedBy).toBe("blue");
    }
    expect(client.target).toBe("http://198.18.10.3:9000/write?x=1");
    echo.kill("SIGKILL");
  });

  test("records a refused connection and a timeout as their kinds, within the per-request limit", async () => {
    // GIVEN the tiny stack: nothing listens on beta:9001, and 198.18.10.200 is nobody
    lab = await tinyLab();
    const place = lab.clientOn("front").place;

    // WHEN the client probes both with a 200 ms limit
    client = await HTTP_CLIENT.start(lab, place, {
      address: "198.18.10.3",
      port: 9001,
      intervalMs: 50,
      timeoutMs: 200,
    });
    const refused = await probesAfter(client, 0, 3);
    await client.stop();
    client = await HTTP_CLIENT.start(lab, place, {
      address: "198.18.10.200",
      port: 80,
      intervalMs: 50,
      timeoutMs: 200,
    });
    const silent = await probesAfter(client, 0, 3);

    // THEN the first are refused; the others time out after about 200 ms (or find no host)
    expect(outcomes(refused)).toEqual({ refused: 3 });
    for (const r of silent) {
      expect(["timeout", "unreachable"]).toContain(r.outcome);
      expect(r.endMs - r.startMs).toBeLessThan(1000);
    }
    expect(silent.some((r) => r.outcome === "timeout" && r.endMs - r.startMs >= 190)).toBe(true);
  });
});
