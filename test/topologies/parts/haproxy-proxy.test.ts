import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { BackendPool, Balance, HealthCheck, ProxyMode, Stickiness, TrafficSourceKind } from "../../../lib";
import { HaproxyProxy } from "../../../lib/topologies/parts/haproxy-proxy";
import { dockerStack } from "../../support/docker-stack";
import { validationErrorOf } from "../../support/errors";

function setup() {
  const { platform, web } = dockerStack(2, { subnet: "198.18.0.0/24" });
  const where = new Construct(platform, "proxy");
  return { platform, web, where };
}

describe("HaproxyProxy", () => {
  test("renders one frontend per listener and one backend per pool", () => {
    // GIVEN two listeners on two pools (read-write and read-only, as a database router has)
    const { platform, web, where } = setup();
    const ro = new BackendPool(platform, "ro", { replicas: 1, healthCheck: HealthCheck.tcp() });
    const proxy = new HaproxyProxy(
      where,
      [
        { name: "rw", port: 5000, backends: web },
        { name: "ro", port: 5001, backends: ro },
      ],
      { mode: ProxyMode.TCP },
    );
    // WHEN a node's config is rendered with one bind address
    const cfg = proxy.config("lb-0", ["198.18.0.10", "198.18.0.10"]);
    // THEN each listener binds once and sends to its own pool
    expect(cfg).toMatch(/frontend fe_rw\n[\s\S]*bind 198\.18\.0\.10:5000\n[\s\S]*default_backend be_web/);
    expect(cfg).toMatch(/frontend fe_ro\n[\s\S]*bind 198\.18\.0\.10:5001\n[\s\S]*default_backend be_ro/);
    expect(cfg.match(/^backend /gm)).toHaveLength(2);
    expect(cfg.match(/bind 198\.18\.0\.10:5000/g)).toHaveLength(1);
  });

  test("defaults to HTTP for HTTP-checked backends, TCP otherwise, with 3 retries", () => {
    const { platform, web, where } = setup();
    const tcp = new BackendPool(platform, "tcp", { replicas: 1, healthCheck: HealthCheck.tcp() });
    expect(new HaproxyProxy(where, [{ name: "a", port: 80, backends: web }], {}).mode).toBe(ProxyMode.HTTP);
    const proxy = new HaproxyProxy(new Construct(where, "b"), [{ name: "b", port: 80, backends: tcp }], {});
    expect([proxy.mode, proxy.retries, proxy.passiveErrorLimit, proxy.healthPort]).toEqual([
      ProxyMode.TCP,
      3,
      3,
      8404,
    ]);
  });

  test("keeps idle client connections open for the topology's default or the given seconds, 1 to 3600", () => {
    const { web, where } = setup();
    const listeners = [{ name: "a", port: 80, backends: web }];
    expect(new HaproxyProxy(where, listeners, {}).config("n", ["0.0.0.0"])).toContain(
      "timeout http-keep-alive 2s",
    );
    const tiers = new HaproxyProxy(new Construct(where, "t"), listeners, {}, 10);
    expect(tiers.config("n", ["0.0.0.0"])).toContain("timeout http-keep-alive 10s");
    const given = new HaproxyProxy(new Construct(where, "g"), listeners, { keepAliveTimeoutSeconds: 75 }, 10);
    expect(given.keepAliveTimeoutSeconds).toBe(75);
    const error = validationErrorOf(
      () => new HaproxyProxy(new Construct(where, "bad"), listeners, { keepAliveTimeoutSeconds: 0 }),
    );
    expect(error.message).toContain("proxy/bad");
    expect(error.message).toContain("keepAliveTimeoutSeconds");
    expect(error.message).toContain("3600");
  });

  test("tracks its loopback health endpoint: 2 failures 1 s apart plus 1 s timeout", () => {
    const { web, where } = setup();
    const proxy = new HaproxyProxy(where, [{ name: "a", port: 80, backends: web }], { healthPort: 9404 });
    expect(proxy.healthCommand.at(-1)).toBe("http://127.0.0.1:9404/ha-health");
    expect(proxy.trackScript).toMatchObject({ name: "chk_haproxy", fall: 2, rise: 2, weight: 0 });
    expect(proxy.trackDetectionSeconds).toBe(3);
  });

  test("opens the listeners to clients and the backends to the proxy's group", () => {
    const { platform, web, where } = setup();
    const proxy = new HaproxyProxy(where, [{ name: "a", port: 8443, backends: web }], {});
    proxy.allowTraffic(platform, { trafficGroup: "test/local/proxy" });
    const toProxy = platform.rules.filter((r) => r.toGroup === "test/local/proxy");
    expect(toProxy.map((r) => [r.traffic.label, r.from.kind])).toEqual([
      ["tcp/8443", TrafficSourceKind.CLIENTS],
    ]);
    const toWeb = platform.rules.filter((r) => r.toGroup === web.trafficGroup);
    expect(toWeb.map((r) => r.from.value)).toEqual(["test/local/proxy"]);
  });

  test.each([
    [{ healthPort: 80 }, "use three different ports"],
    [{ retries: 11 }, "retries"],
    [{ maxConnections: 0 }, "maxConnections"],
    [{ mode: ProxyMode.TCP, balance: Balance.consistentHashHeader("X-User") }, "header hashing needs mode"],
    [{ mode: ProxyMode.TCP, stickiness: Stickiness.cookie() }, "cookie stickiness needs mode"],
    [{ mode: "udp" as ProxyMode }, "use ProxyMode.HTTP or ProxyMode.TCP"],
  ])("fails for %o", (options, message) => {
    const { web, where } = setup();
    expect(
      validationErrorOf(() => new HaproxyProxy(where, [{ name: "a", port: 80, backends: web }], options))
        .message,
    ).toContain(message);
  });
});
