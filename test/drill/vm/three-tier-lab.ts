/**
 * Run inside a VM by three-tier-lab.test.ts (`node --import tsx <this file> <outdir>`): brings
 * the three-tier example (on drill addresses) up with the namespace lab, the real daemons in
 * the guest's kernel, and prints one JSON object with what it found: the routers' ECMP routes,
 * an L4 node's IPVS table, which L7 nodes answered clients through the gateway, and how the
 * routes changed when an L4 node was drained and came back.
 */
import { App } from "cdktf";
import { threeTierDocker } from "../../../examples/three-tier-docker";
import { NamespaceLab } from "../../../lib/drill/core/namespace-lab";
import { loadStack } from "../../../lib/drill/core/stack-file";

const SERVICE = "198.18.200.10";

async function main(outdir: string): Promise<void> {
  const app = new App({ outdir });
  threeTierDocker(app, "three-tier-lab", { subnet: "198.18.3.0/24", serviceAddress: SERVICE });
  app.synth();
  const lab = await NamespaceLab.create(loadStack(`${outdir}/stacks/three-tier-lab/cdk.tf.json`), {});
  const result: Record<string, unknown> = {};
  try {
    for (const h of lab.hostnames()) await lab.startHost(h);
    const nextHops = async (router: string) => {
      const r = await lab.exec(router, ["ip", "-4", "route", "show", `${SERVICE}/32`], {
        allowFailure: true,
        timeoutMs: 10_000,
      });
      return [...r.stdout.matchAll(/nexthop via (\S+)|^\S+ via (\S+)/gm)].map((m) => m[1] ?? m[2]).sort();
    };
    const until = async (what: string, ok: () => Promise<boolean>, ms: number) => {
      const t0 = Date.now();
      while (Date.now() - t0 < ms) {
        if (await ok()) return (Date.now() - t0) / 1000;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${what}: not within ${ms} ms`);
    };
    const l4 = ["edge-l4-0", "edge-l4-1"].map((h) => lab.container(h).address).sort();
    result.ecmpAfterSeconds = await until(
      "ECMP route on both routers",
      async () => {
        const hops = await Promise.all(["edge-router-0", "edge-router-1"].map(nextHops));
        return hops.every((h) => h.join() === l4.join());
      },
      90_000,
    );
    result.nextHops = await nextHops("edge-router-0");
    result.ipvs = (await lab.exec("edge-l4-0", ["ipvsadm", "-Ln"], { timeoutMs: 10_000 })).stdout;
    const place = lab.clientOn(lab.container("edge-router-0").network);
    const run = (argv: string[]) =>
      new Promise<string>((resolve) => {
        const c = lab.spawn(place.place, argv, "probe");
        let out = "";
        c.stdout?.on("data", (d: Buffer) => {
          out += d.toString();
        });
        c.on("exit", () => resolve(out));
      });
    const gateway = (await lab.addresses("edge-router-0")).find(
      (a) => a !== lab.container("edge-router-0").address,
    );
    result.gateway = gateway;
    await run(["ip", "route", "add", `${SERVICE}/32`, "via", String(gateway)]);
    const answeredBy: string[] = [];
    for (let i = 0; i < 12; i++) {
      const head = await run([
        "curl",
        "-s",
        "-m",
        "5",
        "-D",
        "-",
        "-o",
        "/dev/null",
        "--local-port",
        String(41000 + i),
        `http://${SERVICE}/`,
      ]);
      answeredBy.push(/x-load-balancer: (\S+)/i.exec(head)?.[1] ?? `failed: ${head.split("\n")[0]}`);
    }
    result.answeredBy = answeredBy;
    // Drain edge-l4-0: both routers drop its next hop; removing the file brings it back.
    const drained = lab.container("edge-l4-0").address;
    await lab.writeFile("edge-l4-0", "/run/ha/drain", "drill\n");
    result.drainWithdrawnSeconds = await until(
      "drain withdrawn",
      async () => {
        const hops = await Promise.all(["edge-router-0", "edge-router-1"].map(nextHops));
        return hops.every((h) => h.length === 1 && !h.includes(drained));
      },
      30_000,
    );
    await lab.exec("edge-l4-0", ["rm", "-f", "/run/ha/drain"], { timeoutMs: 10_000 });
    result.drainReturnedSeconds = await until(
      "drained node back",
      async () => {
        const hops = await Promise.all(["edge-router-0", "edge-router-1"].map(nextHops));
        return hops.every((h) => h.join() === l4.join());
      },
      30_000,
    );
  } catch (e) {
    result.error = (e as Error).message;
    result.logs = Object.fromEntries(lab.hostnames().map((h) => [h, lab.logTail(h, 15)]));
  } finally {
    await lab.teardown();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv[2] ?? "/tmp/three-tier-lab").catch((e) => {
  process.stdout.write(`${JSON.stringify({ error: String(e) })}\n`);
});
