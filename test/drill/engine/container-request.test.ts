import { describe, expect, test } from "vitest";
import {
  containerCreateBody,
  laterAttachments,
  uploadEntries,
} from "../../../lib/drill/engine/container-request";
import { parseContainer } from "../../../lib/drill/engine/container-resource";

const networks = new Map([
  ["front-net", "front"],
  ["back-net", "back"],
]);
const name = (key: string) => ({ front: "front-net", back: "back-net" })[key] as string;

const raw = {
  name: "stack-lb-0",
  hostname: "lb-0",
  image: "${docker_image.lb.image_id}",
  command: ["/usr/local/sbin/ha-supervise"],
  capabilities: { add: ["NET_ADMIN", "cap_net_raw"] },
  sysctls: { "net.ipv4.ip_nonlocal_bind": "1" },
  env: ["A=1"],
  networks_advanced: [
    { name: "${docker_network.front.name}", ipv4_address: "198.18.0.5" },
    { name: "${docker_network.back.name}", ipv4_address: "198.18.1.5", aliases: ["lb"] },
  ],
  restart: "unless-stopped",
  healthcheck: { test: ["CMD", "true"], interval: "2s", timeout: "500ms", start_period: "1m30s", retries: 3 },
  upload: [
    { file: "/usr/local/sbin/ha-supervise", content: "#!/bin/sh\n", executable: true },
    { file: "/etc/x.conf", content_base64: Buffer.from("x $${y}").toString("base64") },
  ],
  must_run: true,
  stop_timeout: 10,
  tmpfs: { "/run": "rw,mode=755" },
  mounts: [{ target: "/scratch", type: "tmpfs", tmpfs_options: { size_bytes: 1048576, mode: 448 } }],
  volumes: [{ container_path: "/data", volume_name: "pgdata", read_only: true }],
  depends_on: ["docker_container.web0", "docker_image.lb"],
};

describe("containerCreateBody", () => {
  test("maps every attribute of a container as the provider does", () => {
    // GIVEN
    const c = parseContainer("lb0", raw, networks);
    // WHEN
    const body = containerCreateBody(c, "cdktf-ha/ha-lb:1", name, { lab: "s" });
    // THEN
    expect(body).toEqual({
      Hostname: "lb-0",
      Image: "cdktf-ha/ha-lb:1",
      Cmd: ["/usr/local/sbin/ha-supervise"],
      Env: ["A=1"],
      Labels: { lab: "s" },
      StopTimeout: 10,
      Healthcheck: { Test: ["CMD", "true"], Interval: 2e9, Timeout: 5e8, StartPeriod: 90e9, Retries: 3 },
      HostConfig: {
        CapAdd: ["NET_ADMIN", "NET_RAW"],
        CapDrop: [],
        Sysctls: { "net.ipv4.ip_nonlocal_bind": "1" },
        RestartPolicy: { Name: "unless-stopped" },
        NetworkMode: "front-net",
        Tmpfs: { "/run": "rw,mode=755" },
        Mounts: [
          {
            Target: "/scratch",
            Type: "tmpfs",
            ReadOnly: false,
            TmpfsOptions: { SizeBytes: 1048576, Mode: 448 },
          },
        ],
        Binds: ["pgdata:/data:ro"],
        Dns: [],
      },
      NetworkingConfig: { EndpointsConfig: { "front-net": { IPAMConfig: { IPv4Address: "198.18.0.5" } } } },
    });
    expect(c.dependsOn).toEqual(["web0"]);
    expect(c.mustRun).toBe(true);
    expect([c.wait, c.waitTimeoutSeconds]).toEqual([false, 60]);
    expect(parseContainer("lb0", { ...raw, wait: true, wait_timeout: 30 }, networks)).toMatchObject({
      wait: true,
      waitTimeoutSeconds: 30,
    });
  });

  test("attaches the further networks after creation, with their addresses and aliases", () => {
    const c = parseContainer("lb0", raw, networks);
    expect(laterAttachments(c, name)).toEqual([
      {
        network: "back-net",
        body: {
          Container: "stack-lb-0",
          EndpointConfig: { IPAMConfig: { IPv4Address: "198.18.1.5" }, Aliases: ["lb"] },
        },
      },
    ]);
  });

  test("uploads executable files with mode 0744 and others with 0644, contents as Terraform makes them", () => {
    const c = parseContainer("lb0", raw, networks);
    expect(uploadEntries(c)).toEqual([
      { path: "usr/local/sbin/ha-supervise", content: Buffer.from("#!/bin/sh\n"), mode: 0o744 },
      { path: "etc/x.conf", content: Buffer.from("x $${y}"), mode: 0o644 },
    ]);
  });

  test.each([
    ["a restart policy Docker does not have", { restart: "sometimes" }, "restart"],
    ["a relative upload path", { upload: [{ file: "etc/x", content: "" }] }, "absolute path"],
    [
      "an upload with both contents",
      { upload: [{ file: "/x", content: "a", content_base64: "YQ==" }] },
      "exactly one",
    ],
    [
      "a duration without a unit",
      { healthcheck: { test: ["CMD", "true"], interval: "2" } },
      "not a duration",
    ],
    [
      "a network that is not the stack's",
      { networks_advanced: [{ name: "${docker_network.other.name}" }] },
      "not a docker_network",
    ],
    [
      "a depends_on outside the docker resources",
      { depends_on: ["aws_instance.x"] },
      "not a docker resource",
    ],
  ])("throws for %s", (_what, alter, message) => {
    expect(() => parseContainer("lb0", { ...raw, ...alter }, networks)).toThrow(message);
  });
});
