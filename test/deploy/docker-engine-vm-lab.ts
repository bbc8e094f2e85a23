/**
 * Run inside the engine VM by docker-engine-vm.engine-vm.ts (`node --import tsx <this file>
 * <cdk.tf.json> <lab options as JSON>`): deploys the stack on an engine in the guest, waits for
 * Docker-healthy, checks the three tiers (ECMP on both routers, clients through the gateway
 * answered by both L7 nodes and by every backend), kills an L4 node and measures the failover,
 * tears the lab down, and prints one JSON object with what it found on its last line.
 */
import { EngineLab, type EngineLabOptions } from "../../lib/drill/engine/engine-lab";
import { hostCommand } from "../../lib/drill/engine/host-commands";
import { addressesOf, answeredBy, killL4Node, routeOf, threeTiersOf, untilNextHops } from "./three-tier-kill";

async function main(stackPath: string, options: EngineLabOptions): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  const phases: Record<string, number> = {};
  result.phases = phases;
  let t = Date.now();
  const phase = (name: string) => {
    phases[name] = Math.round((Date.now() - t) / 100) / 10;
    process.stderr.write(`phase ${name}: ${phases[name]} s\n`);
    t = Date.now();
  };
  const lab = await EngineLab.up(stackPath, { ...options, log: (l) => process.stderr.write(`${l}\n`) });
  result.timings = lab.timings;
  phase("up");
  try {
    const health = await lab.deployment.waitHealthy(300_000);
    result.health = health;
    result.withHealthcheck = lab.stack.containers.filter((c) => c.healthcheck).map((c) => c.name);
    phase("healthy");
    const tiers = threeTiersOf(lab);
    result.tiers = tiers;
    const tier = tiers[0];
    if (!tier) throw new Error("the stack has no three-tier topology");
    const l4Hops = addressesOf(lab, tier.l4);
    result.ecmpSeconds = await untilNextHops(lab, tier, l4Hops, 180_000);
    result.nextHops = Object.fromEntries(
      await Promise.all(tier.routers.map(async (r) => [r, (await routeOf(lab, r, tier.service)).trim()])),
    );
    phase("ecmp");
    const { namespace, address } = lab.attachClient();
    result.client = address;
    const route = hostCommand("ip", [
      "-n",
      namespace.name,
      "route",
      "add",
      `${tier.service}/32`,
      "via",
      tier.gateway,
    ]);
    if (route.status !== 0) throw new Error(`client route via ${tier.gateway}: ${route.stderr}`);
    const url = `http://${tier.service}:${tier.port}/`;
    const l7Hosts = tier.l7.map((n) => lab.deployment.container(n).hostname ?? n);
    const backendHosts = tier.backends.map((n) => lab.deployment.container(n).hostname ?? n);
    result.l7Answers = await answeredBy(namespace.name, url, "X-Load-Balancer", l7Hosts, 120_000);
    result.backendAnswers = await answeredBy(namespace.name, url, "X-Served-By", backendHosts, 120_000);
    phase("served");
    result.kill = await killL4Node(lab, tier, tier.l4[0] as string, namespace.name);
    result.survivorHops = addressesOf(lab, tier.l4.slice(1));
    phase("kill");
  } catch (e) {
    result.error = (e as Error).stack ?? String(e);
    result.logs = Object.fromEntries(
      await Promise.all(
        lab.stack.containers.map(async (c) => {
          const l = await lab.deployment
            .logs(c.name, 15)
            .catch((x: Error) => ({ stdout: "", stderr: x.message }));
          return [c.name, (l.stdout + l.stderr).slice(-1_500)];
        }),
      ),
    );
  } finally {
    await lab.down();
    phase("down");
  }
  return result;
}

const [stackPath, optionsJson] = process.argv.slice(2);
main(stackPath ?? "", JSON.parse(optionsJson ?? "{}") as EngineLabOptions)
  .then((r) => process.stdout.write(`${JSON.stringify(r)}\n`))
  .catch((e: Error) => process.stdout.write(`${JSON.stringify({ error: e.stack ?? String(e) })}\n`));
