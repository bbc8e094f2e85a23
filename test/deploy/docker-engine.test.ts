/**
 * Deploy tier on a real Docker engine: every Docker example stack (the -drill variants, on
 * 198.18.0.0/15) deployed by the engine lab as Terraform's Docker provider would, its
 * containers healthy by Docker's own health status, its service answering through its entry
 * point from a client namespace on the stack's network, one kill drill per topology, then torn
 * down. Needs root, dockerd (Debian's docker.io) and debootstrap; under CI=true it never skips.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EXAMPLES } from "../../examples";
import { EngineLab } from "../../lib/drill/engine/engine-lab";
import { HttpProbe } from "../../lib/drill/engine/http-probe";
import { runCommand } from "../support/netns";
import { tierAvailable } from "../support/tiers";
import { answers, dnsPoolsOf, killMember, untilAnswers } from "./dns-pool-kill";
import { HOST_ENGINE_STACKS } from "./engine-stacks";
import { killPrimary, postgresClustersOf, untilSql } from "./postgres-kill";
import { killVipHolder, predictedNodeLoss, vipHolders, vipPairsOf } from "./vip-pair-kill";

const TIER = "deploy: docker engine";
const available = tierAvailable(
  TIER,
  ["dockerd", "containerd", "runc", "debootstrap", "nsenter", "ip"],
  true,
);
/** The drill stacks this machine's kernel can run (the rest: docker-engine-vm.engine-vm.ts). */
const STACKS = HOST_ENGINE_STACKS;

describe.skipIf(!available)(TIER, () => {
  let outdir = "";

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), "ha-engine-test-"));
    const app = new App({ outdir });
    for (const name of STACKS) EXAMPLES[name]?.(app);
    app.synth();
  });

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  test("there is a Docker drill stack to deploy", () => {
    expect(STACKS.length).toBeGreaterThan(0);
  });

  test.each(STACKS)(
    "%s deploys, becomes healthy, answers through its entry point and fails over when a node is killed",
    async (name) => {
      // GIVEN the synthesized stack
      const stackFile = join(outdir, "stacks", name, "cdk.tf.json");
      expect(existsSync(stackFile)).toBe(true);
      const t0 = Date.now();
      // WHEN it is deployed to the lab's engine
      const lab = await EngineLab.up(stackFile, {
        log: (l) => console.log(`${name}: ${l}`),
      });
      try {
        const upSeconds = (Date.now() - t0) / 1000;
        // THEN every container runs, and those with a healthcheck are healthy by Docker's status
        const health = await lab.deployment.waitHealthy(60_000);
        expect(Object.keys(health).sort()).toEqual(lab.stack.containers.map((c) => c.name).sort());
        const withCheck = lab.stack.containers.filter((c) => c.healthcheck).map((c) => c.name);
        expect(withCheck.length).toBeGreaterThan(0);
        for (const c of withCheck) expect(health[c]).toBe("healthy");
        const pairs = vipPairsOf(lab);
        const pools = dnsPoolsOf(lab);
        const databases = postgresClustersOf(lab);
        // One kill drill per topology: a stack whose topology has none fails here.
        expect(
          pairs.length + pools.length + databases.length,
          `no kill drill knows the topology of ${name}: add one in test/deploy`,
        ).toBeGreaterThan(0);
        const { namespace } = lab.attachClient();
        for (const pair of pairs) {
          // The entry point answers through HAProxy, from every backend (the LBs start before their
          // backends, so the first answers are 503: wait for all backends to be up).
          const backends = lab.stack.containers
            .filter((c) => !pair.nodes.includes(c.name))
            .map((c) => c.hostname ?? c.name);
          const served = await servedBy(namespace.name, `http://${pair.vip}:${pair.port}/`, backends);
          expect([...served.by].sort()).toEqual(backends.sort());
          expect(await vipHolders(lab, pair)).toHaveLength(1);
          const drill = await killVipHolder(lab, pair, namespace.name);
          expect(drill.takenOverBy).not.toBe(drill.killed);
          expect(drill.failoverSeconds).toBeLessThan(5);
          console.log(
            `${name}: PROVED on a real Docker engine: ${lab.stack.containers.length} containers deployed and healthy (${withCheck.length} by healthcheck); ` +
              `${pair.vip}:${pair.port} answered from ${[...served.by].sort().join(", ")} ${served.waitSeconds} s after all were healthy; ` +
              `docker kill ${drill.killed}: VIP answered through ${drill.takenOverBy} after ${drill.failoverSeconds.toFixed(3)} s ` +
              `(the analysis predicts ${predictedNodeLoss(lab, pair) ?? "nothing"} s from the last advertisement) ` +
              `(${drill.failedAttempts} failed probes); up ${upSeconds.toFixed(1)} s ${JSON.stringify(lab.timings)}`,
          );
        }
        for (const pool of pools) {
          // Every server answers the name with every member, and every member serves from the
          // client's network (each balancing over every backend).
          const all = [...pool.members.keys()].sort();
          await untilAnswers(namespace.name, pool, (a) => a.join() === all.join(), 30_000);
          for (const address of all) {
            const backends = lab.stack.containers
              .filter((c) => c.uploads.some((u) => u.file === "/usr/local/bin/ha-demo-backend"))
              .map((c) => c.hostname ?? c.name);
            const served = await servedBy(namespace.name, `http://${address}:${pool.port}/`, backends);
            expect([...served.by].sort()).toEqual(backends.sort());
          }
          const drill = await killMember(lab, pool, namespace.name);
          const after = await answers(namespace.name, pool);
          for (const a of after) expect(a).toEqual(all.filter((x) => x !== drill.address));
          // A killed container vanishes from the network: the checker's probe times out, the
          // silent case (predicted per the analysis).
          const predicted = pool.predictedSilentRemoval;
          expect(predicted).toBeDefined();
          expect(drill.removedSeconds).toBeLessThan((predicted as number) * 1.25 + 0.5);
          console.log(
            `${name}: PROVED on a real Docker engine: ${lab.stack.containers.length} containers deployed and healthy; ` +
              `${pool.servers.length} PowerDNS servers answered ${pool.fqdn} with ${all.join(", ")}, each serving; ` +
              `docker kill ${drill.killed}: out of every server's answers after ${drill.removedSeconds.toFixed(3)} s ` +
              `(predicted at most ${predicted} s); up ${upSeconds.toFixed(1)} s`,
          );
        }
        for (const db of databases) {
          // Writes through the routers' address reach the primary, reads on the read-only port a replica.
          const node = db.nodes[0] as string;
          const rw = await untilSql(lab, db, node, "SELECT pg_is_in_recovery()", 60_000);
          const ro = await untilSql(lab, db, node, "SELECT pg_is_in_recovery()", 60_000, db.readOnlyPort);
          expect([rw, ro]).toEqual(["f", "t"]);
          const drill = await killPrimary(lab, db);
          expect(drill.newPrimary).not.toBe(drill.killed);
          expect(drill.rowsAfter).toBe(drill.rowsBefore + 1);
          expect(drill.writesBackSeconds).toBeLessThan(30);
          console.log(
            `${name}: PROVED on a real Docker engine: ${lab.stack.containers.length} containers deployed and healthy; ` +
              `writes through ${db.address}:${db.readWritePort} on the primary, reads on :${db.readOnlyPort} from a replica; ` +
              `docker kill ${drill.killed}: writes back on ${drill.newPrimary} after ${drill.writesBackSeconds.toFixed(3)} s ` +
              `(predicted ${db.predictedPrimaryLoss ?? "nothing"} s), ${drill.rowsAfter - 1} of ${drill.rowsBefore} rows acknowledged before it kept; up ${upSeconds.toFixed(1)} s`,
          );
        }
      } finally {
        await lab.down();
      }
      // AND nothing of it is left: no namespace of this process, no daemon socket
      const left = runCommand("ip", ["netns", "list"]).lines.filter((l) =>
        l.startsWith(`hae-${process.pid}-`),
      );
      expect(left).toEqual([]);
      console.log(`${name}: torn down; whole run ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    },
    900_000,
  );
});

/**
 * Polls `url` until every backend of `expected` has answered with a 200 (HAProxy adds each
 * backend after its health checks rise, with slow start); at most 30 s. Returns who answered and
 * how long until the first 200.
 */
async function servedBy(ns: string, url: string, expected: readonly string[]) {
  const t0 = Date.now();
  const probe = HttpProbe.start(ns, url, {
    header: "X-Served-By",
    gapMs: 50,
    timeoutMs: 1_000,
    maxMs: 40_000,
  });
  try {
    const firstOk = await probe.waitFor((a) => a.status === 200, 0, 30_000);
    const by = new Set<string>();
    await probe.waitFor(
      (a) => {
        if (a.status === 200 && a.node) by.add(a.node);
        return expected.every((e) => by.has(e));
      },
      firstOk.t,
      30_000,
    );
    return { by, waitSeconds: Math.round((firstOk.t - t0) / 100) / 10 };
  } finally {
    await probe.stop();
  }
}
