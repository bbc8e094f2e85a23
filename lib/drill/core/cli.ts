/**
 * `ha-drill <cdk.tf.json> [--scenario <name>|all] [--runs N] [--json] [--list]`: failover drills
 * of a synthesized Docker stack, with the topology drills it is given.
 */
import { type DrillOptions, runDrill } from "./drill";
import { DrillError } from "./drill-error";
import { IN_VM_ENV, runInVm } from "./in-vm";
import { DrillRegistry } from "./registry";
import { formatRuns, formatSummaries } from "./report";
import { splitLabFactory } from "./split-lab";
import { loadStack } from "./stack-file";
import { StackReport } from "./stack-report";
import type { TopologyDrill } from "./topology-drill";

export const USAGE = `Usage: ha-drill <path to cdk.tf.json> [options]

Brings a synthesized Docker stack up as Linux network namespaces running the real daemons with
the generated files, injects faults and measures what a client sees. Needs Linux, root, and the
Debian packages the stack's images install (keepalived, haproxy, curl, iproute2, nftables,
python3, util-linux). Addresses must come from 198.18.0.0/15.

Options:
  --scenario <name>|all   a scenario the stack's topologies offer (see --list), repeatable
                          (default: all)
  --runs <N>              runs per scenario, each in a fresh lab (default: 3)
  --json                  one JSON object per run and a summary per scenario, one per line
  --interval-ms <N>       milliseconds between client requests (default: 15)
  --timeout-ms <N>        time limit of one client request (default: 500)
  --allow-any-addresses   allow subnets outside 198.18.0.0/15
  --keep-logs             keep each run's daemon logs (the directory is printed)
  --list                  print the topologies found in the stack and their scenarios, and
                          exit (with --json: as one JSON object)
  --vm                    run the drill inside a VM with a full Debian kernel (IPVS, netem), for
                          stacks whose daemons need what this kernel lacks; needs qemu and
                          linux-image-amd64, and its timings come from an emulated CPU
  --vm-hosts              run only the hosts whose daemons need a full kernel (as the topology
                          names them: the three tiers' L4 nodes, and their L7 nodes for ipip) in
                          a VM joined to the lab's networks by tap devices; the rest run here
                          with this machine's CPU, and each run names the emulated hosts
  -h, --help              this text

Exit status: 0 every check passed, 1 a check failed, 2 the drill could not run.`;

export interface CliArgs {
  readonly stackFile?: string;
  readonly scenarios?: string[];
  readonly runs: number;
  readonly json: boolean;
  readonly help: boolean;
  readonly list: boolean;
  readonly allowAnyAddresses: boolean;
  readonly keepLogs: boolean;
  /** Run inside a VM (`--vm`). */
  readonly vm: boolean;
  /** Run the hosts that need a full kernel in a VM, the rest here (`--vm-hosts`). */
  readonly vmHosts: boolean;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

function integer(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n < min || n > max) {
    throw new DrillError(`${flag} needs a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parses the command line (without `node` and the script). */
export function parseArgs(argv: readonly string[]): CliArgs {
  let stackFile: string | undefined;
  let scenarios: string[] | undefined;
  let runs = 3;
  let json = false;
  let help = false;
  let list = false;
  let allowAnyAddresses = false;
  let keepLogs = false;
  let vm = false;
  let vmHosts = false;
  let intervalMs: number | undefined;
  let timeoutMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "-h":
      case "--help":
        help = true;
        break;
      case "--json":
        json = true;
        break;
      case "--list":
        list = true;
        break;
      case "--allow-any-addresses":
        allowAnyAddresses = true;
        break;
      case "--keep-logs":
        keepLogs = true;
        break;
      case "--vm":
        vm = true;
        break;
      case "--vm-hosts":
        vmHosts = true;
        break;
      case "--runs":
        runs = integer("--runs", value(), 1, 100);
        break;
      case "--interval-ms":
        intervalMs = integer("--interval-ms", value(), 5, 1000);
        break;
      case "--timeout-ms":
        timeoutMs = integer("--timeout-ms", value(), 50, 10_000);
        break;
      case "--scenario": {
        const v = value();
        if (v === "all") scenarios = undefined;
        else if (v !== undefined && /^[a-z0-9][a-z0-9-]*$/.test(v)) scenarios = [...(scenarios ?? []), v];
        else
          throw new DrillError(
            `--scenario needs a scenario name (see --list) or all, got ${JSON.stringify(v)}`,
          );
        break;
      }
      default:
        if (arg.startsWith("-")) throw new DrillError(`unknown option ${arg}`);
        if (stackFile !== undefined)
          throw new DrillError(`one stack file only (got ${stackFile} and ${arg})`);
        stackFile = arg;
    }
  }
  return {
    ...(stackFile !== undefined ? { stackFile } : {}),
    ...(scenarios ? { scenarios } : {}),
    runs,
    json,
    help,
    list,
    allowAnyAddresses,
    keepLogs,
    vm,
    vmHosts,
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

/** What `--list` prints: every topology instance found, with its scenarios. */
export function listing(stackFile: string, drills: readonly TopologyDrill[], json: boolean): string {
  const stack = loadStack(stackFile);
  const targets = new DrillRegistry(drills).targets(stack, StackReport.besideStack(stackFile));
  if (json) {
    const topologies = targets.map((t) => ({
      topology: t.topology,
      name: t.name,
      ...t.describe(),
      scenarios: t.scenarios.map((s) => ({
        name: s.name,
        description: s.description,
        predicts: s.predicts ?? null,
      })),
    }));
    return JSON.stringify(
      { stack: stack.name, topologies, scenarios: DrillRegistry.scenarioNames(targets) },
      null,
      2,
    );
  }
  const lines = [`ha-drill: ${stack.name}`];
  for (const t of targets) {
    lines.push("", `${t.topology} ${t.name}`);
    const width = Math.max(...t.scenarios.map((s) => s.name.length));
    for (const s of t.scenarios) lines.push(`  ${s.name.padEnd(width)}  ${s.description}`);
  }
  return lines.join("\n");
}

function progressWriter(): { progress: (message: string) => void; clear: () => void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    progress: (message) => {
      if (tty) {
        process.stderr.write(
          `\r\x1b[K${message.split("\n")[0]?.slice(0, (process.stderr.columns ?? 120) - 1)}`,
        );
        shown = true;
      } else process.stderr.write(`ha-drill: ${message}\n`);
    },
    clear: () => {
      if (shown) process.stderr.write("\r\x1b[K");
      shown = false;
    },
  };
}

async function drill(
  args: CliArgs & { stackFile: string },
  drills: readonly TopologyDrill[],
): Promise<number> {
  const { progress, clear } = progressWriter();
  try {
    const options: DrillOptions = {
      stackFile: args.stackFile,
      drills,
      ...(args.scenarios ? { scenarios: args.scenarios } : {}),
      runs: args.runs,
      allowAnyAddresses: args.allowAnyAddresses,
      keepLogs: args.keepLogs,
      ...(args.vmHosts ? { createLab: splitLabFactory(args.stackFile) } : {}),
      timings: {
        ...(args.intervalMs !== undefined ? { intervalMs: args.intervalMs } : {}),
        ...(args.timeoutMs !== undefined ? { requestTimeoutMs: args.timeoutMs } : {}),
      },
      progress,
      onResult: (r) => {
        if (args.json) {
          clear();
          process.stdout.write(`${JSON.stringify(r)}\n`);
        }
      },
    };
    const outcome = await runDrill(options);
    clear();
    if (args.json) {
      for (const s of outcome.summaries) process.stdout.write(`${JSON.stringify(s)}\n`);
    } else {
      process.stdout.write(
        `ha-drill: ${outcome.stack}\n\n${formatRuns(outcome.results)}\n\n${formatSummaries(outcome.summaries)}\n`,
      );
    }
    return outcome.results.every((r) => r.passed) ? 0 : 1;
  } catch (e) {
    clear();
    const message = e instanceof DrillError ? e.message : ((e as Error).stack ?? String(e));
    process.stderr.write(`ha-drill: ${message}\n`);
    return 2;
  }
}

/** Runs the command with the given topology drills; resolves to the exit status. */
export async function main(argv: readonly string[], drills: readonly TopologyDrill[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`ha-drill: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stackFile = args.stackFile;
  if (!stackFile) {
    process.stderr.write(`ha-drill: give the path of a synthesized cdk.tf.json\n\n${USAGE}\n`);
    return 2;
  }
  if (args.list) {
    try {
      process.stdout.write(`${listing(stackFile, drills, args.json)}\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`ha-drill: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (args.vm && args.vmHosts) {
    process.stderr.write("ha-drill: --vm runs the whole lab in a VM, --vm-hosts only some hosts: give one\n");
    return 2;
  }
  if (args.vm && process.env[IN_VM_ENV] !== "1") {
    try {
      return await runInVm(
        argv.filter((a) => a !== "--vm"),
        stackFile,
      );
    } catch (e) {
      process.stderr.write(`ha-drill: ${(e as Error).message}\n`);
      return 2;
    }
  }
  return drill({ ...args, stackFile }, drills);
}
