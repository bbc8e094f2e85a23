/**
 * `ha-drill <cdk.tf.json> [--scenario <name>|all] [--runs N] [--json]`: failover drills of a
 * synthesized Docker stack in Linux network namespaces.
 */
import { type DrillOptions, drillPlan, loadStack, runDrill } from "./drill";
import { formatRuns, formatSummaries } from "./report";
import { DrillError } from "./stack";
import { VIP_PAIR_SCENARIOS, type VipPairScenario } from "./vip-pair-drill";

export const USAGE = `Usage: ha-drill <path to cdk.tf.json> [options]

Brings a synthesized Docker stack up as Linux network namespaces running the real daemons with
the generated files, injects faults and measures what a client sees. Needs Linux, root, and the
Debian packages the stack's images install (keepalived, haproxy, curl, iproute2, nftables,
python3, util-linux). Addresses must come from 198.18.0.0/15.

Options:
  --scenario <name>|all   ${VIP_PAIR_SCENARIOS.join(", ")} (default: all)
  --runs <N>              runs per scenario, each in a fresh lab (default: 3)
  --json                  one JSON object per run and a summary per scenario, one per line
  --interval-ms <N>       milliseconds between client requests (default: 15)
  --timeout-ms <N>        time limit of one client request (default: 500)
  --allow-any-addresses   allow subnets outside 198.18.0.0/15
  --keep-logs             keep each run's daemon logs (the directory is printed)
  --list                  print the stack's drill plan and exit
  -h, --help              this text

Exit status: 0 every check passed, 1 a check failed, 2 the drill could not run.`;

export interface CliArgs {
  readonly stackFile?: string;
  readonly scenarios?: VipPairScenario[];
  readonly runs: number;
  readonly json: boolean;
  readonly help: boolean;
  readonly list: boolean;
  readonly allowAnyAddresses: boolean;
  readonly keepLogs: boolean;
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
  let scenarios: VipPairScenario[] | undefined;
  let runs = 3;
  let json = false;
  let help = false;
  let list = false;
  let allowAnyAddresses = false;
  let keepLogs = false;
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
        else if (v !== undefined && (VIP_PAIR_SCENARIOS as readonly string[]).includes(v)) {
          scenarios = [...(scenarios ?? []), v as VipPairScenario];
        } else {
          throw new DrillError(
            `--scenario needs one of ${VIP_PAIR_SCENARIOS.join(", ")} or all, got ${JSON.stringify(v)}`,
          );
        }
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
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

/** Runs the command; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
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
  if (!args.stackFile) {
    process.stderr.write(`ha-drill: give the path of a synthesized cdk.tf.json\n\n${USAGE}\n`);
    return 2;
  }
  const tty = process.stderr.isTTY === true;
  let progressShown = false;
  const progress = (message: string) => {
    if (tty) {
      process.stderr.write(
        `\r\x1b[K${message.split("\n")[0]?.slice(0, (process.stderr.columns ?? 120) - 1)}`,
      );
      progressShown = true;
    } else process.stderr.write(`ha-drill: ${message}\n`);
  };
  const clearProgress = () => {
    if (progressShown) process.stderr.write("\r\x1b[K");
    progressShown = false;
  };
  try {
    if (args.list) {
      const stack = loadStack(args.stackFile);
      const { topology, plan, scenarios } = drillPlan(stack);
      process.stdout.write(
        `${JSON.stringify({ stack: stack.name, topology, vip: plan.vip, port: plan.port, nodes: plan.nodes.map((n) => ({ hostname: n.hostname, address: n.address, priority: n.instance.priority })), backends: plan.backends.map((b) => b.hostname), preempt: plan.preempt, preemptDelaySeconds: plan.preemptDelaySeconds, advertIntervalSeconds: plan.advertIntervalSeconds, scenarios }, null, 2)}\n`,
      );
      return 0;
    }
    const options: DrillOptions = {
      stackFile: args.stackFile,
      ...(args.scenarios ? { scenarios: args.scenarios } : {}),
      runs: args.runs,
      allowAnyAddresses: args.allowAnyAddresses,
      keepLogs: args.keepLogs,
      timings: {
        ...(args.intervalMs !== undefined ? { intervalMs: args.intervalMs } : {}),
        ...(args.timeoutMs !== undefined ? { requestTimeoutMs: args.timeoutMs } : {}),
      },
      progress,
      onResult: (r) => {
        if (args.json) {
          clearProgress();
          process.stdout.write(`${JSON.stringify(r)}\n`);
        }
      },
    };
    const outcome = await runDrill(options);
    clearProgress();
    if (args.json) {
      for (const s of outcome.summaries) process.stdout.write(`${JSON.stringify(s)}\n`);
    } else {
      process.stdout.write(
        `ha-drill: ${outcome.stack}\n\n${formatRuns(outcome.results)}\n\n${formatSummaries(outcome.summaries)}\n`,
      );
    }
    return outcome.results.every((r) => r.passed) ? 0 : 1;
  } catch (e) {
    clearProgress();
    const message = e instanceof DrillError ? e.message : ((e as Error).stack ?? String(e));
    process.stderr.write(`ha-drill: ${message}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
