/**
 * VM tier, three tiers end to end: the example's stack (on drill addresses) brought up by the
 * namespace lab inside a VM with a full kernel (IPVS, ipip): both routers get one ECMP route to
 * the service address over both L4 nodes by BGP; a client routing through the routers' VRRP
 * gateway is answered by both L7 nodes (Maglev over its source ports, tunnelled, replies direct);
 * an operator's drain file withdraws an L4 node from both routers and its removal brings it back.
 * Timings come from an emulated CPU.
 */
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { VirtualMachine } from "../../../lib/drill/vm/virtual-machine";
import { vmTierAvailable, withVmSlot } from "../../support/vm-tier";

const TIER = "vm: three tiers end to end";

const available = vmTierAvailable(TIER, ["nft", "bird", "keepalived", "ipvsadm", "haproxy", "curl"]);

describe.skipIf(!available)(TIER, () => {
  test(
    "BGP + ECMP to both L4 nodes, clients served by both L7 nodes through the gateway, drain withdraws and returns",
    () =>
      withVmSlot(async () => {
        // The repository, wherever it is checked out (the guest's /tmp is its own), at its own path.
        const root = path.resolve(__dirname, "..", "..", "..");
        const vm = await VirtualMachine.boot({
          hostname: "three-tier",
          memoryMb: 2048,
          cpus: 2,
          shares: [{ hostPath: root, guestPath: root, readOnly: true }],
        });
        let result: Record<string, unknown> = {};
        try {
          const script = path.join(__dirname, "three-tier-lab.ts");
          const r = await vm.exec([process.execPath, "--import", "tsx", script, "/tmp/three-tier-lab"], {
            timeoutMs: 400_000,
            cwd: root,
          });
          const last = r.stdout.trim().split("\n").pop() ?? "";
          expect(last.startsWith("{"), `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`).toBe(true);
          result = JSON.parse(last) as Record<string, unknown>;
          expect(
            result.error,
            `${JSON.stringify(result.logs ?? {}, null, 1)}\n${r.stderr.slice(-2000)}`,
          ).toBeUndefined();
        } finally {
          await vm.shutdown();
        }
        console.log(`${TIER} (emulated CPU): ${JSON.stringify({ ...result, ipvs: undefined })}`);
        expect(result.nextHops).toEqual(["198.18.3.8", "198.18.3.9"]);
        expect(result.ipvs).toMatch(/TCP {2}198\.18\.200\.10:80 mh \(mh-fallback,mh-port\)/);
        const answeredBy = result.answeredBy as string[];
        expect(answeredBy.filter((a) => a.startsWith("failed"))).toEqual([]);
        expect(new Set(answeredBy)).toEqual(new Set(["edge-l7-0", "edge-l7-1"]));
        expect(result.drainWithdrawnSeconds).toBeLessThan(30);
        expect(result.drainReturnedSeconds).toBeLessThan(30);
      }),
    1_200_000,
  );
});
