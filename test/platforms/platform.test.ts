import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { BackendPool, DockerPlatform, Platform, VRRP_ROUTER_IDS } from "../../lib";
import type { IdPoolSpec } from "../../lib/model/id-pool";
import { dockerStack } from "../support/docker-stack";
import { validationErrorOf } from "../support/errors";

const ASN: IdPoolSpec = { name: "asn", what: "asn", description: "AS number", min: 64512, max: 64513 };

describe("Platform", () => {
  test("Platform.of finds the nearest platform above a construct", () => {
    // GIVEN two platforms in one stack, one construct under each
    const stack = new TerraformStack(Testing.app(), "test");
    const a = new DockerPlatform(stack, "a", { subnet: "198.18.0.0/24" });
    const b = new DockerPlatform(stack, "b", { subnet: "198.18.1.0/24" });
    const deep = new Construct(new Construct(b, "group"), "leaf");
    // THEN each finds its own
    expect(Platform.of(new Construct(a, "x"))).toBe(a);
    expect(Platform.of(deep)).toBe(b);
  });

  test("fails for a topology outside any platform", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    expect(validationErrorOf(() => new BackendPool(stack, "web")).message).toContain(
      "create topologies under a platform",
    );
  });

  test("reserves platform-wide ids and refuses a taken one", () => {
    // GIVEN a platform WHEN two owners take AS numbers
    const { platform } = dockerStack(1);
    expect(platform.reserveId("test/x", ASN, "x")).toBe(64512);
    expect(platform.reserveId("test/y", ASN, "y")).toBe(64513);
    // THEN a third finds none left and a taken one is refused with its holder
    expect(validationErrorOf(() => platform.reserveId("test/z", ASN, "z")).message).toContain(
      "no free AS number",
    );
    expect(validationErrorOf(() => platform.reserveId("test/z", ASN, "z", 64512)).message).toContain(
      "already used on platform test/local by x",
    );
  });

  test("keeps per-segment ids apart from platform-wide ones", () => {
    const { platform } = dockerStack(1);
    expect(platform.defaultSegment.reserveId("test/a", VRRP_ROUTER_IDS, "a")).toBe(51);
    expect(platform.reserveId("test/b", VRRP_ROUTER_IDS, "b")).toBe(51);
  });

  test("fails for a host placed in another platform's failure domain", () => {
    // GIVEN a host spec whose domain is not the platform's
    const { platform, web } = dockerStack(1);
    const replica = web.node.findChild("Replica0") as unknown as {
      spec: Parameters<DockerPlatform["addHost"]>[2];
    };
    const foreign = {
      ...replica.spec,
      hostname: "other",
      failureDomain: { id: "zone:x", kind: "zone" as const, description: "" },
    };
    // WHEN it is added THEN the error lists the platform's domains
    expect(validationErrorOf(() => platform.addHost(web, "Other", foreign)).message).toContain(
      "place hosts in a failure domain of test/local: docker-host:local",
    );
  });

  test("fails for a host name another host holds", () => {
    const { platform, web } = dockerStack(1);
    const replica = web.node.findChild("Replica0") as unknown as {
      spec: Parameters<DockerPlatform["addHost"]>[2];
    };
    expect(validationErrorOf(() => platform.addHost(web, "Again", replica.spec)).message).toContain(
      "already used by test/local/web/Replica0",
    );
  });
});
