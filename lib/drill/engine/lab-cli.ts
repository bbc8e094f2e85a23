/**
 * `ha-lab up <cdk.tf.json>` / `ha-lab down` / `ha-lab status`: a synthesized Docker stack on a
 * real Docker engine of the lab's own, for a person to look at and break by hand.
 */
import { EngineError } from "./engine-error";
import { defaultCacheDir, downRecordedLab, EngineLab, LAB_RANGE, recordedLab } from "./engine-lab";
import { isAlive } from "./host-commands";

export const LAB_USAGE = `Usage: ha-lab up <path to cdk.tf.json> [--allow-any-addresses] [--no-wait]
       ha-lab down
       ha-lab status

up     deploys the stack's docker_image, docker_network and docker_container resources to a
       Docker daemon of the lab's own (Debian's docker.io), in a network namespace without a
       route out, and waits until the containers are healthy. Images are built from the stack's
       contexts on a debootstrapped debian:bookworm-slim, once; they are cached in
       $HA_ENGINE_CACHE (default ~/.cache/cdktf-ha-topologies/engine). The lab stays up.
down   removes the lab's containers and networks by name, stops its daemon by PID and deletes
       its namespace.
status prints the running lab, if any.

Needs Linux, root, dockerd, nsenter and debootstrap. Addresses must come from ${LAB_RANGE}
unless --allow-any-addresses. Exit status: 0 done, 2 could not.`;

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function up(args: readonly string[]): Promise<number> {
  const stackFile = args.find((a) => !a.startsWith("--"));
  const unknown = args.filter(
    (a) => a.startsWith("--") && !["--allow-any-addresses", "--no-wait"].includes(a),
  );
  if (!stackFile || unknown.length)
    throw new EngineError(`${unknown.join(" ") || "no cdk.tf.json given"}\n${LAB_USAGE}`);
  const lab = await EngineLab.up(stackFile, {
    allowAnyAddresses: args.includes("--allow-any-addresses"),
    detached: true,
    lockWaitMs: 0,
    log: print,
  });
  if (!args.includes("--no-wait")) {
    const health = await lab.deployment.waitHealthy(120_000);
    for (const c of lab.deployment.containers) {
      print(`  ${c.name.padEnd(40)} ${Object.values(c.addresses).join(", ").padEnd(16)} ${health[c.name]}`);
    }
  }
  const ns = lab.daemon.namespace;
  print(
    `up: ${lab.stack.name}; dockerd PID ${lab.daemon.record.pid}, socket ${lab.daemon.record.socketPath}`,
  );
  print(
    `reach it from the daemon's namespace, which holds the bridge: nsenter --net=/run/netns/${ns} curl http://<address>/`,
  );
  print(`docker CLI: docker -H unix://${lab.daemon.record.socketPath} ps`);
  print("tear down: ha-lab down");
  return 0;
}

/** Runs the command line (without `node` and the script); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "up") return await up(rest);
    if (command === "down") {
      const record = await downRecordedLab();
      print(
        record
          ? `down: ${record.stackName} (dockerd PID ${record.daemon.pid})`
          : `down: no lab is up in ${defaultCacheDir()}`,
      );
      return 0;
    }
    if (command === "status") {
      const record = recordedLab();
      if (!record) print(`no lab is up in ${defaultCacheDir()}`);
      else {
        const state = isAlive(record.daemon.pid) ? "running" : "gone (run ha-lab down to clean up)";
        print(
          `${record.stackName}: dockerd PID ${record.daemon.pid} ${state}, namespace ${record.daemon.namespace}`,
        );
        for (const c of record.containers) print(`  ${c}`);
      }
      return 0;
    }
    if (command === "-h" || command === "--help") {
      print(LAB_USAGE);
      return 0;
    }
    throw new EngineError(LAB_USAGE);
  } catch (e) {
    process.stderr.write(`ha-lab: ${(e as Error).message}\n`);
    return 2;
  }
}
