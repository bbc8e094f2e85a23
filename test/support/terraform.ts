/**
 * Tier 5 for AWS stacks: the synthesized JSON as Terraform itself reads it, with the AWS
 * provider taken from a local filesystem mirror (no registry is reachable) and mocked for plans
 * and applies (`terraform test` with `mock_provider`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findBinary, skipTier } from "./tiers";

export const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";

/** A filesystem mirror holding the AWS provider for this machine's platform. */
export interface ProviderMirror {
  /** The directory to name in `filesystem_mirror { path = ... }`. */
  readonly root: string;
  /** The newest version of the provider it holds, e.g. "5.100.0". */
  readonly version: string;
}

/** Terraform's name of this machine's platform, e.g. "linux_amd64". */
function terraformPlatform(): string {
  const arch = ({ x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" } as Record<string, string>)[
    os.arch()
  ];
  return `${os.platform()}_${arch ?? os.arch()}`;
}

/**
 * Where mirrors are looked for: `HA_TERRAFORM_MIRROR` if set, /opt/tf-plugins, and the implied
 * local mirror directories Terraform itself searches on Linux.
 */
export function mirrorCandidates(): string[] {
  const home = os.homedir();
  return [
    ...(process.env.HA_TERRAFORM_MIRROR ? [process.env.HA_TERRAFORM_MIRROR] : []),
    "/opt/tf-plugins",
    path.join(home, ".terraform.d", "plugins"),
    path.join(home, ".local", "share", "terraform", "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
  ];
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The versions of the AWS provider a mirror directory holds, unpacked or packed, for this platform. */
function versionsIn(root: string): string[] {
  const dir = path.join(root, AWS_PROVIDER);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const platform = terraformPlatform();
  const unpacked = entries.filter((v) => {
    try {
      return fs.readdirSync(path.join(dir, v, platform)).some((f) => f.startsWith("terraform-provider-aws"));
    } catch {
      return false;
    }
  });
  const packed = entries
    .map((f) => new RegExp(`^terraform-provider-aws_(\\d+\\.\\d+\\.\\d+)_${platform}\\.zip$`).exec(f)?.[1])
    .filter((v): v is string => v !== undefined);
  return [...unpacked, ...packed].filter((v) => /^\d+\.\d+\.\d+$/.test(v));
}

/** The first candidate directory holding the AWS provider, with its newest version. */
export function findProviderMirror(
  candidates: readonly string[] = mirrorCandidates(),
): ProviderMirror | undefined {
  for (const root of candidates) {
    const versions = versionsIn(root).sort(compareVersions);
    const version = versions[versions.length - 1];
    if (version !== undefined) return { root, version };
  }
  return undefined;
}

/**
 * A CLI configuration that installs the AWS provider only from the mirror (never the network),
 * with a plugin cache so that every stack links the one copy instead of copying 700 MB.
 */
export function cliConfig(mirror: ProviderMirror, pluginCacheDir: string): string {
  return `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}

provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror.root)}
    include = [${JSON.stringify(AWS_PROVIDER)}]
  }
  direct {
    exclude = [${JSON.stringify(AWS_PROVIDER)}]
  }
}
`;
}

// biome-ignore lint/suspicious/noExplicitAny: synthesized JSON
type Json = any;

/**
 * Rewrites only the AWS provider's version constraint (the bindings pin the version they were
 * generated for) to `version`. Returns the constraint it replaced; throws when there is none.
 */
export function pinAwsProvider(document: Json, version: string): string {
  const aws = document?.terraform?.required_providers?.aws;
  if (typeof aws?.version !== "string") {
    throw new Error("the stack has no terraform.required_providers.aws.version to rewrite");
  }
  const pinned: string = aws.version;
  aws.version = version;
  return pinned;
}

/**
 * Plausible answers of the data sources AWS stacks read, as `mock_data` defaults. Attributes
 * exist on both provider lines (5.x and 6.x): no 6.x-only attribute is needed today.
 */
const MOCK_DATA: Record<string, Record<string, unknown>> = {
  aws_ami: {
    id: "ami-0123456789abcdef0",
    image_id: "ami-0123456789abcdef0",
    name: "debian-12-amd64-20250610-2140",
  },
  aws_availability_zones: {
    names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    zone_ids: ["euw1-az1", "euw1-az2", "euw1-az3"],
  },
  aws_caller_identity: {
    account_id: "123456789012",
    arn: "arn:aws:iam::123456789012:user/deployer",
    user_id: "AIDAEXAMPLEEXAMPLE01",
  },
  // route53_healthchecks ranges in the shape ip-ranges.json gives them.
  aws_ip_ranges: {
    cidr_blocks: ["15.177.0.0/18", "54.228.16.0/26"],
    ipv6_cidr_blocks: [],
    create_date: "2026-11-30-12-00-00",
    sync_token: 1764504000,
  },
  aws_partition: { partition: "aws", dns_suffix: "amazonaws.com" },
  aws_region: { name: "eu-west-1", endpoint: "ec2.eu-west-1.amazonaws.com" },
  // Secrets Manager's generator: letters and digits (exclude_punctuation), 32 long.
  aws_secretsmanager_random_password: { random_password: "Mock0pass1word2for3tests4only5ab" },
};

/**
 * What AWS would compute for resources where a random mock string would not do: ARNs that the
 * stack takes apart (split on ":"), and identifiers in their real shapes.
 */
const MOCK_RESOURCES: Record<string, Record<string, unknown>> = {
  aws_instance: {
    arn: "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0",
    primary_network_interface_id: "eni-0123456789abcdef0",
    public_ip: "198.51.100.20",
  },
  aws_route_table: { arn: "arn:aws:ec2:eu-west-1:123456789012:route-table/rtb-0123456789abcdef0" },
  aws_eip: {
    arn: "arn:aws:ec2:eu-west-1:123456789012:elastic-ip/eipalloc-0123456789abcdef0",
    allocation_id: "eipalloc-0123456789abcdef0",
    public_ip: "198.51.100.10",
  },
  aws_iam_role: { arn: "arn:aws:iam::123456789012:role/mock-role" },
  aws_secretsmanager_secret: {
    arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:test/Superuser-AbCdEf",
  },
  aws_ebs_volume: {
    id: "vol-0123456789abcdef0",
    arn: "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0123456789abcdef0",
  },
  // Route 53's CLOUDWATCH_METRIC checks take the alarm's region from its ARN.
  aws_cloudwatch_metric_alarm: { arn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:mock-alarm" },
  aws_lb: {
    arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/mock/0123456789abcdef",
  },
  aws_lb_target_group: {
    arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mock/0123456789abcdef",
  },
};

/** HCL's object and tuple constructors accept JSON's syntax. */
function hcl(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * A `.tftest.hcl` for `document`: the AWS provider mocked (every data source the stack reads
 * answered plausibly; throws for one without mock values, so a new data source gets them on
 * purpose), a plan and an apply, and after the apply every IAM policy's resources real ARNs
 * (or "*" in a statement with a Condition: actions without resource-level permissions, such as
 * cloudwatch:PutMetricData, have no other resource).
 */
export function mockedTest(document: Json): string {
  const dataTypes = Object.keys(document.data ?? {});
  const unknown = dataTypes.filter((t) => MOCK_DATA[t] === undefined);
  if (unknown.length > 0) {
    throw new Error(`no mock values for the data source(s) ${unknown.join(", ")}: add them to MOCK_DATA`);
  }
  const resourceTypes = Object.keys(document.resource ?? {});
  const mocks = [
    ...dataTypes.map((t) => `  mock_data "${t}" {\n    defaults = ${hcl(MOCK_DATA[t])}\n  }`),
    ...resourceTypes
      .filter((t) => MOCK_RESOURCES[t] !== undefined)
      .map((t) => `  mock_resource "${t}" {\n    defaults = ${hcl(MOCK_RESOURCES[t])}\n  }`),
  ];
  const policies = Object.keys(document.resource?.aws_iam_role_policy ?? {});
  const asserts = policies.map(
    (name) => `  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.${name}.policy).Statement : alltrue([for r in s.Resource : can(regex("^arn:aws:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[^*]+$", r)) || (r == "*" && can(s.Condition))])])
    error_message = "aws_iam_role_policy.${name}: a resource is neither a specific ARN nor the wildcard in a statement with a condition: \${aws_iam_role_policy.${name}.policy}"
  }`,
  );
  return `mock_provider "aws" {
${mocks.join("\n")}
}

run "plan" {
  command = plan
}

run "apply" {
  command = apply
${asserts.join("\n")}
}
`;
}

/** The output of one Terraform command; throws with its output when it fails. */
export function terraform(
  binary: string,
  args: readonly string[],
  cwd: string,
  cliConfigFile: string,
): { output: string; seconds: number } {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("TF_") && k !== "CHECKPOINT_DISABLE"),
  );
  const started = process.hrtime.bigint();
  const result = spawnSync(binary, [...args], {
    cwd,
    env: { ...env, TF_CLI_CONFIG_FILE: cliConfigFile, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.error || result.status !== 0) {
    throw new Error(
      `terraform ${args.join(" ")} in ${cwd} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`,
    );
  }
  return { output, seconds };
}

/** Terraform and a mirror on this machine, or false after saying why the tier is skipped. */
export function terraformTier(tier = "terraform"): { binary: string; mirror: ProviderMirror } | false {
  const binary = findBinary("terraform");
  if (binary === undefined) {
    return skipTier(tier, "terraform is not on PATH (no registry these machines reach offers it)");
  }
  const mirror = findProviderMirror();
  if (mirror === undefined) {
    return skipTier(
      tier,
      `no filesystem mirror of ${AWS_PROVIDER} in ${mirrorCandidates().join(", ")} (set HA_TERRAFORM_MIRROR)`,
    );
  }
  return { binary, mirror };
}

/** What Terraform said of a stack: `validate -json`'s verdict, and `terraform test`'s output when run. */
export interface TerraformVerdict {
  readonly valid: boolean;
  readonly diagnostics: readonly unknown[];
  readonly testOutput?: string;
  readonly seconds: { readonly init: number; readonly validate: number; readonly test?: number };
}

/**
 * Writes `document` (with the provider pinned to the mirror's version) to a scratch folder,
 * inits it from the mirror, validates it and, with `mocked`, runs `terraform test` with the
 * provider mocked (a plan and an apply); removes the folder after.
 */
export function checkWithTerraform(
  tier: { binary: string; mirror: ProviderMirror },
  document: Json,
  options: { readonly mocked?: boolean } = {},
): TerraformVerdict {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ha-terraform-"));
  try {
    pinAwsProvider(document, tier.mirror.version);
    const dir = path.join(root, "stack");
    fs.mkdirSync(path.join(dir, "tests"), { recursive: true });
    const config = path.join(root, "cli.tfrc");
    fs.writeFileSync(config, cliConfig(tier.mirror, path.join(root, "plugin-cache")));
    fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(document, null, 2));
    if (options.mocked) fs.writeFileSync(path.join(dir, "tests", "stack.tftest.hcl"), mockedTest(document));
    const init = terraform(tier.binary, ["init", "-backend=false", "-input=false", "-no-color"], dir, config);
    const validate = terraform(tier.binary, ["validate", "-json", "-no-color"], dir, config);
    const verdict = JSON.parse(validate.output) as { valid: boolean; diagnostics: unknown[] };
    const run = options.mocked ? terraform(tier.binary, ["test", "-no-color"], dir, config) : undefined;
    return {
      valid: verdict.valid,
      diagnostics: verdict.diagnostics,
      ...(run ? { testOutput: run.output } : {}),
      seconds: { init: init.seconds, validate: validate.seconds, ...(run ? { test: run.seconds } : {}) },
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
