import { describe, expect, test } from "vitest";
import { DockerPlatform, LoadBalancerImplementation, VipPair, VrrpVersion } from "../../../lib";
import { dockerStack } from "../../support/docker-stack";
import { validationErrorOf } from "../../support/errors";

describe("VipPair with a managed load balancer", () => {
  test("fails where the platform offers none, naming the trait", () => {
    const { platform, web } = dockerStack(1);
    const error = validationErrorOf(
      () =>
        new VipPair(platform, "edge", {
          backends: web,
          implementation: LoadBalancerImplementation.managedApplication(),
        }),
    );
    expect(error.message).toContain("the docker platform has no managed application load balancer");
  });

  test("fails for a pool made on another platform, naming both", () => {
    // GIVEN a pool on one platform and a second platform in the same stack
    const { stack, web } = dockerStack(1, { subnet: "198.18.0.0/24" });
    const other = new DockerPlatform(stack, "other", { subnet: "198.18.1.0/24" });
    // WHEN a pair on the second platform is given the pool THEN it is refused
    const error = validationErrorOf(() => new VipPair(other, "edge", { backends: web }));
    expect(error.message).toContain('test/other/edge: backends "test/local/web" is not allowed');
    expect(error.message).toContain("use a backend pool made on this pair's platform (test/other)");
  });

  test("implementations name their managed kind", () => {
    expect(LoadBalancerImplementation.selfManaged().managedKind).toBeUndefined();
    expect(LoadBalancerImplementation.managedNetwork().managedKind).toBe("network");
    expect(LoadBalancerImplementation.managedApplication().managedKind).toBe("application");
    expect(VrrpVersion.V3).toBe(3);
  });
});
