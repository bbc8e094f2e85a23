/**
 * The claim script: rendered text, and a real run in two network namespaces (198.18.6.0/24)
 * where one holds the address and the other, MASTER, must wait until it is free.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { claimPath, renderVipClaim } from "../../lib/render/vip-claim";
import { tierAvailable } from "../support/tiers";

const OPTIONS = {
  instance: "VI_51",
  device: "eth0",
  addresses: ["198.18.6.10/24"],
  probeMs: 50,
  retryMs: 100,
};

describe("renderVipClaim", () => {
  test("names the instance, device, addresses and timing, and probes with arping -D before adding", () => {
    const script = renderVipClaim(OPTIONS);
    expect(claimPath("VI_51")).toBe("/usr/local/sbin/ha-claim-VI_51");
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain(
      "instance=VI_51\ndevice=eth0\naddresses=198.18.6.10/24\nprobe=0.05\nretry=0.1\n",
    );
    expect(script).toContain("run_dir=/run/ha\n");
    expect(script).toContain('timeout "$probe" arping -D -q -c 1 -I "$device" "$1"');
    // after two answers (a partition, not a handover), 3 free probes in a row; a MASTER hearing a lower one re-announces
    expect(script).toContain('if [ "$seen" -lt 2 ] || [ "$free" -ge 3 ]; then');
    expect(script).toContain("  announce)\n");
    // the announcer must not inherit the lock, or a release would wait for its 2 s
    expect(script).toContain('arping -U -q -c 3 -I "$device" "$1" >/dev/null 2>&1 9>&- &');
  });
});

const available = tierAvailable(
  "daemon checks: claim script",
  ["ip", "arping", "bash", "timeout", "flock"],
  true,
);

describe.runIf(available)("the claim script in two namespaces", () => {
  const tag = `vc${process.pid.toString(36)}`;
  const [holder, claimer] = [`${tag}-h`, `${tag}-c`];
  let dir: string;
  let script: string;
  const ip = (...args: string[]) => spawnSync("ip", args, { encoding: "utf8", timeout: 10_000 });
  const holds = (ns: string) =>
    ip("-n", ns, "-o", "-4", "addr", "show", "dev", "eth0").stdout.includes(" 198.18.6.10/");
  const state = (s: string) => fs.writeFileSync(path.join(dir, "vrrp-VI_51.state"), `${s}\n`);
  const run = (action: string): ChildProcess =>
    spawn("ip", ["netns", "exec", claimer, "bash", script, action], { stdio: "ignore" });
  const exited = (p: ChildProcess, ms: number) =>
    new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), ms);
      p.once("exit", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "vip-claim-"));
    script = path.join(dir, "claim");
    fs.writeFileSync(script, renderVipClaim({ ...OPTIONS, runDir: dir }));
    for (const ns of [holder, claimer]) expect(ip("netns", "add", ns).status).toBe(0);
    expect(ip("link", "add", `${tag}a`, "type", "veth", "peer", "name", `${tag}b`).status).toBe(0);
    ip("link", "set", `${tag}a`, "netns", holder, "name", "eth0");
    ip("link", "set", `${tag}b`, "netns", claimer, "name", "eth0");
    ip("-n", holder, "addr", "add", "198.18.6.1/24", "dev", "eth0");
    ip("-n", claimer, "addr", "add", "198.18.6.2/24", "dev", "eth0");
    for (const ns of [holder, claimer]) ip("-n", ns, "link", "set", "eth0", "up");
  });

  afterAll(() => {
    for (const ns of [holder, claimer]) ip("netns", "del", ns);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a MASTER adds nothing while another node answers, takes the address once it is free, and drops it on BACKUP", async () => {
    // GIVEN the holder answering for 198.18.6.10 and the claimer's keepalived MASTER
    expect(ip("-n", holder, "addr", "add", "198.18.6.10/24", "dev", "eth0").status).toBe(0);
    state("MASTER");
    // WHEN the claimer claims
    const claim = run("master");
    // THEN it keeps probing without adding the address
    expect(await exited(claim, 800)).toBeNull();
    expect(holds(claimer)).toBe(false);
    // WHEN the holder lets the address go
    ip("-n", holder, "addr", "del", "198.18.6.10/24", "dev", "eth0");
    // THEN the claimer adds it within a few probes, and its claim ends
    expect(await exited(claim, 2000)).toBe(0);
    expect(holds(claimer)).toBe(true);
    // WHEN keepalived goes BACKUP
    state("BACKUP");
    // THEN the release removes it at once, without waiting for the announcer
    const started = Date.now();
    expect(await exited(run("backup"), 2000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(holds(claimer)).toBe(false);
  });

  test("a claim that is still probing ends without adding when the node stops being MASTER", async () => {
    // GIVEN the holder answering and a claim probing
    ip("-n", holder, "addr", "add", "198.18.6.10/24", "dev", "eth0");
    state("MASTER");
    const claim = run("master");
    await new Promise((r) => setTimeout(r, 300));
    // WHEN keepalived goes BACKUP (the notify script writes the state first)
    state("BACKUP");
    // THEN the claim ends and the address stays with the holder only
    expect(await exited(claim, 2000)).toBe(0);
    expect(holds(claimer)).toBe(false);
    expect(holds(holder)).toBe(true);
  });
});
