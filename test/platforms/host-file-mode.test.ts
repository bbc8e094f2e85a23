import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { AwsPlatform, DockerPlatform, type HostFile } from "../../lib";
import { resourcesOfType, synthJson } from "../../lib/testing";
import { validationErrorOf } from "../support/errors";
import { storageHostSpec } from "../support/storage-spec";

const FILES: HostFile[] = [
  { path: "/usr/local/sbin/run-as-daemon", content: "#!/bin/sh\n", executable: true, mode: "0755" },
  { path: "/usr/local/sbin/root-only", content: "#!/bin/sh\n", executable: true },
  { path: "/etc/shared.conf", content: "x\n", mode: "640" },
];

describe("a host file's mode", () => {
  test("Docker uploads it as `permissions` (before `executable`, which gives 0744)", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const local = new DockerPlatform(stack, "local", { subnet: "198.18.21.0/24" });
    local.addHost(local, "Db0", { ...storageHostSpec(local, 0, {}), files: FILES });
    const [c] = Object.values(resourcesOfType(synthJson(stack), "docker_container")) as {
      upload: { file: string; executable?: boolean; permissions?: string }[];
    }[];
    const of = (f: string) => c?.upload.find((u) => u.file === f);
    expect(of("/usr/local/sbin/run-as-daemon")).toMatchObject({ permissions: "0755" });
    expect(of("/usr/local/sbin/run-as-daemon")?.executable).toBeUndefined();
    expect(of("/usr/local/sbin/root-only")).toMatchObject({ executable: true });
    expect(of("/etc/shared.conf")).toMatchObject({ permissions: "640" });
  });

  test("AWS writes it with cloud-init's permissions", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const cloud = new AwsPlatform(stack, "cloud", { zoneCount: 2 });
    cloud.addHost(cloud, "Db0", { ...storageHostSpec(cloud, 0, {}), files: FILES });
    const [i] = Object.values(resourcesOfType(synthJson(stack), "aws_instance")) as { user_data: string }[];
    const block = (path: string) =>
      i?.user_data.split("  - path: ").find((b) => b.startsWith(`"${path}"`)) ?? "";
    expect(block("/usr/local/sbin/run-as-daemon")).toContain('permissions: "0755"');
    expect(block("/etc/shared.conf")).toContain('permissions: "640"');
  });

  test.each(["0777", "0666", "4755", "rwx", "755 "])("refuses %j, naming the host and the file", (mode) => {
    const stack = new TerraformStack(Testing.app(), "s");
    const local = new DockerPlatform(stack, "local", { subnet: "198.18.21.0/24" });
    const e = validationErrorOf(() =>
      local.addHost(local, "Db0", {
        ...storageHostSpec(local, 0, {}),
        files: [{ path: "/etc/x", content: "x", mode }],
      }),
    );
    expect(e.message).toContain("s/local");
    expect(e.message).toContain("mode of /etc/x");
  });
});
