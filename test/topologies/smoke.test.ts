import { Container } from "@cdktf/provider-docker/lib/container";
import { TerraformStack, Testing } from "cdktf";
import { expect, test } from "vitest";
import { BackendPool, DockerPlatform, VipPair } from "../../lib";

test("synthesizes a VIP pair", () => {
  const stack = new TerraformStack(Testing.app(), "s");
  const p = new DockerPlatform(stack, "local");
  new VipPair(p, "edge", { virtualIp: "172.30.0.10", backends: new BackendPool(p, "web") });
  expect(Testing.synth(stack, true)).toHaveResourceWithProperties(Container, { hostname: "edge-lb-0" });
  expect(Testing.synth(stack, true)).not.toHaveResourceWithProperties(Container, { hostname: "nope" });
});
