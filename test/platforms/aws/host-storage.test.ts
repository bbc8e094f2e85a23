import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { afterAll, describe, expect, test } from "vitest";
import { AwsPlatform } from "../../../lib";
import { STORAGE_SCRIPT, SUPERVISOR_STORAGE_DROP_IN } from "../../../lib/platforms/aws/host-storage";
import { synthJson } from "../../../lib/testing";
import { checkShellcheck, checkShellSyntax, clean, Scratch } from "../../daemon/checkers";
import { validationErrorOf } from "../../support/errors";
import { storageHostSpec } from "../../support/storage-spec";
import { tierAvailable } from "../../support/tiers";
import { cloudConfig, type Json } from "./fixture";

/** Two database hosts in two zones, each with a volume and the same secret as a file. */
function dbStack() {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const cloud = new AwsPlatform(stack, "cloud", { availabilityZones: ["eu-west-1a", "eu-west-1b"] });
  const secret = cloud.addSecret(cloud, "Superuser");
  for (const n of [0, 1]) {
    cloud.addHost(
      cloud,
      `Db${n}`,
      storageHostSpec(cloud, n, {
        volumes: [{ name: "data", mountPath: "/var/lib/postgresql", sizeGiB: 20, owner: "postgres" }],
        secretFiles: [{ path: "/etc/patroni/superuser", secret, owner: "postgres" }],
      }),
    );
  }
  return { stack, cloud, json: synthJson(stack) as Json };
}

describe("AWS volumes and secret files", () => {
  test("makes an encrypted gp3 volume in each host's zone, attached to its instance", () => {
    const { json } = dbStack();
    const volumes = Object.entries(json.resource.aws_ebs_volume) as [string, Json][];
    expect(volumes.map(([, v]) => [v.availability_zone, v.size, v.type, v.encrypted])).toEqual([
      ["eu-west-1a", 20, "gp3", true],
      ["eu-west-1b", 20, "gp3", true],
    ]);
    const attachments = Object.values(json.resource.aws_volume_attachment) as Json[];
    expect(attachments.map((a) => a.volume_id)).toEqual(volumes.map(([k]) => `\${aws_ebs_volume.${k}.id}`));
    const instances = Object.keys(json.resource.aws_instance).map((k) => `\${aws_instance.${k}.id}`);
    expect(attachments.map((a) => a.instance_id)).toEqual(instances);
    expect(attachments.every((a) => a.device_name === "/dev/sdf")).toBe(true);
  });

  test("grants the hosts' role GetSecretValue on exactly the secret's ARN, once for their traffic group", () => {
    const { json } = dbStack();
    const secretKey = Object.keys(json.resource.aws_secretsmanager_secret)[0];
    const policies = Object.values(json.resource.aws_iam_role_policy) as Json[];
    expect(policies).toHaveLength(1);
    expect(policies[0].policy).toBe(
      `\${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Effect" = "Allow", "Action" = ["secretsmanager:GetSecretValue"], "Resource" = [aws_secretsmanager_secret.${secretKey}.arn]}]})}`,
    );
    const profiles = Object.values(json.resource.aws_instance).map((i) => (i as Json).iam_instance_profile);
    expect(new Set(profiles).size).toBe(1);
    expect(profiles[0]).toMatch(/^\$\{aws_iam_instance_profile\./);
  });

  test("fetches the secret at boot by its ARN: the user data names no value, the supervisor waits for it", () => {
    // GIVEN the synthesized stack
    const { json } = dbStack();
    const secretKey = Object.keys(json.resource.aws_secretsmanager_secret)[0];
    const config = cloudConfig(json, "db-0");
    const script = config.files.get(STORAGE_SCRIPT) as string;
    // THEN the boot script fetches the secret by ARN into its file with a restrictive mode
    expect(script).toContain(
      `fetch_secret '\${aws_secretsmanager_secret.${secretKey}.arn}' '/etc/patroni/superuser' '0400'\n`,
    );
    expect(script).toMatch(
      /mount_volume '\$\{aws_ebs_volume\.[A-Za-z0-9_]+\.id\}' '\/dev\/xvdf' '\/var\/lib\/postgresql'\n/,
    );
    expect(script).toContain("chown 'postgres' '/etc/patroni/superuser'\n");
    expect(config.files.get(SUPERVISOR_STORAGE_DROP_IN)).toContain(
      "Requires=ha-storage.service\nAfter=ha-storage.service\n",
    );
    expect(config.packages).toEqual(expect.arrayContaining(["awscli", "e2fsprogs"]));
    // AND nothing in the user data reads the generated password
    for (const instance of Object.values(json.resource.aws_instance) as Json[]) {
      expect(instance.user_data).not.toMatch(/random_password|secret_string|secretsmanager_secret_version/);
    }
  });

  test("throws for a secret another platform made", () => {
    const { cloud } = dbStack();
    const stack = new TerraformStack(Testing.app(), "other");
    const other = new AwsPlatform(stack, "cloud", { availabilityZones: ["eu-west-1a", "eu-west-1b"] });
    const foreign = other.addSecret(other, "Pw");
    const error = validationErrorOf(() =>
      cloud.addHost(
        cloud,
        "Db9",
        storageHostSpec(cloud, 9, { secretFiles: [{ path: "/etc/pw", secret: foreign }] }),
      ),
    );
    expect(error.path).toBe("test/cloud/Db9");
    expect(error.value).toBe("other/cloud/Pw");
  });
});

const shells = tierAvailable("daemon checks: AWS storage script", ["bash", "shellcheck"]);

describe.runIf(shells)("the AWS storage boot script", () => {
  const scratch = new Scratch();
  afterAll(() => scratch.remove());

  test("passes bash -n and shellcheck", () => {
    // GIVEN the script as Terraform renders it, a volume id and an ARN in place of the references
    const { json } = dbStack();
    const script = (cloudConfig(json, "db-1").files.get(STORAGE_SCRIPT) as string)
      .replace(/\$\{aws_ebs_volume\.[^}]+\}/g, "vol-0123456789abcdef0")
      .replace(
        /\$\{aws_secretsmanager_secret\.[^}]+\}/g,
        "arn:aws:secretsmanager:eu-west-1:1:secret:test/S-a",
      );
    expect(script).not.toContain("${");
    // WHEN bash and shellcheck read it
    const path = scratch.write("ha-storage", script, 0o755);
    const verdicts = [checkShellSyntax("bash", path), checkShellcheck(path)];
    // THEN neither finds anything
    expect(verdicts).toEqual(verdicts.map(clean));
  });
});
