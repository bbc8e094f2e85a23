import { Instance } from "@cdktf/provider-aws/lib/instance";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { AwsHost, BackendPool, DockerPlatform, FloatingAddressMode, ValidationError } from "../../../lib";
import { synthJson, synthWithValidations } from "../../../lib/testing";
import { caught } from "../../support/errors";
import { build, cloudConfig, instanceOf, instances } from "./fixture";

describe("AwsHost", () => {
  test("spreads the nodes and backends over two zones, with IMDSv2 and encrypted volumes", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const json = synthJson(stack);

    // THEN
    const lb0 = instanceOf(json, "edge-lb-0");
    const lb1 = instanceOf(json, "edge-lb-1");
    expect(lb0.subnet_id).toMatch(/aws_subnet\.cloud_Subnet0_/);
    expect(lb1.subnet_id).toMatch(/aws_subnet\.cloud_Subnet1_/);
    expect(lb0.private_ip).toMatch(/^10\.40\.0\.\d+$/);
    expect(lb1.private_ip).toMatch(/^10\.40\.16\.\d+$/);
    const zoneOf = (hostname: string) => instanceOf(json, hostname).subnet_id.match(/cloud_(Subnet\d)_/)[1];
    expect(["web-0", "web-1", "web-2", "edge-lb-0", "edge-lb-1"].map(zoneOf)).toEqual([
      "Subnet0",
      "Subnet1",
      "Subnet0",
      "Subnet0",
      "Subnet1",
    ]);
    for (const i of instances(json)) {
      expect(i.metadata_options).toEqual({
        http_endpoint: "enabled",
        http_tokens: "required",
        http_put_response_hop_limit: 1,
      });
      expect(i.root_block_device).toEqual({ encrypted: true, volume_type: "gp3" });
      // AWS keeps .1-.3 of every subnet; no host gets them
      expect(Number(i.private_ip.split(".")[3])).toBeGreaterThanOrEqual(4);
    }
  });

  test("uses the user's instance types when given", () => {
    // GIVEN
    const { stack } = build(
      {},
      {
        ami: "ami-0123456789abcdef0",
        instanceType: "t3.micro",
        instanceTypes: { "load-balancer": "c6i.large" },
      },
    );

    // WHEN
    const synth = synthWithValidations(stack);

    // THEN
    expect(synth).toHaveResourceWithProperties(Instance, {
      instance_type: "c6i.large",
      tags: expect.objectContaining({ Name: "test-edge-lb-0" }),
    });
    expect(synth).toHaveResourceWithProperties(Instance, {
      instance_type: "t3.micro",
      tags: expect.objectContaining({ Name: "test-web-0" }),
    });
  });

  test("reads what the platform asked of it at synthesis, also when asked after it was made", () => {
    // GIVEN a backend made first
    const { stack, web } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });
    const late = AwsHost.of(web, web.addReplica());

    // WHEN it is asked to forward and given a profile afterwards
    late.forwardPackets();
    late.useInstanceProfile("late-profile");
    const json = synthJson(stack);

    // THEN the instance carries both; the other backends neither
    expect(instanceOf(json, "web-3")).toMatchObject({
      source_dest_check: false,
      iam_instance_profile: "late-profile",
    });
    expect(instanceOf(json, "web-0").source_dest_check).toBeUndefined();
    expect(instanceOf(json, "web-0").iam_instance_profile).toBeUndefined();
  });

  test("runs a service of the platform's own, read at synthesis, once", () => {
    // GIVEN
    const { stack, web } = build();
    const host = AwsHost.of(web, web.addReplica());

    // WHEN a service is added after the host was made
    host.addService(
      "x.service",
      [{ path: "/etc/systemd/system/x.service", content: () => "[Service]\n" }],
      ["curl", "awscli"],
    );
    const config = cloudConfig(synthJson(stack), "web-3");

    // THEN its files and packages are in the user data and the unit starts after them
    expect(config.files.get("/etc/systemd/system/x.service")).toBe("[Service]\n");
    expect(config.packages).toEqual(expect.arrayContaining(["awscli", "curl"]));
    expect(config.runcmd).toContainEqual(["systemctl", "enable", "--now", "x.service"]);
    expect(cloudConfig(synthJson(stack), "web-0").runcmd).not.toContainEqual([
      "systemctl",
      "enable",
      "--now",
      "x.service",
    ]);
    expect(caught(() => host.addService("x.service", [], [])).message).toMatch(/add each service once/);
  });

  test("fails for a second, different instance profile", () => {
    // GIVEN
    const { web } = build();
    const host = AwsHost.of(web, web.addReplica());
    host.useInstanceProfile("one");

    // WHEN
    const error = caught(() => host.useInstanceProfile("two"));

    // THEN the same profile again is fine; another is not
    expect(() => host.useInstanceProfile("one")).not.toThrow();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(
      /test\/cloud\/web\/Replica3: instance profile "two" is not allowed; the instance already has one/,
    );
  });

  test("fails for a host another platform made", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");
    const local = new DockerPlatform(stack, "local");
    const web = new BackendPool(local, "web");

    // WHEN
    const error = caught(() => AwsHost.of(web, web.addReplica()));

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/an AWS platform works with hosts it made itself/);
  });
});

describe("AwsHost validation", () => {
  test.each<[string, () => unknown, RegExp]>([
    [
      "fails for a container image on AWS",
      () => build({}, {}, { image: "nginx:1.27" }),
      /container images run on the Docker platform/,
    ],
  ])("%s", (_name, make, message) => {
    // GIVEN / WHEN
    const error = caught(make);

    // THEN
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(message);
  });
});
