/**
 * Tier 5 (deploy), AWS half: every AWS example stack as Terraform reads it. For each stack
 * whose name ends in "-aws": `terraform init` against a local mirror of hashicorp/aws,
 * `terraform validate` (no error, no warning), and `terraform test` with the provider mocked,
 * running a plan and an apply.
 *
 * What it proves: the JSON fits the provider's schema (attribute names, types, required
 * arguments, blocks), every reference and expression resolves (including Terraform functions
 * evaluated at plan time, e.g. `element()` over the zones and the ARNs taken apart with
 * `split()`), the plan graph has no cycle, and the IAM policies hold specific ARNs once values
 * are known. What it cannot prove: the cloud's answers (quotas, AMI availability, IAM
 * evaluation, whether the instances boot): the provider is mocked.
 *
 * The stack pins the provider version of the bindings (6.x); only that constraint is rewritten,
 * to the mirror's version (5.x here). The stacks use no 6.x-only attribute (the region's
 * `region` was one: ARNs are now built from resources' own `arn`); one would fail `validate`.
 *
 * Terraform cannot be installed from the registries CI reaches, so where `terraform` or a mirror
 * is missing the tier reports itself skipped, under CI=true too.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXAMPLES } from "../../examples";
import { AwsPlatform } from "../../lib";
import { storageHostSpec } from "../support/storage-spec";
import {
  AWS_PROVIDER,
  cliConfig,
  findProviderMirror,
  mockedTest,
  pinAwsProvider,
  terraform,
  terraformTier,
} from "../support/terraform";

/** Every AWS example, by its stack name. */
const AWS_EXAMPLES = Object.keys(EXAMPLES).filter((name) => name.endsWith("-aws"));

/**
 * AWS stacks of platform capabilities no example uses yet, made here: "storage-aws", two hosts
 * in two zones, each with an EBS volume and a file of one Secrets Manager secret.
 */
const CAPABILITY_STACKS: Record<string, (app: App) => void> = {
  "storage-aws": (app) => {
    const stack = new TerraformStack(app, "storage-aws");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const cloud = new AwsPlatform(stack, "cloud");
    const secret = cloud.addSecret(cloud, "Superuser");
    for (const n of [0, 1]) {
      cloud.addHost(
        cloud,
        `Db${n}`,
        storageHostSpec(cloud, n, {
          volumes: [{ name: "data", mountPath: "/var/lib/postgresql", owner: "postgres" }],
          secretFiles: [{ path: "/etc/patroni/superuser", secret, owner: "postgres" }],
        }),
      );
    }
  },
};
const AWS_STACKS = [...AWS_EXAMPLES, ...Object.keys(CAPABILITY_STACKS)];

describe("tier 5 helpers", () => {
  test("find the newest AWS provider of a mirror, unpacked or packed, and nothing where there is none", () => {
    // GIVEN a mirror with 5.9.0 unpacked and 5.10.0 packed for this platform
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-mirror-"));
    try {
      const platform = `${os.platform()}_${os.arch() === "x64" ? "amd64" : os.arch()}`;
      const aws = path.join(dir, AWS_PROVIDER);
      fs.mkdirSync(path.join(aws, "5.9.0", platform), { recursive: true });
      fs.writeFileSync(path.join(aws, "5.9.0", platform, "terraform-provider-aws_v5.9.0_x5"), "");
      fs.writeFileSync(path.join(aws, `terraform-provider-aws_5.10.0_${platform}.zip`), "");

      // WHEN / THEN
      expect(findProviderMirror([path.join(dir, "empty"), dir])).toEqual({ root: dir, version: "5.10.0" });
      expect(findProviderMirror([path.join(dir, "empty")])).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("rewrite only the AWS provider's constraint, and fail without one", () => {
    // GIVEN
    const document = { terraform: { required_providers: { aws: { source: "aws", version: "6.25.0" } } } };

    // WHEN
    const pinned = pinAwsProvider(document, "5.100.0");

    // THEN
    expect(pinned).toBe("6.25.0");
    expect(document.terraform.required_providers.aws).toEqual({ source: "aws", version: "5.100.0" });
    expect(() => pinAwsProvider({ terraform: {} }, "5.100.0")).toThrow(/no terraform.required_providers.aws/);
  });

  test("mock every data source a stack reads, and fail for one without mock values", () => {
    // GIVEN / WHEN
    const text = mockedTest({ data: { aws_ami: { x: {} } }, resource: { aws_iam_role_policy: { p: {} } } });

    // THEN
    expect(text).toContain('mock_data "aws_ami" {\n    defaults = {"id":"ami-0123456789abcdef0"');
    expect(text).toContain("command = plan");
    expect(text).toContain("command = apply");
    expect(text).toContain("jsondecode(aws_iam_role_policy.p.policy).Statement");
    expect(() => mockedTest({ data: { aws_vpc: { x: {} } } })).toThrow(
      /no mock values for the data source\(s\) aws_vpc/,
    );
  });
});

describe("AWS examples", () => {
  test("there is at least one, and tier 5 covers each", () => {
    // GIVEN / WHEN / THEN: a renamed example must not drop out of the tier unnoticed
    expect(AWS_EXAMPLES).toContain("vip-pair-aws");
  });
});

const tier = terraformTier();

describe.runIf(tier)("tier 5: terraform validate and a mocked plan and apply of every AWS stack", () => {
  const { binary, mirror } = tier || { binary: "", mirror: { root: "", version: "" } };
  let root = "";
  let configFile = "";

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ha-terraform-"));
    const app = new App({ outdir: path.join(root, "cdktf.out") });
    for (const name of AWS_EXAMPLES) EXAMPLES[name]?.(app);
    for (const make of Object.values(CAPABILITY_STACKS)) make(app);
    app.synth();
    const cache = path.join(root, "plugin-cache");
    fs.mkdirSync(cache);
    configFile = path.join(root, "cli.tfrc");
    fs.writeFileSync(configFile, cliConfig(mirror, cache));
  });

  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  test.each(AWS_STACKS)(
    "%s: init from the mirror, validate, terraform test (plan and apply, provider mocked)",
    (name) => {
      // GIVEN the synthesized stack with only the provider constraint rewritten
      const document = JSON.parse(
        fs.readFileSync(path.join(root, "cdktf.out", "stacks", name, "cdk.tf.json"), "utf8"),
      );
      const pinned = pinAwsProvider(document, mirror.version);
      const dir = path.join(root, name);
      fs.mkdirSync(path.join(dir, "tests"), { recursive: true });
      fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(document, null, 2));
      fs.writeFileSync(path.join(dir, "tests", "stack.tftest.hcl"), mockedTest(document));

      // WHEN
      const init = terraform(
        binary,
        ["init", "-backend=false", "-input=false", "-no-color"],
        dir,
        configFile,
      );
      const validate = terraform(binary, ["validate", "-json", "-no-color"], dir, configFile);
      const run = terraform(binary, ["test", "-no-color"], dir, configFile);

      // THEN the mirror's provider was used, the configuration is valid without a warning, and
      // both runs passed
      expect(init.output).toContain(`hashicorp/aws v${mirror.version}`);
      const verdict = JSON.parse(validate.output);
      expect(verdict.diagnostics).toEqual([]);
      expect(verdict.valid).toBe(true);
      expect(run.output).toMatch(/run "plan"\.\.\. pass/);
      expect(run.output).toMatch(/run "apply"\.\.\. pass/);
      expect(run.output).toMatch(/Success! 2 passed, 0 failed/);
      const s = (x: { seconds: number }) => x.seconds.toFixed(1);
      console.log(
        `tier 5 (terraform): ${name} validated against hashicorp/aws ${mirror.version} from ${mirror.root} (the bindings pin ${pinned}); init ${s(init)} s, validate ${s(validate)} s, test (mocked plan + apply) ${s(run)} s`,
      );
    },
    600_000,
  );
});
