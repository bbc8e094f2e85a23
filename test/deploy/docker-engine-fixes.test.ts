/**
 * Deploy tier on a real Docker engine, for the defects the engine found, as the stack is
 * synthesized: the VIP reserved in the network's IPAM (`aux_address`), /run as a tmpfs, the load
 * balancers created after healthy backends (`depends_on`, and `wait` on the backends' health
 * check), and `procps` in both images and `curl` in the backend's. Proves that each fix deploys
 * and does what it should.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXAMPLES } from "../../examples";
import { EngineLab } from "../../lib/drill/engine/engine-lab";
import { HttpProbe } from "../../lib/drill/engine/http-probe";
import { tierAvailable } from "../support/tiers";

const TIER = "deploy: docker engine";
const available = tierAvailable(
  TIER,
  ["dockerd", "containerd", "runc", "debootstrap", "nsenter", "ip"],
  true,
);
const STACK = "vip-pair-docker-drill";
const VIP = "198.18.0.10";

describe.skipIf(!available)(`${TIER}: defect fixes`, () => {
  let outdir = "";
  let lab: EngineLab | undefined;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), "ha-engine-fixes-"));
    const app = new App({ outdir });
    EXAMPLES[STACK]?.(app);
    app.synth();
    const stackFile = join(outdir, "stacks", STACK, "cdk.tf.json");
    // The stack as synthesized carries every fix: no patching here.
    const document = JSON.parse(readFileSync(stackFile, "utf8"));
    const networks = Object.values(document.resource.docker_network) as Array<{ ipam_config: unknown[] }>;
    expect(networks[0]?.ipam_config).toEqual([expect.objectContaining({ aux_address: { "edge-Vip": VIP } })]);
    lab = await EngineLab.up(stackFile, { log: (l) => console.log(`fixes: ${l}`) });
    await lab.deployment.waitHealthy(60_000);
  }, 900_000);

  afterAll(async () => {
    await lab?.down();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  test("depends_on creates the backends before the load balancers", () => {
    const order = lab?.deployment.containers.map((c) => c.hostname);
    expect(order).toEqual(["web-0", "web-1", "web-2", "edge-lb-0", "edge-lb-1"]);
  });

  test("with the backends serving before HAProxy starts, the VIP's first answers are 200s", async () => {
    // GIVEN the load balancers created after healthy backends (depends_on and wait)
    const l = lab as EngineLab;
    const { namespace } = l.attachClient();
    const probe = HttpProbe.start(namespace.name, `http://${VIP}/`, {
      header: "X-Served-By",
      gapMs: 50,
      maxMs: 10_000,
    });
    try {
      // WHEN a client asks as soon as the containers are healthy (an attempt before a node has
      // claimed the VIP gets no answer at all, status 0: that is not what this guards)
      const answered = () => probe.attempts.filter((a) => a.status !== 0);
      await probe.waitFor(() => answered().length >= 10, 0, 10_000);
      // THEN no answer is a 503 "no server available"
      expect(
        answered()
          .slice(0, 10)
          .map((a) => a.status),
      ).toEqual(Array(10).fill(200));
    } finally {
      await probe.stop();
    }
  });

  test("aux_address keeps the VIP out of dynamic allocation", async () => {
    // GIVEN the five static addresses .2-.6 taken; WHEN five containers join without an address
    const l = lab as EngineLab;
    const network = l.stack.networks[0]?.name as string;
    const image = l.stack.images.find((i) => i.name.includes("ha-lb"))?.name as string;
    const got: string[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const c = await l.deployment.client.json<{ Id: string }>("POST", "/containers/create", {
          query: { name: `${STACK}-extra-${i}` },
          json: {
            Image: image,
            Cmd: ["sleep", "300"],
            HostConfig: { NetworkMode: network },
            Labels: { "io.cdktf-ha.lab": STACK },
          },
        });
        await l.deployment.client.call("POST", `/containers/${c.Id}/start`);
        const s = await l.deployment.inspect(c.Id);
        got.push(s.NetworkSettings.Networks[network]?.IPAddress ?? "");
      }
    } finally {
      for (let i = 0; i < 5; i++) {
        await l.deployment.client.call(
          "DELETE",
          `/containers/${STACK}-extra-${i}`,
          { query: { force: 1 } },
          [404],
        );
      }
    }
    // THEN the IPAM skips the VIP: without the reservation the fourth would get 198.18.0.10
    expect(got).toEqual(["198.18.0.7", "198.18.0.8", "198.18.0.9", "198.18.0.11", "198.18.0.12"]);
  });

  test("procps is in both images and curl in the backend's", async () => {
    const l = lab as EngineLab;
    for (const node of ["edge-lb-0", "web-0"]) {
      const ps = await l.deployment.exec(node, ["ps", "-eo", "comm"]);
      expect(ps.exitCode, ps.stderr).toBe(0);
      expect(ps.stdout).toContain("ha-supervise");
    }
    const curl = await l.deployment.exec("web-0", [
      "curl",
      "--fail",
      "--silent",
      "http://127.0.0.1:8080/healthz",
    ]);
    expect(curl).toEqual({ exitCode: 0, stdout: "web-0\n", stderr: "" });
  });

  test("tmpfs on /run drops hold and state files when a container restarts", async () => {
    // GIVEN a hold file in a backend's /run, and /run a tmpfs
    const l = lab as EngineLab;
    const web = l.deployment.container("web-0");
    expect(
      (await l.deployment.exec(web.id, ["grep", "-c", " /run tmpfs ", "/proc/mounts"])).stdout.trim(),
    ).toBe("1");
    expect((await l.deployment.exec(web.id, ["touch", "/run/ha/backend.hold"])).exitCode).toBe(0);
    // WHEN the container restarts
    await l.deployment.client.call("POST", `/containers/${web.id}/restart`, {
      query: { t: 5 },
      timeoutMs: 60_000,
    });
    // THEN the hold file is gone, as after a reboot of a host
    const r = await l.deployment.exec(web.id, ["test", "-e", "/run/ha/backend.hold"]);
    expect(r.exitCode).toBe(1);
  });
});
