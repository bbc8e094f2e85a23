import { Route53HealthCheck } from "@cdktf/provider-aws/lib/route53-health-check";
import { Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { endpointHealthCheck } from "../../../../lib/platforms/aws/route53/health-checks";
import type { Route53Plan } from "../../../../lib/platforms/aws/route53/limits";
import { resourcesOfType, synthJson } from "../../../../lib/testing";
import { platformStack } from "./fixture";

const plan = (probe: Route53Plan["probe"]): Route53Plan => ({
  mode: "endpoint",
  zoneName: "a.test",
  fqdn: "www.a.test",
  intervalSeconds: 30,
  failureThreshold: 2,
  probe,
  probeTimeoutSeconds: 1,
  fallback: [],
  notes: [],
});

describe("endpointHealthCheck", () => {
  test.each([
    [
      "HTTP",
      plan({ type: "HTTP", port: 8404, path: "/ready" }),
      { type: "HTTP", port: 8404, resource_path: "/ready" },
    ],
    ["TCP", plan({ type: "TCP", port: 443 }), { type: "TCP", port: 443 }],
  ])(
    "maps a %s probe, interval and threshold, with latency unmeasured and default regions",
    (type, p, expected) => {
      // GIVEN
      const { stack, scope } = platformStack({}, 1);

      // WHEN
      endpointHealthCheck(scope, "Check", p, { name: "m1", address: "8.8.8.8" }, "test-www-m1");
      const synth = Testing.synth(stack, true);

      // THEN
      expect(synth).toHaveResourceWithProperties(Route53HealthCheck, {
        ...expected,
        ip_address: "8.8.8.8",
        request_interval: 30,
        failure_threshold: 2,
        measure_latency: false,
        tags: { Name: "test-www-m1" },
      });
      const [check] = Object.values(resourcesOfType(synthJson(stack), "aws_route53_health_check"));
      expect(check.regions).toBeUndefined();
      expect("resource_path" in check).toBe(type === "HTTP");
    },
  );
});
