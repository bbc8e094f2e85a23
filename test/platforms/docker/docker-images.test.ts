import { Image } from "@cdktf/provider-docker/lib/image";
import { Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { BackendPool, Software } from "../../../lib";
import { resourcesOfType, synthJson } from "../../../lib/testing";
import { dockerStack } from "../../support/docker-stack";
import { validationErrorOf } from "../../support/errors";

describe("DockerImages", () => {
  test("builds one image per package set, however many hosts use it", () => {
    const { stack, platform } = dockerStack(3);
    new BackendPool(platform, "api", { replicas: 2 });
    const images = Object.values(resourcesOfType(synthJson(stack), "docker_image"));
    expect(images).toHaveLength(1);
    expect(images[0]?.name).toMatch(/^cdktf-ha\/ha-demo-backend:[0-9a-f]{12}$/);
    expect(images[0]?.build?.context).toMatch(/^\$\{path\.module\}\/assets\//);
  });

  test("pulls the user's image by reference and keeps it locally", () => {
    const { stack, platform } = dockerStack(1);
    new BackendPool(platform, "app", { replicas: 2, image: "registry.example:5000/app:1.2" });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Image, {
      name: "registry.example:5000/app:1.2",
      keep_locally: true,
    });
    expect(Object.keys(resourcesOfType(synthJson(stack), "docker_image"))).toHaveLength(2);
  });

  test("fails for two package sets under one image name", () => {
    // GIVEN an image built for the demo backend
    const { platform, web } = dockerStack(1);
    const replica = web.node.findChild("Replica0") as unknown as {
      spec: Parameters<typeof platform.addHost>[2];
    };
    const domain = platform.failureDomains[0] as (typeof platform.failureDomains)[number];
    const attachment = platform.attachHost(web, "x", platform.defaultSegment, domain, 0);
    // WHEN another host asks for that name with other packages
    const other = {
      ...replica.spec,
      hostname: "other",
      attachments: [attachment],
      software: Software.debianPackages("ha-demo-backend", ["nginx"]),
    };
    // THEN the error names the host and the rule
    expect(validationErrorOf(() => platform.addHost(web, "Other", other)).message).toContain(
      'test/local/web/Other: image name "ha-demo-backend" is not allowed; use one package set per image name',
    );
  });
});
