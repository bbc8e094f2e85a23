import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";
import { Network } from "@cdktf/provider-docker/lib/network";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  BackendPool,
  Balance,
  DockerPlatform,
  HealthCheck,
  Platform,
  ProxyMode,
  Stickiness,
  ValidationError,
  VipPair,
  type VipPairProps,
  VrrpVersion,
} from "../../../lib";
import {
  haReport,
  resourcesOfType,
  resourceTypes,
  synthJson,
  synthWithValidations,
} from "../../../lib/testing";
import { caught } from "../../support/errors";

function setup(subnet = "172.30.0.0/24") {
  const stack = new TerraformStack(Testing.app(), "test");
  const platform = new DockerPlatform(stack, "local", { subnet });
  const web = new BackendPool(platform, "web", {
    replicas: 3,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  return { stack, platform, web };
}

/** Uploaded file contents of the container with `hostname`. */
function file(stack: TerraformStack, hostname: string, path: string): string {
  const containers = Object.values(resourcesOfType(synthJson(stack), "docker_container"));
  const container = containers.find((c) => c.hostname === hostname);
  const upload = (container?.upload ?? []).find((u: { file: string }) => u.file === path);
  if (!upload) throw new Error(`no ${path} on ${hostname}`);
  return upload.content as string;
}

describe("VipPair on Docker", () => {
  test("synthesizes exactly a network, two images and five containers", () => {
    // GIVEN a pair in front of three backends
    const { stack, platform, web } = setup();
    new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web });

    // WHEN
    const json = synthJson(stack);

    // THEN
    expect(resourceTypes(json)).toEqual(["docker_container", "docker_image", "docker_network"]);
    expect(Object.keys(resourcesOfType(json, "docker_container"))).toHaveLength(5);
    expect(Object.keys(resourcesOfType(json, "docker_image"))).toHaveLength(2);
    expect(Object.keys(resourcesOfType(json, "docker_network"))).toHaveLength(1);
  });

  test("gives the load balancers VRRP capabilities, non-local bind and static addresses", () => {
    // GIVEN
    const { stack, platform, web } = setup();
    new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web });

    // WHEN
    const synth = synthWithValidations(stack);

    // THEN backends take .2-.4, load balancers .5 and .6; the VIP is never handed to a host
    expect(synth).toHaveResourceWithProperties(Container, {
      hostname: "edge-lb-0",
      name: "test-edge-lb-0",
      capabilities: { add: ["NET_ADMIN", "NET_RAW"] },
      sysctls: { "net.ipv4.ip_nonlocal_bind": "1" },
      networks_advanced: [expect.objectContaining({ ipv4_address: "172.30.0.5" })],
      restart: "unless-stopped",
      command: ["/usr/local/sbin/ha-supervise"],
    });
    expect(synth).toHaveResourceWithProperties(Container, {
      hostname: "edge-lb-1",
      networks_advanced: [expect.objectContaining({ ipv4_address: "172.30.0.6" })],
    });
    expect(synth).toHaveResourceWithProperties(Container, {
      hostname: "web-0",
      networks_advanced: [expect.objectContaining({ ipv4_address: "172.30.0.2" })],
    });
    expect(synth).not.toHaveResourceWithProperties(Container, {
      hostname: "web-0",
      capabilities: expect.anything(),
    });
    expect(synth).toHaveResourceWithProperties(Network, {
      driver: "bridge",
      // The VIP is kept out of Docker's own allocation.
      ipam_config: [
        { subnet: "172.30.0.0/24", gateway: "172.30.0.1", aux_address: { "edge-Vip": "172.30.0.10" } },
      ],
    });
    expect(synth).toHaveResourceWithProperties(Image, {
      name: expect.stringMatching(/^cdktf-ha\/ha-lb:[0-9a-f]{12}$/),
      build: { context: expect.stringMatching(/^\$\{path\.module\}\/assets\//) },
    });
  });

  test("uses the user's backend image with keep_locally and no generated command", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");
    const platform = new DockerPlatform(stack, "local");
    const web = new BackendPool(platform, "web", {
      image: "nginx:1.27",
      port: 80,
      healthCheck: HealthCheck.tcp(),
    });
    new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web, listenerPort: 8080 });

    // WHEN
    const synth = synthWithValidations(stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Image, { name: "nginx:1.27", keep_locally: true });
    const web0 = Object.values(resourcesOfType(synth, "docker_container")).find(
      (c) => c.hostname === "web-0",
    );
    expect(web0?.command).toBeUndefined();
    expect(file(stack, "edge-lb-0", "/etc/haproxy/haproxy.cfg")).toContain("mode tcp");
  });

  test("renders keepalived with VRRPv3, 100 ms adverts, a HAProxy track script and track file, and distinct priorities", () => {
    // GIVEN
    const { stack, platform, web } = setup();
    new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web });

    // WHEN
    const lb0 = file(stack, "edge-lb-0", "/etc/keepalived/keepalived.conf");
    const lb1 = file(stack, "edge-lb-1", "/etc/keepalived/keepalived.conf");

    // THEN
    for (const host of ["edge-lb-0", "edge-lb-1"]) {
      expect(file(stack, host, "/usr/local/sbin/ha-claim-VI_51")).toContain("addresses=172.30.0.10/24");
    }
    for (const conf of [lb0, lb1]) {
      expect(conf).toContain("vrrp_version 3");
      expect(conf).toContain("advert_int 0.1");
      expect(conf).toContain("virtual_router_id 51");
      // keepalived holds a loopback marker; the claim script adds the VIP after its ARP probe
      expect(conf).toContain("127.254.51.1/32 dev lo");
      expect(conf).toContain(
        'script "/usr/bin/curl --fail --silent --output /dev/null --max-time 1 http://127.0.0.1:8404/ha-health"',
      );
      expect(conf).toContain("preempt_delay 10");
      expect(conf).not.toContain("unicast_peer");
      // the supervisor's down file: HAProxy's exit is seen through inotify, not the next poll
      expect(conf).toContain(
        'track_file haproxy_down {\n    file "/run/ha/haproxy.down"\n    weight 0\n    init_file 1\n}',
      );
      expect(conf).toMatch(/track_file \{\n\s+haproxy_down\n\s+\}/);
    }
    // every node starts as BACKUP so that preempt_delay holds back a restarted node
    expect(lb0).toMatch(/state BACKUP\n\s+interface eth0\n\s+virtual_router_id 51\n\s+priority 150/);
    expect(lb1).toMatch(/state BACKUP\n\s+interface eth0\n\s+virtual_router_id 51\n\s+priority 100/);
    expect(`${lb0}${lb1}`).not.toContain("state MASTER");
  });

  test("renders unicast peers, nopreempt and notify commands when asked", () => {
    // GIVEN
    const { stack, platform, web } = setup();
    new VipPair(platform, "edge", {
      virtualIp: "172.30.0.10",
      backends: web,
      unicast: true,
      preempt: false,
      notify: { master: ["/usr/bin/logger", "became-master"] },
    });

    // WHEN
    const lb0 = file(stack, "edge-lb-0", "/etc/keepalived/keepalived.conf");

    // THEN
    expect(lb0).toContain("unicast_src_ip 172.30.0.5");
    expect(lb0).toMatch(/unicast_peer \{\n\s+172\.30\.0\.6\n\s+\}/);
    expect(lb0).toContain("nopreempt");
    expect(lb0).toContain("state BACKUP");
    expect(lb0).not.toContain("state MASTER");
    expect(lb0).toContain('notify_master "/usr/bin/logger became-master"');
  });

  test("spreads added VIPs over the nodes with their own router ids", () => {
    // GIVEN
    const { stack, platform, web } = setup();
    const pair = new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web });

    // WHEN
    const extra = pair.addVirtualIp("Extra", { address: "172.30.0.11" });
    const lb1 = file(stack, "edge-lb-1", "/etc/keepalived/keepalived.conf");
    const cfg = file(stack, "edge-lb-1", "/etc/haproxy/haproxy.cfg");

    // THEN the second VIP prefers node 1 and HAProxy listens on both
    expect(extra.virtualRouterId).toBe(52);
    expect(extra.preferredNode).toBe(1);
    expect(lb1).toMatch(
      /vrrp_instance VI_51 \{\n\s+state BACKUP\n\s+interface eth0\n\s+virtual_router_id 51\n\s+priority 100\n/,
    );
    expect(lb1).toMatch(
      /vrrp_instance VI_52 \{\n\s+state BACKUP\n\s+interface eth0\n\s+virtual_router_id 52\n\s+priority 150\n/,
    );
    expect(cfg).toContain("bind 172.30.0.10:80");
    expect(cfg).toContain("bind 172.30.0.11:80");
  });

  test("counts backends added after the pair was made", () => {
    // GIVEN
    const { stack, platform, web } = setup();
    new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web });

    // WHEN
    web.addReplica();

    // THEN
    expect(file(stack, "edge-lb-0", "/etc/haproxy/haproxy.cfg")).toMatch(/server web-3 172\.30\.0\.7:8080/);
  });

  test.each([
    ["roundRobin", Balance.roundRobin(), "balance roundrobin", false],
    ["leastConnections", Balance.leastConnections(), "balance leastconn", false],
    ["powerOfTwoChoices", Balance.powerOfTwoChoices(), "balance random(2)", false],
    ["consistentHashSource", Balance.consistentHashSource(), "balance source", true],
    ["consistentHashHeader", Balance.consistentHashHeader("X-User"), "balance hdr(X-User)", true],
  ])("renders Balance.%s", (_name, balance, line, consistent) => {
    // GIVEN
    const { stack, platform, web } = setup();
    new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web, balance });

    // WHEN
    const cfg = file(stack, "edge-lb-0", "/etc/haproxy/haproxy.cfg");

    // THEN
    expect(cfg).toContain(line);
    expect(cfg.includes("hash-type consistent")).toBe(consistent);
  });

  test("renders cookie stickiness, active and passive checks, retries and redispatch", () => {
    // GIVEN
    const { stack, platform, web } = setup();
    new VipPair(platform, "edge", {
      virtualIp: "172.30.0.10",
      backends: web,
      stickiness: Stickiness.cookie("LB"),
    });

    // WHEN
    const cfg = file(stack, "edge-lb-0", "/etc/haproxy/haproxy.cfg");

    // THEN
    expect(cfg).toContain("cookie LB insert indirect nocache");
    expect(cfg).toContain("server web-0 172.30.0.2:8080 cookie web-0");
    expect(cfg).toContain("http-check send meth GET uri /healthz");
    expect(cfg).toMatch(
      /default-server check inter 1s .*rise 2 fall 2 observe layer4 error-limit 3 on-error mark-down/,
    );
    expect(cfg).toContain("option redispatch 1");
    expect(cfg).toContain("retries 3");
    expect(cfg).toContain("retry-on conn-failure empty-response response-timeout");
    expect(cfg).toMatch(/bind 127\.0\.0\.1:8404\n\s+monitor-uri \/ha-health/);
    expect(cfg).toMatch(/bind 127\.0\.0\.1:8405\n\s+stats enable/);
  });

  test("records the pair, its backends and predicted failover in the HA report", () => {
    // GIVEN
    const { stack, platform, web } = setup();
    new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web });

    // WHEN
    const report = haReport(stack);

    // THEN the single Docker host is the only single point of failure
    expect(report.platform).toBe("docker");
    expect(report.singlePointsOfFailure).toEqual([
      expect.objectContaining({
        kind: "failure-domain",
        id: "docker-host:local",
        breaks: ["test/local/edge", "test/local/web"],
      }),
    ]);
    const lb = report.redundancyGroups.find((g) => g.role === "load-balancer");
    expect(lb?.toleratedFailures).toBe(1);
    expect(lb?.dependsOn).toEqual(["test/local/web"]);
    expect(lb?.predictions.find((p) => p.fault === "node-loss")?.recoverySeconds).toBeCloseTo(
      0.3 + (156 * 0.1) / 256 + 0.05,
      3,
    );
    expect(report.redundancyGroups.find((g) => g.role === "backend")?.toleratedFailures).toBe(2);
  });

  test("reports a lone backend as a single point of failure", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");
    const platform = new DockerPlatform(stack, "local");
    const web = new BackendPool(platform, "web", { replicas: 1 });
    new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web });

    // WHEN
    const report = haReport(stack);

    // THEN
    expect(report.singlePointsOfFailure.map((s) => s.id)).toContain("test/local/web/Replica0");
    expect(report.singlePointsOfFailure.map((s) => s.id)).not.toContain("test/local/edge/Node0");
  });
});

describe("VipPair validation", () => {
  type Case = [string, Partial<VipPairProps>, RegExp];
  const cases: Case[] = [
    ["fails for a VIP outside the segment", { virtualIp: "10.0.0.10" }, /"10\.0\.0\.10".*inside segment/],
    ["fails for the gateway as VIP", { virtualIp: "172.30.0.1" }, /gateway/],
    ["fails for the broadcast address as VIP", { virtualIp: "172.30.0.255" }, /broadcast/],
    ["fails for a VIP that is not an address", { virtualIp: "172.30.0.10\nfoo" }, /IPv4 address/],
    ["fails for a router id above 255", { virtualRouterId: 256 }, /virtualRouterId 256.*1 to 255/],
    ["fails for a router id of 0", { virtualRouterId: 0 }, /virtualRouterId 0/],
    ["fails for equal priorities", { priorities: [100, 100] }, /different priorities/],
    ["fails for a priority of 255", { priorities: [255, 100] }, /priority 255.*1 to 254/],
    ["fails for a wrong number of priorities", { priorities: [150] }, /one priority per node/],
    [
      "fails for VRRPv2 with a fractional interval",
      { vrrpVersion: VrrpVersion.V2, advertIntervalMs: 500 },
      /whole seconds/,
    ],
    ["fails for VRRPv3 with a sub-centisecond interval", { advertIntervalMs: 205 }, /centiseconds/],
    ["fails for a listener port out of range", { listenerPort: 70000 }, /listenerPort 70000.*1 to 65535/],
    ["fails for a listener port equal to the health port", { listenerPort: 8404 }, /three different ports/],
    ["fails for a single node", { nodeCount: 1 }, /nodeCount 1.*2 to 10/],
    [
      "fails for a notify command with a quote",
      { notify: { master: ['/bin/echo"', "x"] } },
      /notify\.master/,
    ],
    [
      "fails for a notify command with a newline",
      { notify: { fault: ["/usr/bin/logger", "a\nb"] } },
      /argument/,
    ],
    ["fails for a relative notify command", { notify: { backup: ["logger"] } }, /absolute path/],
    [
      "fails for header hashing in TCP mode",
      { mode: ProxyMode.TCP, balance: Balance.consistentHashHeader("X-U") },
      /ProxyMode\.HTTP/,
    ],
    [
      "fails for a header name with a newline",
      { balance: Balance.consistentHashHeader("X\nY") },
      /hash header/,
    ],
    ["fails for a cookie name with a brace", { stickiness: Stickiness.cookie("a}b") }, /cookie name/],
  ];

  test.each(cases)("%s", (_name, props, message) => {
    // GIVEN
    const { platform, web } = setup();

    // WHEN
    const error = caught(
      () => new VipPair(platform, "edge", { virtualIp: "172.30.0.10", backends: web, ...props }),
    );

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/^test\/local\/edge/);
  });

  test("throws with the construct path, the value and what is allowed", () => {
    // GIVEN
    const { platform, web } = setup();

    // WHEN
    const error = caught(() => new VipPair(platform, "edge", { virtualIp: "10.1.2.3", backends: web }));

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    const v = error as ValidationError;
    expect(v.path).toBe("test/local/edge/Vip");
    expect(v.value).toBe("10.1.2.3");
    expect(v.message).toBe(
      'test/local/edge/Vip: virtual IP address "10.1.2.3" is not allowed; use an address inside segment test/local/Network (172.30.0.0/24)',
    );
  });

  test("fails for a router id reused on the segment by another pair", () => {
    // GIVEN
    const { platform, web } = setup();
    new VipPair(platform, "a", { virtualIp: "172.30.0.10", backends: web, virtualRouterId: 7 });

    // WHEN / THEN
    expect(
      () => new VipPair(platform, "b", { virtualIp: "172.30.0.11", backends: web, virtualRouterId: 7 }),
    ).toThrow(
      /virtualRouterId 7 is not allowed; id 7 is already used on segment test\/local\/Network by test\/local\/a\/Vip/,
    );
  });

  test("fails for a VIP another pair already holds", () => {
    // GIVEN
    const { platform, web } = setup();
    new VipPair(platform, "a", { virtualIp: "172.30.0.10", backends: web });

    // WHEN / THEN
    expect(() => new VipPair(platform, "b", { virtualIp: "172.30.0.10", backends: web })).toThrow(
      /already used by test\/local\/a\/Vip/,
    );
  });

  test("fails for an empty backend pool", () => {
    // GIVEN / WHEN / THEN
    const { platform } = setup();
    expect(() => new BackendPool(platform, "none", { replicas: 0 })).toThrow(
      /replicas 0 is not allowed; use a whole number from 1/,
    );
  });

  test("fails for a backend health check path that would break out of the config", () => {
    // GIVEN / WHEN / THEN
    const { platform } = setup();
    expect(
      () =>
        new BackendPool(platform, "bad", {
          healthCheck: HealthCheck.http({ path: "/ok\n    server evil 1.2.3.4:80" }),
        }),
    ).toThrow(/health check path/);
  });

  test("fails for a backend command without an image", () => {
    // GIVEN / WHEN / THEN
    const { platform } = setup();
    expect(() => new BackendPool(platform, "bad", { command: ["/usr/bin/app"] })).toThrow(/set `image` too/);
  });

  test("throws when a topology is created outside a platform", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");

    // WHEN / THEN
    expect(() => new BackendPool(stack, "web")).toThrow(/create topologies under a platform/);
    expect(() => Platform.of(stack)).toThrow(ValidationError);
  });

  test("fails for a pool id the platform already uses for its own children", () => {
    // GIVEN
    const { platform } = setup();

    // WHEN
    const error = caught(() => new BackendPool(platform, "Network"));

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /test\/local\/Network: construct id "Network" is not allowed; test\/local already has a child/,
    );
  });

  test("fails for an id that makes host names longer than 63 characters", () => {
    // GIVEN
    const { platform, web } = setup();

    // WHEN
    const error = caught(
      () => new VipPair(platform, "e".repeat(60), { virtualIp: "172.30.0.10", backends: web }),
    );

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/host name \(from the construct ids\) "e{60}-lb-0"/);
  });

  test("fails for a base image that would inject a Dockerfile line", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");

    // WHEN
    const error = caught(
      () => new DockerPlatform(stack, "local", { baseImage: "debian:bookworm-slim\nRUN echo pwned" }),
    );

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/container image/);
  });

  test("fails for a subnet with host bits set", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");

    // WHEN / THEN
    expect(() => new DockerPlatform(stack, "local", { subnet: "172.30.0.5/24" })).toThrow(
      /use "172\.30\.0\.0\/24"/,
    );
  });
});
