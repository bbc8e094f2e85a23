import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  BackendPool,
  type BackendPoolProps,
  DockerPlatform,
  HealthCheck,
  LoadBalancerImplementation,
  ValidationError,
  VipPair,
  type VipPairProps,
} from "../../../lib";
import {
  haReport,
  resourcesOfType,
  resourceTypes,
  synthJson,
  synthWithValidations,
} from "../../../lib/testing";
import { caught } from "../../support/errors";
import { build, instances, type Json } from "./fixture";

describe("VipPair with a managed load balancer on AWS", () => {
  test.each([
    ["network", LoadBalancerImplementation.managedNetwork(), "TCP", HealthCheck.tcp()],
    [
      "application",
      LoadBalancerImplementation.managedApplication(),
      "HTTP",
      HealthCheck.http({ path: "/healthz" }),
    ],
  ])(
    "makes a cross-zone %s load balancer instead of the nodes",
    (kind, implementation, protocol, healthCheck) => {
      // GIVEN
      const { stack, vip } = build({ implementation }, {}, { replicas: 3, healthCheck });

      // WHEN
      const json = synthJson(stack);
      const synth = synthWithValidations(stack);

      // THEN no load-balancer instances, no VRRP, no role: the cloud carries the traffic
      expect(instances(json).map((i) => i.tags["ha:role"])).toEqual(["backend", "backend", "backend"]);
      expect(resourceTypes(json)).not.toContain("aws_iam_role");
      expect(vip.virtualIp).toBeUndefined();
      expect(vip.nodes).toEqual([]);
      expect(vip.endpoint).toMatch(/^\$\{TfToken\[/);
      expect(synth).toHaveResourceWithProperties(Lb, {
        load_balancer_type: kind,
        internal: false,
        enable_cross_zone_load_balancing: true,
        subnets: [expect.stringMatching(/cloud_Subnet0/), expect.stringMatching(/cloud_Subnet1/)],
      });
      expect(synth).toHaveResourceWithProperties(LbTargetGroup, {
        port: 8080,
        protocol,
        target_type: "ip",
        deregistration_delay: "30",
        health_check: expect.objectContaining({
          interval: 5,
          timeout: 2,
          healthy_threshold: 2,
          unhealthy_threshold: 2,
        }),
      });
      expect(synth).toHaveResourceWithProperties(LbListener, { port: 80, protocol });
      const attachment = Object.values(resourcesOfType(json, "aws_lb_target_group_attachment"))[0] as Json;
      expect(attachment.for_each).toEqual({
        "10.40.0.4": { port: 8080 },
        "10.40.0.5": { port: 8080 },
        "10.40.16.4": { port: 8080 },
      });
      expect(attachment).toMatchObject({ target_id: "${each.key}", port: "${each.value.port}" });
      const report = haReport(stack);
      const group = report.redundancyGroups.find((g) => g.role === "load-balancer");
      expect(group?.failureDomains).toEqual(["zone:az1", "zone:az2"]);
      expect(group?.mechanism).toMatch(/cloud-managed/);
      expect(report.singlePointsOfFailure).toEqual([]);
      expect(report.notes.join("\n")).toMatch(/AWS checks targets every 5 s/);
    },
  );

  test("opens the listener to clients and the backend port to the load balancer only", () => {
    // GIVEN
    const { stack } = build(
      { implementation: LoadBalancerImplementation.managedNetwork() },
      {},
      { healthCheck: HealthCheck.tcp() },
    );

    // WHEN
    const ingress = Object.values(
      resourcesOfType(synthJson(stack), "aws_vpc_security_group_ingress_rule"),
    ) as Json[];

    // THEN
    expect(ingress.map((r) => [r.ip_protocol, r.from_port, r.cidr_ipv4 ?? "group"]).sort()).toEqual([
      ["tcp", 80, "0.0.0.0/0"],
      ["tcp", 8080, "group"],
    ]);
  });

  test.each<[string, Partial<VipPairProps>, BackendPoolProps, RegExp]>([
    [
      "fails for VRRP props on a managed load balancer",
      {
        implementation: LoadBalancerImplementation.managedNetwork(),
        virtualIp: "100.64.0.1",
        priorities: [1, 2],
      },
      {},
      /\["virtualIp","priorities"\].*leave these unset/,
    ],
    [
      "fails for an application load balancer with a TCP check",
      { implementation: LoadBalancerImplementation.managedApplication() },
      { healthCheck: HealthCheck.tcp() },
      /checks targets by HTTP/,
    ],
    [
      "fails for a script check on a managed load balancer",
      { implementation: LoadBalancerImplementation.managedNetwork() },
      { healthCheck: HealthCheck.script(["/usr/local/bin/check"]) },
      /HTTP or TCP/,
    ],
  ])("%s", (_name, pair, pool, message) => {
    // GIVEN / WHEN
    const error = caught(() => build(pair, {}, pool));

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });

  test("fails for a managed load balancer on Docker", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");
    const local = new DockerPlatform(stack, "local");
    const web = new BackendPool(local, "web");

    // WHEN
    const error = caught(
      () =>
        new VipPair(local, "edge", {
          backends: web,
          implementation: LoadBalancerImplementation.managedNetwork(),
        }),
    );

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /test\/local\/edge: implementation "managed network load balancer" is not allowed; the docker platform has no managed network load balancer/,
    );
  });
});
