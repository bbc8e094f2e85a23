import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import {
  HEALTH_METRIC_DIMENSION,
  HEALTH_METRIC_NAME,
  healthMetricNamespace,
  publishHealthMetrics,
} from "../../../../lib/platforms/aws/route53/health-metric";
import type { Route53Plan } from "../../../../lib/platforms/aws/route53/limits";
import { resourcesOfType, synthJson } from "../../../../lib/testing";
import { validationErrorOf } from "../../../support/errors";
import { cloudConfig } from "../fixture";
import { hostMembers, platformStack } from "./fixture";

const plan = (probe: Route53Plan["probe"], intervalSeconds = 10): Route53Plan => ({
  mode: "alarm",
  zoneName: "pool.internal",
  fqdn: "www.pool.internal",
  intervalSeconds,
  failureThreshold: 3,
  probe,
  probeTimeoutSeconds: 2,
  fallback: [],
  notes: [],
});

describe("publishHealthMetrics", () => {
  test("makes every member's host publish its probe, and grants PutMetricData into the namespace only", () => {
    // GIVEN
    const { stack, cloud, pool, scope } = platformStack({}, 2);
    const holder = new Construct(scope, "www");

    // WHEN
    const published = publishHealthMetrics(
      cloud,
      scope,
      holder,
      plan({ type: "TCP", port: 443 }),
      hostMembers(pool)(),
    );
    const json = synthJson(stack);

    // THEN where each member's health is
    expect(healthMetricNamespace(cloud)).toBe("cdktf-ha-topologies/test");
    expect(published.get("lb-1")).toEqual({
      namespace: "cdktf-ha-topologies/test",
      metricName: HEALTH_METRIC_NAME,
      dimensions: { [HEALTH_METRIC_DIMENSION]: "test-lb-1" },
    });
    // the publisher on each host, probing the host's own address
    const config = cloudConfig(json, "lb-0");
    expect(config.runcmd).toContainEqual(["systemctl", "enable", "--now", "ha-health-metric.service"]);
    expect(config.packages).toEqual(expect.arrayContaining(["awscli", "curl"]));
    const script = config.files.get("/usr/local/sbin/ha-health-metric");
    expect(script).toMatch(/timeout 2 \/bin\/bash -c 'exec 3<>\/dev\/tcp\/10\.40\.0\.4\/443'/);
    // twice per 10 s alarm period
    expect(script).toContain("interval=5\n");
    // one policy for the group: exactly PutMetricData, on "*", narrowed to the namespace
    const policies = Object.values(resourcesOfType(json, "aws_iam_role_policy"));
    expect(policies).toHaveLength(1);
    expect(policies[0].name).toMatch(/^publish-health-test-cloud-lb-[0-9a-f]{8}$/);
    expect(policies[0].policy).toBe(
      '${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Sid" = "PublishOwnHealthMetric", "Effect" = "Allow", "Action" = ["cloudwatch:PutMetricData"], "Resource" = ["*"], "Condition" = {"StringEquals" = {"cloudwatch:namespace" = "cdktf-ha-topologies/test"}}}]})}',
    );
    for (const i of Object.values(resourcesOfType(json, "aws_instance"))) {
      expect(i.iam_instance_profile).toMatch(/aws_iam_instance_profile\.cloud_Roles_test-cloud-lb_/);
    }
  });

  test("publishes once per host for two names with the same probe, and refuses another probe", () => {
    // GIVEN
    const { stack, cloud, pool, scope } = platformStack({}, 1);
    const members = hostMembers(pool)();
    publishHealthMetrics(cloud, scope, new Construct(scope, "a"), plan({ type: "TCP", port: 443 }), members);

    // WHEN the same probe again, then another
    publishHealthMetrics(cloud, scope, new Construct(scope, "b"), plan({ type: "TCP", port: 443 }), members);
    const error = validationErrorOf(() =>
      publishHealthMetrics(cloud, scope, new Construct(scope, "c"), plan({ type: "TCP", port: 80 }), members),
    );

    // THEN
    expect(Object.values(resourcesOfType(synthJson(stack), "aws_iam_role_policy"))).toHaveLength(1);
    expect(error.message).toMatch(/another probe.*one host, one probe/);
  });

  test("throws for a member without a host: nobody publishes for it", () => {
    // GIVEN
    const { cloud, scope } = platformStack({}, 1);

    // WHEN / THEN
    const error = validationErrorOf(() =>
      publishHealthMetrics(cloud, scope, scope, plan({ type: "TCP", port: 443 }), [
        { name: "ext", address: "10.9.9.9", componentId: "ext" },
      ]),
    );
    expect(error.path).toBe("test/cloud/pool");
    expect(error.message).toMatch(/member "ext" is not allowed.*give members the platform made/);
  });
});
