import { afterEach, describe, expect, test } from "vitest";
import type { DrillClient } from "../../../lib/drill/clients/client";
import { connectionFates } from "../../../lib/drill/clients/connection-fates";
import { CONNECTION_CLIENT } from "../../../lib/drill/clients/connections";
import type { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { nowMs, sleep } from "../../../lib/drill/core/proc";
import { waitUntil } from "../../../lib/drill/core/wait";
import { caught } from "../../support/errors";
import { labAvailable, listening, tinyLab } from "../lab-fixture";

/** A keep-alive server (beta, port 9000) naming, in a header, the client port a request came from. */
const PORT_ECHO_PY = `
import http.server, socketserver
class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = b"hello"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Load-Balancer", "port-%d" % self.client_address[1])
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
Server(("0.0.0.0", 9000), Echo).serve_forever()
`;

describe("the connection client's options", () => {
  test("refuses a count of connections it cannot keep, and a path that could break the request", () => {
    const lab = {} as NamespaceLab;
    const start = (more: object) => () => {
      void CONNECTION_CLIENT.start(lab, "x", { address: "198.18.0.1", port: 80, ...more });
    };
    expect(caught(start({ connections: 0 })).message).toContain(
      "connections 0: give a whole number from 1 to 1024",
    );
    expect(caught(start({ path: "no slash" })).message).toContain("HTTP path");
  });
});

describe.runIf(labAvailable())("the connection client in a lab", () => {
  let lab: NamespaceLab | undefined;
  let client: DrillClient | undefined;
  afterEach(async () => {
    await client?.stop();
    await lab?.teardown();
    client = undefined;
    lab = undefined;
  });

  test("keeps each connection open across requests, and records the ones a dying server ends", async () => {
    // GIVEN a keep-alive server in beta that names the client port of each request
    lab = await tinyLab();
    const server = lab.spawn("beta", ["/usr/bin/python3", "-c", PORT_ECHO_PY], "port echo");
    expect(await listening(lab, "beta", 9000)).toBe(true);

    // WHEN the client keeps 4 connections and sends a request every 20 ms
    client = await CONNECTION_CLIENT.start(lab, lab.clientOn("front").place, {
      address: "198.18.10.3",
      port: 9000,
      connections: 4,
      intervalMs: 20,
      timeoutMs: 1000,
    });
    const c = client;
    await waitUntil(() => c.records.filter((r) => r.outcome === "ok").length >= 40, 10_000, 20);

    // THEN there are 4 connections, each from one client port for all of its requests
    const ok = c.records.filter((r) => r.outcome === "ok");
    const ports = new Map<number, Set<string>>();
    for (const r of ok)
      ports.set(
        r.connection as number,
        (ports.get(r.connection as number) ?? new Set()).add(r.answeredBy as string),
      );
    expect([...ports.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const seen of ports.values()) expect(seen.size).toBe(1);
    expect(new Set([...ports.values()].map((s) => [...s][0])).size).toBe(4);
    expect(ok.filter((r) => r.opened)).toHaveLength(4);

    // AND WHEN the server dies, every established connection is counted as broken
    const faultMs = nowMs();
    server.kill("SIGKILL");
    await sleep(500);
    const fates = connectionFates(c.records, faultMs, nowMs());
    expect(fates, JSON.stringify(c.records.slice(-12))).toMatchObject({
      established: 4,
      broken: 4,
      survived: 0,
    });
    expect(Object.keys(fates.brokenBy).every((k) => ["closed", "reset"].includes(k))).toBe(true);
    // and the connections opened in their place are refused
    expect(fates.opened).toBeGreaterThan(0);
    expect(fates.openFailed).toBe(fates.opened);
  });
});
