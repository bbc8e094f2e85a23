import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  AwsPlatform,
  BackendPool,
  DockerPlatform,
  FloatingAddressMode,
  HaReport,
  HaRules,
  HealthCheck,
  VipPair,
} from "../../lib";
import { haReport, synthAnnotations } from "../../lib/testing";
import { caught, validationErrorOf } from "../support/errors";

function dockerPair(app = Testing.app()) {
  const stack = new TerraformStack(app, "test");
  const local = new DockerPlatform(stack, "local", { subnet: "198.18.0.0/24" });
  const web = new BackendPool(local, "web", {
    replicas: 2,
    healthCheck: HealthCheck.http({ path: "/healthz" }),
  });
  const pair = new VipPair(local, "edge", { virtualIp: "198.18.0.10", backends: web });
  return { stack, local, web, pair };
}

describe("HaRules on a DockerPlatform + VipPair stack", () => {
  test("warns on the platform that its one Docker host is a single point of failure, and synthesis succeeds", () => {
    // GIVEN
    const { stack } = dockerPair();

    // WHEN a full synthesis, as `cdktf synth` runs it
    const outdir = Testing.fullSynth(stack);
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
      const report = JSON.parse(fs.readFileSync(path.join(outdir, "stacks/test/ha-report.json"), "utf8"));

      // THEN the Annotation and the report's finding say the same
      expect(manifest.stacks.test.annotations).toEqual([
        {
          constructPath: "test/local",
          level: "@cdktf/warn",
          message: expect.stringMatching(
            /^HA-SinglePointOfFailure: losing host docker-host:local .* takes down 4 of 4 components; stops test\/local\/edge, test\/local\/web$/,
          ),
        },
      ]);
      expect(report.findings).toEqual([
        {
          ruleId: "HA-SinglePointOfFailure",
          severity: "warning",
          constructPath: "test/local",
          subject: "docker-host:local",
          message: manifest.stacks.test.annotations[0].message.replace(/^HA-SinglePointOfFailure: /, ""),
        },
      ]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("annotates once however often the stack is synthesized", () => {
    // GIVEN
    const { stack } = dockerPair();

    // WHEN
    Testing.synth(stack);
    const annotations = synthAnnotations(stack);

    // THEN
    expect(annotations.map((a) => [a.constructPath, a.level])).toEqual([["test/local", "@cdktf/warn"]]);
  });

  test("a suppression with a reason silences the Annotation and lists the finding with the reason", () => {
    // GIVEN
    const { stack, local } = dockerPair();

    // WHEN
    HaRules.suppress(local, "HA-SinglePointOfFailure", "a lab on one laptop: one Docker host is the point");

    // THEN
    expect(synthAnnotations(stack)).toEqual([]);
    const report = haReport(stack);
    expect(report.findings).toEqual([]);
    expect(report.suppressedFindings).toEqual([
      expect.objectContaining({
        ruleId: "HA-SinglePointOfFailure",
        subject: "docker-host:local",
        suppression: { scope: "test/local", reason: "a lab on one laptop: one Docker host is the point" },
      }),
    ]);
  });

  test("a suppression on another construct leaves the finding in force", () => {
    // GIVEN
    const { stack, pair } = dockerPair();

    // WHEN
    HaRules.suppress(pair, "HA-SinglePointOfFailure", "the pair is fine");

    // THEN
    expect(synthAnnotations(stack).map((a) => a.constructPath)).toEqual(["test/local"]);
  });

  test.each([
    ["an empty reason", ""],
    ["a reason of blanks", "   "],
  ])("throws for a suppression with %s", (_name, reason) => {
    // GIVEN
    const { local } = dockerPair();

    // WHEN
    const error = validationErrorOf(() => HaRules.suppress(local, "HA-SinglePointOfFailure", reason));

    // THEN
    expect(error.path).toBe("test/local");
    expect(error.message).toMatch(/reason for suppressing HA-SinglePointOfFailure .* say why/);
  });

  test("throws for a suppression of a rule the pack does not have", () => {
    // GIVEN
    const { local } = dockerPair();

    // WHEN
    const error = validationErrorOf(() => HaRules.suppress(local, "HA-Nope", "because"));

    // THEN
    expect(error.message).toMatch(
      /rule id "HA-Nope".*HA-SinglePointOfFailure, HA-VridClash, HA-OneFailureDomain/,
    );
  });
});

describe("HaRules severities", () => {
  test("fails synthesis on an error: two VRRP instances with one id on one segment", () => {
    // GIVEN two owners recording router id 51 on the platform's network
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-rules-"));
    try {
      const app = new App({ outdir });
      const { stack } = dockerPair(app);
      const model = HaReport.of(stack).model;
      model.addVrrpInstance({
        segment: "test/local/Network",
        virtualRouterId: 51,
        owner: "test/local/edge/Vip",
      });
      model.addVrrpInstance({
        segment: "test/local/Network",
        virtualRouterId: 51,
        owner: "test/local/other",
      });

      // WHEN
      const error = caught(() => app.synth());

      // THEN the owner that is a construct gets the error; the one that is not, its nearest ancestor
      expect(error.message).toMatch(/\[test\/local\/edge\/Vip\] HA-VridClash: virtual router id 51/);
      expect(error.message).toMatch(/\[test\/local\] HA-VridClash: .*also used by test\/local\/edge\/Vip/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("warns on an AWS pair kept in one zone by the secondary-IP mode", () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), "test");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const cloud = new AwsPlatform(stack, "cloud", {});
    const web = new BackendPool(cloud, "web", { replicas: 2 });
    new VipPair(cloud, "edge", { backends: web, addressMode: FloatingAddressMode.SECONDARY_PRIVATE_IP });

    // WHEN
    const annotations = synthAnnotations(stack);

    // THEN both the zone and the spread are named, as warnings
    expect(annotations.map((a) => [a.constructPath, a.level, a.message.split(":")[0]])).toEqual([
      ["test/cloud", "@cdktf/warn", "HA-SinglePointOfFailure"],
      ["test/cloud/edge", "@cdktf/warn", "HA-OneFailureDomain"],
    ]);
    expect(annotations[1]?.message).toMatch(
      /all 2 members of load-balancer group test\/cloud\/edge are in zone:/,
    );
  });
});
