/**
 * VM tier, three tiers: an L4 node of the synthesized three-tier example, run in a Debian kernel
 * under qemu (this machine's kernel has no IPVS): its uploaded sysctls, address script and
 * keepalived.conf as the container gets them. keepalived must load every virtual service into
 * IPVS with the Maglev scheduler (mh, mh-port, mh-fallback) and the tunnel method, one real
 * server per L7 node in the stack's order, and zero the weight of the L7 nodes, which are not
 * there to answer, within the predicted detection time. The guest's timings come from an
 * emulated CPU.
 */
import { Testing } from "cdktf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { threeTierDocker } from "../../examples/three-tier-docker";
import { VirtualMachine } from "../../lib/drill/vm/virtual-machine";
import { resourcesOfType, synthJson } from "../../lib/testing";
import { vmTierAvailable } from "../support/vm-tier";

const TIER = "vm: three-tier IPVS";

const available = vmTierAvailable(TIER, ["ipvsadm", "keepalived"]);

type Container = {
  hostname: string;
  networks_advanced: { ipv4_address: string }[];
  sysctls?: Record<string, string>;
  upload: { file: string; content: string; executable?: boolean }[];
};

describe.skipIf(!available)(TIER, () => {
  let vm: VirtualMachine;
  let node: Container;
  let l7: string[];

  beforeAll(async () => {
    const stack = threeTierDocker(Testing.app(), "three-tier-vm", {
      subnet: "198.18.3.0/24",
      serviceAddress: "198.18.200.10",
    });
    const containers = Object.values(resourcesOfType(synthJson(stack), "docker_container")) as Container[];
    node = containers.find((c) => c.hostname === "edge-l4-0") as Container;
    l7 = containers
      .filter((c) => c.hostname.startsWith("edge-l7-"))
      .map((c) => c.networks_advanced[0]?.ipv4_address ?? "");
    vm = await VirtualMachine.boot({ hostname: "edge-l4-0" });
  }, 180_000);

  afterAll(async () => {
    await vm?.shutdown();
  });

  test("keepalived loads the L4 node's Maglev virtual service and checks the L7 nodes", async () => {
    // GIVEN the node's files in the guest, its eth0 as a dummy device with its address, its sysctls
    for (const u of node.upload) await vm.writeFile(u.file, u.content, u.executable ? "0755" : "0644");
    await vm.mustExec(["ip", "link", "add", "eth0", "type", "dummy"]);
    await vm.mustExec(["ip", "addr", "add", `${node.networks_advanced[0]?.ipv4_address}/24`, "dev", "eth0"]);
    await vm.mustExec(["ip", "link", "set", "eth0", "up"]);
    await vm.mustExec(["modprobe", "ip_vs_mh"]);
    // The container's supervisor makes /run/ha before it starts anything.
    await vm.mustExec(["mkdir", "-p", "/run/ha"]);
    for (const [key, value] of Object.entries(node.sysctls ?? {}))
      await vm.mustExec(["sysctl", "-w", `${key}=${value}`]);
    const addresses = await vm.spawn(["/usr/local/sbin/ha-l4-addresses"]);

    // WHEN keepalived starts with the node's command line (IPVS only)
    const started = Date.now();
    const keepalived = await vm.spawn([
      "/usr/sbin/keepalived",
      "--dont-fork",
      "--log-console",
      "--check",
      "--use-file=/etc/keepalived/keepalived.conf",
      "--pid=/run/ha/keepalived-main.pid",
      "--checkers_pid=/run/ha/keepalived-checkers.pid",
    ]);
    try {
      let table = "";
      for (let i = 0; i < 100 && !table.includes("Tunnel"); i++) {
        table = (await vm.exec(["ipvsadm", "-Ln"])).stdout;
        if (!table.includes("Tunnel")) await new Promise((r) => setTimeout(r, 200));
      }
      // THEN the virtual service is there: Maglev, port-aware, falling back past a dead server,
      // tunnelling to every L7 node
      expect(table, `${table}\n${keepalived.stdout}\n${keepalived.stderr}`).toMatch(
        /TCP {2}198\.18\.200\.10:80 mh \(mh-fallback,mh-port\)/,
      );
      for (const a of l7)
        expect(table).toMatch(new RegExp(`-> ${a.replace(/\./g, "\\.")}:80\\s+Tunnel\\s+1\\s`));
      expect((await vm.exec(["sysctl", "-n", "net.ipv4.vs.sloppy_tcp"])).stdout.trim()).toBe("1");
      expect((await vm.exec(["ip", "-4", "-o", "addr", "show", "dev", "lo"])).stdout).toContain(
        "198.18.200.10/32",
      );

      // AND with no L7 node answering, every weight goes to 0 (inhibit_on_failure) within the
      // predicted detection time (3 s) and an allowance for the emulated CPU
      let zeroed = false;
      while (!zeroed && Date.now() - started < 30_000) {
        const now = (await vm.exec(["ipvsadm", "-Ln"])).stdout;
        zeroed = l7.every((a) => new RegExp(`-> ${a.replace(/\./g, "\\.")}:80\\s+Tunnel\\s+0\\s`).test(now));
        if (!zeroed) await new Promise((r) => setTimeout(r, 200));
      }
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `${TIER}: IPVS service loaded, both L7 nodes weighted 0 after ${seconds.toFixed(1)} s from keepalived's start (emulated CPU; predicted detection 3 s after the first check)`,
      );
      expect(zeroed).toBe(true);
    } finally {
      await keepalived.kill("SIGTERM");
      await addresses.kill("SIGTERM");
    }
  }, 120_000);
});
