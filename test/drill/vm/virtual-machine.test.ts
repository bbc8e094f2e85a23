/**
 * VM tier: a Debian kernel booted under qemu (emulated CPU) with the host's root, for what this
 * machine's own kernel lacks: IPVS with the Maglev scheduler, netem, dummy devices. Boots one VM
 * from a fresh image cache, runs commands and keepalived in it, shuts it down, boots a second VM
 * from the same cache joined to a namespace by a tap device, and checks that a process killed
 * while it has a VM takes qemu with it. Timings printed come from an emulated CPU. Needs root,
 * qemu-system-x86, linux-image-amd64, busybox-static, ipvsadm and keepalived; under CI=true it
 * never skips.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { registeredCleanups } from "../../../lib/drill/core/cleanup-registry";
import { isAlive, waitGone } from "../../../lib/drill/engine/host-commands";
import { LabNamespace } from "../../../lib/drill/engine/namespaces";
import { sweepRunDirs } from "../../../lib/drill/vm/run-dir";
import { makeScratchDisk } from "../../../lib/drill/vm/scratch-disk";
import { VirtualMachine } from "../../../lib/drill/vm/virtual-machine";
import { VmError } from "../../../lib/drill/vm/vm-error";
import { runCommand } from "../../support/netns";
import { vmTierAvailable } from "../../support/vm-tier";

const TIER = "vm";

const available = vmTierAvailable(TIER, ["tc", "ipvsadm", "keepalived", "mkfs.ext4", "debugfs"]);

describe.skipIf(!available)(TIER, () => {
  let cacheDir = "";
  let vm: VirtualMachine;

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), "ha-vm-cache-"));
    vm = await VirtualMachine.boot({ cacheDir, niceness: 5 });
    console.log(
      `vm: image ${vm.image.source} in ${vm.image.buildMs} ms; booted in ${vm.bootMs} ms (guest uptime ${vm.guestUptime} s at its agent's start; emulated CPU)`,
    );
  }, 120_000);

  afterAll(async () => {
    await vm?.shutdown();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  test("the first boot built the image into the empty cache", () => {
    expect(vm.image.source).toBe("built");
    expect(vm.image.buildMs).toBeGreaterThan(0);
  });

  test("qemu, every thread of it, runs at the niceness asked for", () => {
    const tasks = readdirSync(`/proc/${vm.pid}/task`);
    expect(tasks.length).toBeGreaterThan(1);
    // Field 19 of stat is the niceness; the command name (field 2) may hold spaces, so count from its end.
    const nice = (task: string) =>
      Number(readFileSync(`/proc/${vm.pid}/task/${task}/stat`, "utf8").split(") ")[1]?.split(" ")[16]);
    expect(new Set(tasks.map(nice))).toEqual(new Set([5]));
  });

  test("the guest runs the host's Debian kernel, not this machine's", async () => {
    const release = (await vm.mustExec(["uname", "-r"])).trim();
    expect(release).toBe(vm.image.kernelVersion);
    expect(release).toMatch(/-amd64$/);
  });

  test("cgroup v2 is mounted where a container engine looks for it, with its controllers", async () => {
    expect((await vm.mustExec(["stat", "-f", "-c", "%T", "/sys/fs/cgroup"])).trim()).toBe("cgroup2fs");
    expect(await vm.mustExec(["cat", "/sys/fs/cgroup/cgroup.controllers"])).toMatch(/\bmemory\b.*\bpids\b/);
  });

  test("commands may open as many files as in a container (HAProxy raises its limit to its maxconn)", async () => {
    expect((await vm.mustExec(["sh", "-c", "ulimit -n"])).trim()).toBe("1048576");
  });

  test("a command's round trip", async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const r = await vm.exec(["true"]);
      times.push(Date.now() - t0);
      expect(r.code).toBe(0);
    }
    console.log(`vm: exec of true took ${times.join(", ")} ms (emulated CPU)`);
  });

  test("IPVS with the Maglev scheduler: a virtual service is added and listed", async () => {
    expect((await vm.exec(["modprobe", "ip_vs_mh"])).code).toBe(0);
    await vm.mustExec(["ipvsadm", "-A", "-t", "198.18.9.10:80", "-s", "mh"]);
    const listing = await vm.mustExec(["ipvsadm", "-Ln"]);
    expect(listing).toMatch(/TCP\s+198\.18\.9\.10:80 mh/);
  });

  test("keepalived, run from the host's install, loads a Maglev virtual_server into IPVS and removes it when stopped", async () => {
    const conf = [
      "virtual_server 198.18.9.20 80 {",
      "  delay_loop 1",
      "  lb_algo mh",
      "  lb_kind NAT",
      "  protocol TCP",
      "  real_server 198.18.9.30 8080 {",
      "    weight 1",
      "  }",
      "}",
      "",
    ].join("\n");
    await vm.writeFile("/etc/keepalived/vm-test.conf", conf);
    expect(await vm.mustExec(["stat", "-c", "%a", "/etc/keepalived/vm-test.conf"])).toBe("644\n");
    const keepalived = await vm.spawn(["keepalived", "-n", "-l", "-D", "-f", "/etc/keepalived/vm-test.conf"]);
    let listing = "";
    for (let i = 0; i < 50 && !listing.includes("198.18.9.30:8080"); i++) {
      listing = (await vm.exec(["ipvsadm", "-Ln", "-t", "198.18.9.20:80"])).stdout;
      if (!listing.includes("198.18.9.30:8080")) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listing).toMatch(/TCP\s+198\.18\.9\.20:80 mh/);
    expect(listing).toMatch(/-> 198\.18\.9\.30:8080\s+Masq\s+1/);
    await keepalived.kill("SIGTERM");
    expect(await keepalived.exited).toEqual({ code: 0, signal: null });
    expect(keepalived.stderr + keepalived.stdout).toContain("Startup complete");
    expect((await vm.exec(["ipvsadm", "-Ln", "-t", "198.18.9.20:80"])).code).not.toBe(0);
  });

  test("a dummy device takes a netem qdisc", async () => {
    const script = [
      "ip link add ha-d0 type dummy",
      "ip link set ha-d0 up",
      "tc qdisc add dev ha-d0 root netem delay 10ms loss 1%",
      "tc qdisc show dev ha-d0",
    ].join(" && ");
    const shown = await vm.mustExec(["sh", "-c", script]);
    expect(shown).toMatch(/qdisc netem \S+: root .*delay 10ms loss 1%/);
  });

  test("a failed command returns its exit code and output; a missing one returns 127", async () => {
    const failed = await vm.exec(["sh", "-c", "echo out; echo err >&2; exit 7"]);
    expect(failed).toEqual({ code: 7, signal: null, stdout: "out\n", stderr: "err\n" });
    const missing = await vm.exec(["no-such-command-in-the-guest"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("no-such-command-in-the-guest");
    await expect(vm.mustExec(["false"])).rejects.toThrow(VmError);
    await expect(vm.writeFile("relative/path", "x")).rejects.toThrow(/absolute path/);
    await expect(vm.writeFile("/tmp/x", "x", "rwx")).rejects.toThrow(/not octal/);
  });

  test("stdin reaches the command, and a command over its time is killed", async () => {
    expect(await vm.mustExec(["cat"], { stdin: "to the guest\n" })).toBe("to the guest\n");
    await expect(vm.exec(["sleep", "30"], { timeoutMs: 500 })).rejects.toThrow(/ran over 500 ms/);
  });

  test("a spawned process streams its output and ends on a signal", async () => {
    const p = await vm.spawn(["sh", "-c", "echo started; exec sleep 60"]);
    expect(p.pid).toBeGreaterThan(1);
    for (let i = 0; i < 100 && !p.stdout.includes("started"); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(p.stdout).toBe("started\n");
    expect(p.running).toBe(true);
    await p.kill("SIGTERM");
    expect(await p.exited).toEqual({ code: null, signal: "SIGTERM" });
  });

  test("shutdown leaves no qemu process and nothing registered; a second boot reuses the cache and joins a namespace by tap", async () => {
    const pid = vm.pid;
    await vm.shutdown();
    expect(isAlive(pid)).toBe(false);
    expect(registeredCleanups().filter((w) => w.includes(`PID ${pid}`))).toEqual([]);
    await expect(vm.exec(["true"])).rejects.toThrow(/not running/);

    const ns = LabNamespace.create();
    const tap = `havm${process.pid % 100000}`;
    const shared = mkdtempSync(join(tmpdir(), "ha-vm-share-"));
    mkdirSync(join(shared, "ro"));
    mkdirSync(join(shared, "rw"));
    writeFileSync(join(shared, "ro", "keepalived.conf"), "global_defs {}\n", { flag: "w" });
    const disk = join(shared, "scratch.img");
    makeScratchDisk(disk, 64);
    try {
      vm = await VirtualMachine.boot({
        cacheDir,
        modules: [],
        nics: [{ tap, namespace: ns.name, hostAddress: "198.18.9.1/30", address: "198.18.9.2/30" }],
        shares: [
          { hostPath: join(shared, "ro"), guestPath: "/etc/ha-conf" },
          { hostPath: join(shared, "rw"), guestPath: "/var/ha-out", readOnly: false },
        ],
        disks: [{ hostPath: disk, guestPath: "/var/lib/ha-scratch" }],
      });
      console.log(`vm: second boot (cached image, one tap, no modules) in ${vm.bootMs} ms (emulated CPU)`);
      expect(vm.image.source).toBe("cache");
      expect(vm.image.buildMs).toBe(0);
      const ping = runCommand("ip", [
        "netns",
        "exec",
        ns.name,
        "busybox",
        "ping",
        "-c",
        "1",
        "-W",
        "5",
        "198.18.9.2",
      ]);
      expect(ping.status).toBe(0);
      expect(await vm.mustExec(["ip", "-4", "-o", "addr", "show", "dev", "eth0"])).toContain("198.18.9.2/30");
      expect(await vm.mustExec(["cat", "/etc/ha-conf/keepalived.conf"])).toBe("global_defs {}\n");
      expect((await vm.exec(["touch", "/etc/ha-conf/x"])).code).not.toBe(0);
      await vm.mustExec(["sh", "-c", "echo from the guest > /var/ha-out/result"]);
      expect(readFileSync(join(shared, "rw", "result"), "utf8")).toBe("from the guest\n");
      // The scratch disk is mounted as ext4 and what is written there reaches the file on the host.
      expect(await vm.mustExec(["findmnt", "-n", "-o", "SOURCE,FSTYPE", "/var/lib/ha-scratch"])).toBe(
        "/dev/vda ext4\n",
      );
      await vm.mustExec([
        "sh",
        "-c",
        "echo kept > /var/lib/ha-scratch/kept && sync && umount /var/lib/ha-scratch",
      ]);
      expect(runCommand("debugfs", ["-R", "cat /kept", disk]).stdout).toBe("kept\n");
    } finally {
      await vm.shutdown();
      ns.delete();
      rmSync(shared, { recursive: true, force: true });
    }
    expect(isAlive(vm.pid)).toBe(false);
  }, 90_000);

  test("an unknown module or a missing qemu is refused; a guest that does not come up in time is killed", async () => {
    await expect(VirtualMachine.boot({ cacheDir, modules: ["ip_vs_nothing"] })).rejects.toThrow(
      /no module ip_vs_nothing/,
    );
    const before = registeredCleanups();
    await expect(VirtualMachine.boot({ cacheDir, modules: [], bootTimeoutMs: 1_500 })).rejects.toThrow(
      /did not start within/,
    );
    await expect(VirtualMachine.boot({ cacheDir, qemu: "/nonexistent/qemu-system-x86_64" })).rejects.toThrow(
      "/nonexistent/qemu-system-x86_64 is not installed: install qemu-system-x86",
    );
    expect(registeredCleanups()).toEqual(before);
  });

  test.each<NodeJS.Signals>(["SIGTERM", "SIGKILL"])(
    "a process that boots a VM and is sent %s takes its qemu with it",
    async (sig) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", join(__dirname, "boot-and-wait.ts"), cacheDir],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on("data", (d: Buffer) => {
        out += d.toString();
      });
      const exited = new Promise<NodeJS.Signals | number | null>((r) =>
        child.once("exit", (c, s) => r(s ?? c)),
      );
      let qemu = 0;
      try {
        for (let i = 0; i < 600 && qemu === 0 && child.exitCode === null; i++) {
          await new Promise((r) => setTimeout(r, 100));
          qemu = Number(out.match(/^qemu (\d+)$/m)?.[1] ?? 0);
        }
        expect(out).toMatch(/^qemu \d+$/m);
        expect(isAlive(qemu)).toBe(true);
        child.kill(sig);
        expect(await exited).toBe(sig);
        expect(await waitGone(qemu, 5_000)).toBe(true);
        // Its run folder: removed by its cleanup, or (killed outright) by the next sweep.
        const swept = sweepRunDirs().filter((d) => basename(d).startsWith(`ha-vm-${child.pid}-`));
        expect(swept).toHaveLength(sig === "SIGKILL" ? 1 : 0);
      } finally {
        if (child.pid !== undefined && isAlive(child.pid)) child.kill("SIGKILL");
        if (qemu && isAlive(qemu)) process.kill(qemu, "SIGKILL");
      }
    },
    60_000,
  );
});
