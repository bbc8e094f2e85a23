/**
 * VM tier, the split lab: the tiny stack with beta and gamma in a VM (the Debian kernel) and
 * alpha, the networks' gateways and the client places on this machine, both networks' halves
 * joined by the VM's tap devices. What runs where, that traffic crosses the join both ways, and
 * that every operation of the lab reaches the VM's hosts; teardown leaves nothing behind.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DrillClient } from "../../../lib/drill/clients/client";
import type { Lab } from "../../../lib/drill/core/lab";
import { nowMs } from "../../../lib/drill/core/proc";
import { SplitLab } from "../../../lib/drill/core/split-lab";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { waitUntil } from "../../../lib/drill/core/wait";
import { vmTierAvailable, withVmSlot } from "../../support/vm-tier";
import { listening, outcomes, probe, probesAfter, TINY_STACK } from "../lab-fixture";

const TIER = "vm: split lab";

/** Waits (30 s at most: a stand-in's start takes seconds on an emulated CPU) until beta's stand-in listens. */
async function serving(l: Lab, host: string): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) if (await listening(l, host, 8080)) return true;
  return false;
}
const available = vmTierAvailable(TIER, ["nft", "unshare", "nsenter", "ping"]);

describe.skipIf(!available)(TIER, () => {
  let dir: string;
  let lab: Lab | undefined;
  let client: DrillClient | undefined;
  let release: () => void = () => undefined;
  let qemuPids: number[] = [];

  const qemus = () =>
    fs
      .readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return (fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0] ?? "").endsWith(
            "qemu-system-x86_64",
          );
        } catch {
          return false;
        }
      })
      .map(Number);

  beforeAll(async () => {
    // The slot is held from here to afterAll: no other VM test of this machine overlaps it.
    await new Promise<void>((taken) => {
      void withVmSlot(
        () =>
          new Promise<void>((done) => {
            release = done;
            taken();
          }),
      );
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-split-test-"));
    const stackFile = path.join(dir, "tiny", "cdk.tf.json");
    fs.mkdirSync(path.dirname(stackFile));
    fs.writeFileSync(stackFile, JSON.stringify(TINY_STACK));
    const before = new Set(qemus());
    lab = await SplitLab.create(
      parseDockerStack(TINY_STACK, "tiny"),
      {
        workDir: path.join(dir, "work"),
        standInPorts: new Map([
          ["alpha", 8080],
          ["beta", 8080],
        ]),
        fullKernelHosts: ["beta", "gamma"],
      },
      stackFile,
    );
    qemuPids = qemus().filter((p) => !before.has(p));
    for (const h of lab.hostnames()) await lab.startHost(h);
  }, 300_000);

  afterAll(async () => {
    await client?.stop();
    try {
      expect(await lab?.teardown()).toEqual([]);
      // The VM went with it.
      expect(qemuPids.filter((p) => fs.existsSync(`/proc/${p}`))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      release();
    }
  }, 120_000);

  test("runs beta and gamma in the VM's kernel and alpha here, and says which are emulated", async () => {
    const l = lab as Lab;
    expect(l.emulatedCpuHosts).toEqual(["beta", "gamma"]);
    expect(qemuPids).toHaveLength(1);
    const here = os.release();
    const kernel = async (h: string) => (await l.exec(h, ["uname", "-r"])).stdout.trim();
    expect(await kernel("alpha")).toBe(here);
    expect(await kernel("beta")).not.toBe(here);
    expect(await kernel("gamma")).toBe(await kernel("beta"));
    expect(l.isRunning("beta")).toBe(true);
    expect(await l.addresses("beta")).toEqual(["198.18.10.3"]);
    expect(l.interfaces("gamma")).toEqual([
      { name: "eth0", network: "back", address: "198.18.11.4", prefixLength: 24 },
    ]);
  }, 60_000);

  test("the VM's CPU stalls are measured: qemu stopped for 600 ms is a stall of about that long, on the drill's clock, and its hosts' echoes come back as late", async () => {
    const l = lab as Lab;
    const qemu = qemuPids[0] as number;
    const stoppedAt = nowMs();
    process.kill(qemu, "SIGSTOP");
    try {
      await new Promise((r) => setTimeout(r, 600));
    } finally {
      process.kill(qemu, "SIGCONT");
    }
    await new Promise((r) => setTimeout(r, 500));
    const report = await l.cpuStalls?.();
    expect(report?.thresholdMs).toBe(150);
    // this machine's own meter ran on (qemu alone was stopped)
    expect(report?.hostStalls.some((x) => x.gapMs >= 500)).toBe(false);
    const stall = report?.stalls.find((x) => x.gapMs >= 500);
    expect(stall, JSON.stringify(report)).toBeDefined();
    // it began when qemu stopped, give or take the reply's way and the guest's clock
    const began = (stall?.endMs ?? 0) - (stall?.gapMs ?? 0);
    expect(Math.abs(began - stoppedAt)).toBeLessThan(1000);
    // The way into the VM held the echoes to beta and gamma as long: one late stretch from then.
    const path = l.pathStalls?.();
    expect(path?.answers, "the VM's hosts answered echoes from here").toBeGreaterThan(0);
    const late = path?.stalls.filter((x) => x.gapMs >= 500) ?? [];
    expect(late, JSON.stringify(path)).toHaveLength(1);
    const lateFrom = (late[0]?.endMs ?? 0) - (late[0]?.gapMs ?? 0);
    expect(Math.abs(lateFrom - stoppedAt), JSON.stringify(path)).toBeLessThan(200);
    expect(late[0]?.gapMs).toBeLessThan(1500);
    // Held, not lost: the echoes of the stop came back late, and none counts as a loss.
    const lostThen = path?.losses.filter((x) => x.endMs >= stoppedAt - 200) ?? [];
    expect(lostThen, JSON.stringify(lostThen)).toEqual([]);
  }, 60_000);

  test("a client here reaches a host in the VM, and a host here one in the VM, over one segment", async () => {
    const l = lab as Lab;
    expect(await serving(l, "beta")).toBe(true);
    client = await probe(l, "198.18.10.3");
    const served = await probesAfter(client, 0, 5);
    expect(outcomes(served)).toEqual({ ok: 5 });
    // alpha reaches gamma over back (gamma refuses: nothing listens on 9, so its kernel answered)
    const connect = "import socket; socket.create_connection(('198.18.11.4', 9), 5)";
    const reach = await l.exec("alpha", ["/usr/bin/python3", "-c", connect], { allowFailure: true });
    expect(reach.stderr).toContain("ConnectionRefusedError");
  }, 120_000);

  test("files, processes and logs of a host in the VM", async () => {
    const l = lab as Lab;
    await l.writeFile("gamma", "/run/ha/note", "written here\n");
    expect(await l.readFile("gamma", "/run/ha/note")).toBe("written here\n");
    expect(await l.readFile("gamma", "/run/none")).toBeUndefined();
    const pid = Number((await l.readFile("gamma", "/run/sleeper.pid"))?.trim());
    expect(pid).toBeGreaterThan(1);
    expect(await l.killProcessTree("gamma", pid)).toBe(1);
    // Its log is copied out of the VM every second.
    const logged = await waitUntil(() => l.logTail("gamma").includes("ha-drill"), 10_000, 200);
    expect(logged, l.logTail("gamma")).toBeDefined();
  }, 60_000);

  test("faults reach a host in the VM: an nftables ruleset, its removal, and the host's loss and restart", async () => {
    const l = lab as Lab;
    const c = client as DrillClient;
    await l.applyNft(
      "beta",
      "table inet t {\n  chain input {\n    type filter hook input priority 0; policy drop;\n  }\n}\n",
    );
    const cut = nowMs();
    expect(outcomes(await probesAfter(c, cut + 50, 3))).toEqual({ timeout: 3 });
    const healing = nowMs();
    await l.removeNft("beta", "inet", "t");
    const healed = nowMs();
    expect(
      await waitUntil(() => c.records.some((r) => r.startMs > healed && r.outcome === "ok"), 10_000, 50),
    ).toBeDefined();
    // The path meter saw beta's echoes lost all the while: one loss spanning the cut, recorded
    // once beta answered again (its first answer after it ends the loss).
    const betaLoss = () =>
      l
        .pathStalls?.()
        .losses.find((x) => x.host === "beta" && x.endMs - x.gapMs <= cut && x.endMs >= healing);
    await waitUntil(() => betaLoss() !== undefined, 10_000, 100);
    const lost = betaLoss();
    expect(lost, JSON.stringify(l.pathStalls?.().losses)).toBeDefined();
    expect(lost?.echoes).toBeGreaterThanOrEqual(Math.floor((healing - cut) / 50) - 1);
    await l.killHost("beta");
    expect(l.isRunning("beta")).toBe(false);
    await l.startHost("beta");
    expect(l.isRunning("beta")).toBe(true);
    expect(await serving(l, "beta")).toBe(true);
  }, 120_000);

  test("refuses a helper in a host of the VM, and a host it does not have", () => {
    const l = lab as Lab;
    expect(() => l.spawn("beta", ["true"], "helper")).toThrow(/runs in the VM/);
    expect(() => l.container("delta")).toThrow(/no host delta/);
  });
});
