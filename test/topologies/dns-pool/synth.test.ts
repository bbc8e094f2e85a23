import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  AllUnhealthy,
  AwsPlatform,
  BackendPool,
  DnsAnswerSelection,
  DockerPlatform,
  HealthCheck,
  HealthCheckedDnsPool,
  Spread,
  VipPair,
} from "../../../lib";
import {
  haReport,
  resourcesOfType,
  resourceTypes,
  synthJson,
  synthWithValidations,
} from "../../../lib/testing";
import { validationErrorOf } from "../../support/errors";

function docker() {
  const stack = new TerraformStack(Testing.app(), "s");
  const platform = new DockerPlatform(stack, "local", { subnet: "198.18.6.0/24" });
  const web = new BackendPool(platform, "web", { replicas: 2 });
  return { stack, platform, web };
}

function aws() {
  const stack = new TerraformStack(Testing.app(), "s");
  new AwsProvider(stack, "aws", {});
  const platform = new AwsPlatform(stack, "cloud", { vpcCidr: "10.50.0.0/16", zoneCount: 2 });
  const web = new BackendPool(platform, "web", { replicas: 2 });
  return { stack, platform, web };
}

/** Uploaded file of the container with `hostname`. */
function upload(stack: TerraformStack, hostname: string, file: string): string {
  const containers = Object.values(resourcesOfType(synthJson(stack), "docker_container")) as Array<{
    hostname: string;
    upload: { file: string; content: string }[];
  }>;
  const c = containers.find((x) => x.hostname === hostname);
  return c?.upload.find((u) => u.file === file)?.content ?? "";
}

describe("HealthCheckedDnsPool on Docker", () => {
  test("makes its own HAProxy nodes and two PowerDNS servers, and nothing but containers, images and a network", () => {
    const { stack, platform, web } = docker();
    const pool = new HealthCheckedDnsPool(platform, "www", {
      zone: "pool.example.test",
      backends: web,
      nodeCount: 3,
      allUnhealthy: AllUnhealthy.answerAll(),
    });
    synthWithValidations(stack);
    expect(resourceTypes(synthJson(stack))).toEqual(["docker_container", "docker_image", "docker_network"]);
    expect(pool.fqdn).toBe("www.pool.example.test");
    expect(pool.nodes.map((n) => n.hostname)).toEqual(["www-lb-0", "www-lb-1", "www-lb-2"]);
    expect(pool.nameServers).toHaveLength(2);
    // Each node's health endpoint is bound on its own address too, and fails without a backend.
    const cfg = upload(stack, "www-lb-1", "/etc/haproxy/haproxy.cfg");
    const address = pool.nodes[1]?.address as string;
    expect(cfg).toContain(`bind 127.0.0.1:8404`);
    expect(cfg).toContain(`bind ${address}:8404`);
    expect(cfg).toContain(`bind ${address}:80`);
    expect(cfg).toContain("monitor fail if { nbsrv(be_web) lt 1 }");
    // The zone's record probes every node's health endpoint.
    const zone = upload(stack, "pool-example-test-dns-1", "/etc/powerdns/pool.example.test.zone");
    expect(zone).toContain(`ifurlup('http://www.pool.example.test:8404/ha-health'`);
    for (const n of pool.nodes) expect(zone).toContain(`'${n.address}'`);
  });

  test("reports the members, the servers as a group, and the predictions with their arithmetic", () => {
    const { stack, platform, web } = docker();
    new HealthCheckedDnsPool(platform, "www", {
      zone: "pool.example.test",
      backends: web,
      allUnhealthy: AllUnhealthy.fallback("198.18.6.200"),
    });
    const report = haReport(stack);
    expect(report.healthCheckedNames).toEqual([
      expect.objectContaining({
        fqdn: "www.pool.example.test",
        ttlSeconds: 5,
        serverHosts: ["pool-example-test-dns-1", "pool-example-test-dns-2"],
        selection: "all",
        allUnhealthy: "fallback 198.18.6.200",
      }),
    ]);
    const members = report.redundancyGroups.find((g) => g.id === "s/local/www");
    expect(members?.members).toEqual(["s/local/www/Node0", "s/local/www/Node1"]);
    const death = members?.predictions.find((p) => p.fault === "member-proxy-death");
    expect(death).toMatchObject({ recoverySeconds: 1, clientsMoveSeconds: 6 });
    expect(String(death?.basis)).toMatch(/interval 1 s/);
    expect(members?.predictions.find((p) => p.fault === "member-blackhole")).toMatchObject({
      recoverySeconds: 2,
    });
    const servers = report.redundancyGroups.find((g) => g.id === "s/local/www/DnsServers");
    expect(servers?.members).toHaveLength(2);
    expect(report.notes.some((n) => n.includes("fallback: the name answers with 198.18.6.200"))).toBe(true);
  });

  test("takes VIP pairs as members, checked through their VIPs", () => {
    const { stack, platform, web } = docker();
    const a = new VipPair(platform, "a", { backends: web, virtualIp: "198.18.6.100" });
    const b = new VipPair(platform, "b", { backends: web, virtualIp: "198.18.6.101", virtualRouterId: 60 });
    const pool = new HealthCheckedDnsPool(platform, "www", {
      zone: "pool.example.test",
      endpoints: [a.asEndpoint(), b.asEndpoint()],
      allUnhealthy: AllUnhealthy.answerAll(),
    });
    synthWithValidations(stack);
    expect(pool.nodes).toEqual([]);
    expect(pool.members.map((m) => m.address)).toEqual(["198.18.6.100", "198.18.6.101"]);
    const zone = upload(stack, "pool-example-test-dns-1", "/etc/powerdns/pool.example.test.zone");
    expect(zone).toContain(`ifurlup('http://www.pool.example.test:80/', {'198.18.6.100', '198.18.6.101'}`);
  });

  test("warns when one DNS server serves the name, and reports it as a single point of failure", () => {
    const { stack, platform, web } = docker();
    new HealthCheckedDnsPool(platform, "www", {
      zone: "pool.example.test",
      backends: web,
      dnsServers: 1,
      allUnhealthy: AllUnhealthy.answerAll(),
    });
    Testing.synth(stack);
    const metadata = stack.node.findAll().flatMap((c) => c.node.metadata);
    expect(metadata.some((m) => String(m.data).includes("one DNS server serves www.pool.example.test"))).toBe(
      true,
    );
    // AND the report names the server as a single point of failure of the name
    const spof = haReport(stack).singlePointsOfFailure.find((x) => x.id === "s/local/www/Name/Server1");
    expect(spof?.breaks).toEqual(["s/local/www", "s/local/www/DnsServers"]);
  });
});

describe("HealthCheckedDnsPool on AWS", () => {
  test("takes Route 53's 10 s interval by default and refuses one it does not offer", () => {
    const { platform, web } = aws();
    const pool = new HealthCheckedDnsPool(platform, "www", {
      zone: "pool.example.test",
      backends: web,
      allUnhealthy: AllUnhealthy.answerAll(),
    });
    expect(pool.healthCheck.intervalMs).toBe(10_000);
    const error = validationErrorOf(
      () =>
        new HealthCheckedDnsPool(platform, "api", {
          zone: "pool.example.test",
          backends: web,
          healthCheck: HealthCheck.http({ path: "/ha-health", port: 8404, intervalMs: 1000 }),
          allUnhealthy: AllUnhealthy.answerAll(),
        }),
    );
    expect(error.message).toMatch(/intervalMs.*1000.*10000 ms or 30000 ms/s);
  });

  test("refuses more healthy answers than Route 53 gives, and a DNS server count", () => {
    const { platform, web } = aws();
    expect(
      validationErrorOf(
        () =>
          new HealthCheckedDnsPool(platform, "www", {
            zone: "pool.example.test",
            backends: web,
            nodeCount: 9,
            allUnhealthy: AllUnhealthy.answerAll(),
          }),
      ).message,
    ).toMatch(/at most 8 healthy addresses.*random\(8\)/s);
    expect(
      validationErrorOf(
        () =>
          new HealthCheckedDnsPool(platform, "api", {
            zone: "pool.example.test",
            backends: web,
            dnsServers: 2,
            allUnhealthy: AllUnhealthy.answerAll(),
          }),
      ).message,
    ).toMatch(/dnsServers.*leave dnsServers out/s);
    // 9 members answered 8 at a time are fine.
    new HealthCheckedDnsPool(platform, "big", {
      zone: "pool.example.test",
      backends: web,
      nodeCount: 9,
      selection: DnsAnswerSelection.random(8),
      allUnhealthy: AllUnhealthy.answerAll(),
    });
  });

  test("warns when every member sits in one zone", () => {
    const { stack, platform, web } = aws();
    new HealthCheckedDnsPool(platform, "www", {
      zone: "pool.example.test",
      backends: web,
      spread: Spread.together(),
      allUnhealthy: AllUnhealthy.answerAll(),
    });
    const report = haReport(stack);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ ruleId: "HA-OneFailureDomain", subject: "s/cloud/www" }),
    );
  });
});
