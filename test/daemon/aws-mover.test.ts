/**
 * Tier 2 for the script that moves a VIP on AWS (`/usr/local/sbin/ha-move-VI_<id>`, rendered by
 * lib/render/vip-mover.ts and shipped by cloud-init):
 *
 * - every shell script an AWS load balancer gets parses in its shell and is shellcheck-clean;
 * - the mover, run as keepalived runs it, makes exactly the expected `aws ec2 ...` calls. `aws`,
 *   `curl` (answering the IMDSv2 token PUT and the metadata paths), `sleep` and `logger` are stubs
 *   first on PATH that record their arguments. The run happens in a sandbox made by `unshare`:
 *   a private mount namespace with tmpfs over /run, /etc/keepalived and /usr/local/sbin (where
 *   the node's scripts are installed at their real paths), a new network namespace with no
 *   route at all (nothing can reach 169.254.169.254 or anywhere, stub or not), and a new PID
 *   namespace tied to the test (`--kill-child`), so a timed-out run leaves no process behind.
 *   Nothing of a run outlives it except its temp directory, removed in afterAll.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findBinary, tierAvailable } from "../support/tiers";
import {
  AWS_VARIANTS,
  type AwsDeployedHost,
  type AwsDeployment,
  type AwsVariant,
  deployAwsVariant,
  ELASTIC_IP,
  EXISTING_ROUTE_TABLES,
  EXTRA_ROUTED_VIP,
  NOTIFY_SCRIPT,
  ROUTE_TABLE,
  ROUTE_TABLE_EXISTING,
  ROUTE_TABLE_TWO_VIPS,
  ROUTED_VIP,
  SECONDARY_FIXED,
  SECONDARY_VIP,
} from "./aws-variants";
import { accepted, checkShellcheck, checkShellSyntax, clean, Scratch, shebang } from "./checkers";
import { fileOf, loadBalancers } from "./vip-pair-variants";

const shellAvailable = tierAvailable("daemon checks: shell scripts (AWS)", ["bash", "sh", "shellcheck"]);
const stubAvailable = tierAvailable(
  "daemon checks: AWS VIP mover against stub aws/curl",
  ["bash", "sh", "unshare", "mount", "ip", "flock", "awk", "cp"],
  true,
);

const SHELLS: Record<string, "bash" | "sh"> = { "/bin/bash": "bash", "/bin/sh": "sh" };

/** Where a node keeps the mover of VRRP instance `instance`. */
const moverAt = (instance: string) => `/usr/local/sbin/ha-move-${instance}`;

/** What the stub instance metadata service answers. */
const IMDS = {
  token: "AQAEAHatStubToken0123456789==",
  mac: "0e:5a:11:22:33:44",
  eni: "eni-0fedcba9876543210",
  region: "eu-west-1",
} as const;
const IMDS_BASE = "http://169.254.169.254/latest";
const TOKEN_HEADER = `X-aws-ec2-metadata-token: ${IMDS.token}`;

// The stubs. They open no connection; what they are asked is recorded, one call a line:
// the run's label, the program, then each argument, separated by tabs.
const RECORD = `{ printf '%s\\t%s' "$HAT_RUN_LABEL" "$(basename "$0")"; printf '\\t%s' "$@"; printf '\\n'; } >>"$HAT_STUB_DIR/$(basename "$0").calls"`;

const AWS_STUB = `#!/bin/bash
# Stub aws CLI: records every call and answers like the EC2 API, without any network.
set -u
${RECORD}
n=$(( $(cat "$HAT_STUB_DIR/aws.count" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$HAT_STUB_DIR/aws.count"
if [ -n "$HAT_AWS_DELAY" ]; then
  printf '%s begin\\n' "$HAT_RUN_LABEL" >>"$HAT_STUB_DIR/aws.events"
  command -p sleep "$HAT_AWS_DELAY"
  printf '%s end\\n' "$HAT_RUN_LABEL" >>"$HAT_STUB_DIR/aws.events"
fi
fail=0
if [ "$HAT_AWS_FAILURES" = always ] || [ "$n" -le "$HAT_AWS_FAILURES" ]; then fail=1; fi
for arg in "$@"; do if [ -n "$HAT_AWS_FAIL_ARG" ] && [ "$arg" = "$HAT_AWS_FAIL_ARG" ]; then fail=1; fi; done
if [ "$fail" = 1 ]; then
  echo "An error occurred (RequestLimitExceeded) when calling the $2 operation: Request limit exceeded." >&2
  exit 254
fi
case "$2" in
  assign-private-ip-addresses) echo '{"NetworkInterfaceId": "stub", "AssignedPrivateIpAddresses": []}' ;;
  associate-address) echo '{"AssociationId": "eipassoc-0stub"}' ;;
esac
exit 0
`;

const CURL_STUB = `#!/bin/bash
# Stub curl: answers the instance metadata service (IMDSv2, tokens required) from fixed values
# and records every call. Any other URL fails as curl does for an unreachable host.
set -u
${RECORD}
method=GET url="" token=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    -X | --request) method="$2"; shift 2 ;;
    -H | --header)
      case "$2" in "X-aws-ec2-metadata-token: "*) token="\${2#X-aws-ec2-metadata-token: }" ;; esac
      shift 2 ;;
    -m | --max-time) shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
imds="${IMDS_BASE}"
case "$url" in
  "$imds/api/token")
    if [ "$method" != PUT ]; then echo "curl: (22) The requested URL returned error: 405" >&2; exit 22; fi
    printf '%s' "$HAT_IMDS_TOKEN"
    exit 0 ;;
  "$imds/meta-data/"*) ;;
  *) echo "curl: (7) Failed to connect: the stub reaches nothing but the metadata service" >&2; exit 7 ;;
esac
if [ "$token" != "$HAT_IMDS_TOKEN" ]; then echo "curl: (22) The requested URL returned error: 401" >&2; exit 22; fi
n=$(( $(cat "$HAT_STUB_DIR/imds.count" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$HAT_STUB_DIR/imds.count"
if [ "$n" -le "$HAT_IMDS_FAILURES" ]; then echo "curl: (28) Operation timed out after 2000 milliseconds" >&2; exit 28; fi
case "\${url#"$imds/meta-data/"}" in
  mac) printf '%s' "$HAT_IMDS_MAC" ;;
  "network/interfaces/macs/$HAT_IMDS_MAC/interface-id") printf '%s' "$HAT_IMDS_ENI" ;;
  placement/region) printf '%s' "$HAT_IMDS_REGION" ;;
  local-ipv4) printf '%s' "$HAT_IMDS_LOCAL_IPV4" ;;
  *) echo "curl: (22) The requested URL returned error: 404" >&2; exit 22 ;;
esac
`;

/** sleep and logger: recorded, and sleep returns at once so that back-off costs no time. */
const RECORD_ONLY_STUB = `#!/bin/bash
${RECORD}
exit 0
`;

/**
 * Runs inside the sandbox: refuses to go on if the network namespace has any route, mounts the
 * private tmpfs, installs the staged node files, then runs the command once, or twice at once
 * (labels a and b) to test the lock. Statuses of parallel runs go to $HAT_STUB_DIR/status.<label>.
 */
const SANDBOX = `set -eu
stage="$1" mode="$2"
shift 2
if [ -n "$(ip route show; ip -6 route show)" ]; then echo "sandbox: the network namespace has routes" >&2; exit 97; fi
for dir in /run /etc/keepalived /usr/local/sbin; do
  mount -t tmpfs -o mode=0755,size=4m hat-sandbox "$dir"
  if [ -d "$stage$dir" ]; then cp -a "$stage$dir/." "$dir/"; fi
done
set +e
if [ "$mode" = parallel ]; then
  HAT_RUN_LABEL=a "$@" & a=$!
  HAT_RUN_LABEL=b "$@" & b=$!
  wait "$a"; echo "$?" >"$HAT_STUB_DIR/status.a"
  wait "$b"; echo "$?" >"$HAT_STUB_DIR/status.b"
  exit 0
fi
"$@"
`;

/** What the stubs saw during one sandboxed run. */
interface SandboxRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Argument vectors of the `aws` calls, "aws" first. */
  readonly aws: string[][];
  /** Argument vectors of the `curl` calls, "curl" first. */
  readonly curl: string[][];
  /** Arguments of each `sleep`. */
  readonly sleeps: string[];
  /** Arguments of each `logger` call, joined by spaces. */
  readonly logger: string[];
  /** "<label> begin" / "<label> end" around each `aws` call when `awsDelaySeconds` is set. */
  readonly events: string[];
  /** Exit statuses of the parallel runs by label. */
  readonly parallelStatus: Record<string, number>;
}

interface SandboxOptions {
  /** Files to install on the node: path → content (executable). */
  readonly files: Readonly<Record<string, string>>;
  /** The command, as keepalived runs it. */
  readonly command: readonly string[];
  /** What `curl` answers for local-ipv4. */
  readonly localIpv4: string;
  /** `aws` fails its first N calls, or every call. */
  readonly awsFailures?: number | "always";
  /** `aws` fails every call with this argument. */
  readonly awsFailArg?: string;
  /** Seconds each `aws` call takes. */
  readonly awsDelaySeconds?: number;
  /** The first N metadata reads fail (the token PUT always succeeds). */
  readonly imdsFailures?: number;
  /** Run the command twice at once. */
  readonly parallel?: boolean;
}

const RUN_TIMEOUT_MS = 30_000;

describe.runIf(shellAvailable)("bash -n, sh -n and shellcheck on the AWS scripts", () => {
  let scratch: Scratch;
  beforeAll(() => {
    scratch = new Scratch();
  });
  afterAll(() => {
    scratch?.remove();
  });

  test.each(AWS_VARIANTS)("accepts every shell script of every host: $name", (variant) => {
    // GIVEN the variant, synthesized, and every file cloud-init writes that starts with a shell shebang
    const { hosts } = deployAwsVariant(variant);
    const scripts = hosts.flatMap((host) =>
      [...host.files].flatMap(([path, file]) => {
        const shell = SHELLS[shebang(file.content) ?? ""];
        return shell ? [{ host, path, shell, ...file }] : [];
      }),
    );
    const movers = scripts.filter((s) => s.path.startsWith(moverAt("VI_")));
    const vipCount = variant.after ? 2 : 1;
    expect(movers).toHaveLength(loadBalancers(hosts).length * vipCount);
    for (const m of movers) expect(m.shell).toBe("bash");

    // WHEN each is parsed by its shell and checked by shellcheck
    const verdicts = scripts.flatMap((s) => {
      const path = scratch.write(`${s.host.hostname}-${s.path}`, s.content, 0o755);
      return [checkShellSyntax(s.shell, path), checkShellcheck(path)];
    });

    // THEN all are executable, and not one check finds anything
    expect(scripts.filter((s) => !s.executable).map((s) => `${s.host.hostname}:${s.path}`)).toEqual([]);
    expect(verdicts).toEqual(verdicts.map(clean));
  });

  test("fails shellcheck on a mover whose interface id is left unquoted", () => {
    // GIVEN the secondary-IP mover with one expansion unquoted
    const node = loadBalancers(deployAwsVariant(SECONDARY_FIXED).hosts)[0] as AwsDeployedHost;
    const script = fileOf(node, moverAt("VI_51")).replace(
      '--network-interface-id "$eni"',
      "--network-interface-id $eni",
    );
    const path = scratch.write("unquoted-mover", script, 0o755);
    expect(accepted(checkShellSyntax("bash", path))).toBe(true);

    // WHEN shellcheck checks it
    const verdict = checkShellcheck(path);

    // THEN it reports SC2086
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/SC2086/));
  });
});

describe.runIf(stubAvailable)("the AWS VIP mover against stub aws and curl", () => {
  let root: string;
  let runs = 0;
  const runHadRunHa = existsSync("/run/ha");
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "hat-mover-"));
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    // the lock and state files lived in the sandbox's tmpfs only
    expect(existsSync("/run/ha")).toBe(runHadRunHa);
  });

  function readLines(path: string): string[] {
    return existsSync(path)
      ? readFileSync(path, "utf8")
          .split("\n")
          .filter((l) => l.length > 0)
      : [];
  }

  /** Runs `command` in the sandbox with the stubs and returns what they recorded. */
  function sandbox(options: SandboxOptions): SandboxRun {
    runs += 1;
    const dir = join(root, `run-${runs}`);
    const bin = join(dir, "bin");
    const stage = join(dir, "stage");
    mkdirSync(bin, { recursive: true });
    for (const [name, content] of Object.entries({
      aws: AWS_STUB,
      curl: CURL_STUB,
      sleep: RECORD_ONLY_STUB,
      logger: RECORD_ONLY_STUB,
    })) {
      writeFileSync(join(bin, name), content, { mode: 0o755 });
    }
    for (const [path, content] of Object.entries(options.files)) {
      mkdirSync(dirname(join(stage, path)), { recursive: true });
      writeFileSync(join(stage, path), content, { mode: 0o755 });
    }
    const env: NodeJS.ProcessEnv = {
      PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      LANG: "C",
      HOME: dir,
      // fences should anything bypass the stub: no config, no credentials, no metadata lookups
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_EC2_METADATA_DISABLED: "true",
      HAT_STUB_DIR: dir,
      HAT_RUN_LABEL: "run",
      HAT_IMDS_TOKEN: IMDS.token,
      HAT_IMDS_MAC: IMDS.mac,
      HAT_IMDS_ENI: IMDS.eni,
      HAT_IMDS_REGION: IMDS.region,
      HAT_IMDS_LOCAL_IPV4: options.localIpv4,
      HAT_IMDS_FAILURES: String(options.imdsFailures ?? 0),
      HAT_AWS_FAILURES: String(options.awsFailures ?? 0),
      HAT_AWS_FAIL_ARG: options.awsFailArg ?? "",
      HAT_AWS_DELAY: options.awsDelaySeconds === undefined ? "" : String(options.awsDelaySeconds),
    };
    const unshare = findBinary("unshare") as string;
    const r = spawnSync(
      unshare,
      [
        "--mount",
        "--propagation",
        "private",
        "--net",
        "--pid",
        "--fork",
        "--kill-child",
        "--",
        "bash",
        "-c",
        SANDBOX,
        "hat-sandbox",
        stage,
        options.parallel ? "parallel" : "single",
        ...options.command,
      ],
      {
        env,
        encoding: "utf8",
        timeout: RUN_TIMEOUT_MS,
        killSignal: "SIGKILL",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    if (r.error) throw new Error(`sandboxed ${options.command.join(" ")}: ${r.error.message}`);
    if (r.status === 97) throw new Error(`sandbox refused to run: ${r.stderr}`);
    const calls = (name: string) => readLines(join(dir, `${name}.calls`)).map((l) => l.split("\t"));
    const aws = calls("aws");
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      aws: aws.map((c) => c.slice(1)),
      curl: calls("curl").map((c) => c.slice(1)),
      sleeps: calls("sleep").map((c) => c.slice(2).join(" ")),
      logger: calls("logger").map((c) => c.slice(2).join(" ")),
      events: readLines(join(dir, "aws.events")),
      parallelStatus: Object.fromEntries(
        ["a", "b"]
          .filter((l) => existsSync(join(dir, `status.${l}`)))
          .map((l) => [l, Number(readFileSync(join(dir, `status.${l}`), "utf8").trim())]),
      ),
    };
  }

  /** The first load balancer of a variant, with its deployment. */
  function firstNode(variant: AwsVariant): { node: AwsDeployedHost; deployment: AwsDeployment } {
    const deployment = deployAwsVariant(variant);
    return { node: loadBalancers(deployment.hosts)[0] as AwsDeployedHost, deployment };
  }

  /** Runs a node's mover as keepalived's notify_master_rx_lower_pri (or ha-notify.sh) runs it. */
  function runMover(
    node: AwsDeployedHost,
    instance: string,
    options: Omit<SandboxOptions, "files" | "command" | "localIpv4"> & {
      readonly script?: string;
      readonly command?: readonly string[];
    } = {},
  ): SandboxRun {
    return sandbox({
      ...options,
      files: {
        [moverAt(instance)]: options.script ?? fileOf(node, moverAt(instance)),
        [NOTIFY_SCRIPT]: fileOf(node, NOTIFY_SCRIPT),
      },
      command: options.command ?? [moverAt(instance), "master"],
      localIpv4: node.address,
    });
  }

  const replaceRoute = (table: string, vip: string) => [
    "aws",
    "ec2",
    "replace-route",
    "--region",
    IMDS.region,
    "--route-table-id",
    table,
    "--destination-cidr-block",
    `${vip}/32`,
    "--network-interface-id",
    IMDS.eni,
  ];
  const assignPrivateIp = (vip: string) => [
    "aws",
    "ec2",
    "assign-private-ip-addresses",
    "--region",
    IMDS.region,
    "--network-interface-id",
    IMDS.eni,
    "--private-ip-addresses",
    vip,
    "--allow-reassignment",
  ];
  const associateAddress = (allocationId: string, privateIp: string) => [
    "aws",
    "ec2",
    "associate-address",
    "--region",
    IMDS.region,
    "--allocation-id",
    allocationId,
    "--network-interface-id",
    IMDS.eni,
    "--private-ip-address",
    privateIp,
    "--allow-reassociation",
  ];

  /** The metadata paths read, checking that each read carries the token of a PUT before it. */
  function metadataReads(run: SandboxRun): string[] {
    const paths: string[] = [];
    let tokens = 0;
    for (const call of run.curl) {
      const url = call[call.length - 1] as string;
      if (url === `${IMDS_BASE}/api/token`) {
        expect(call).toEqual([
          "curl",
          "-fsS",
          "-X",
          "PUT",
          "-H",
          "X-aws-ec2-metadata-token-ttl-seconds: 60",
          "--max-time",
          "2",
          url,
        ]);
        tokens += 1;
      } else {
        expect(url.startsWith(`${IMDS_BASE}/meta-data/`)).toBe(true);
        expect(tokens).toBeGreaterThan(0);
        expect(call).toEqual(["curl", "-fsS", "-H", TOKEN_HEADER, "--max-time", "2", url]);
        paths.push(url.slice(`${IMDS_BASE}/meta-data/`.length));
      }
    }
    return paths;
  }

  const BASE_READS = ["mac", `network/interfaces/macs/${IMDS.mac}/interface-id`, "placement/region"];

  test.each([
    {
      name: "route table, existing VPC: one replace-route per route table",
      variant: ROUTE_TABLE_EXISTING,
      instance: "VI_51",
      expected: () => EXISTING_ROUTE_TABLES.map((t) => replaceRoute(t, ROUTED_VIP)),
      reads: BASE_READS,
    },
    {
      name: "route table, created VPC: replace-route in the VPC's route table",
      variant: ROUTE_TABLE,
      instance: "VI_51",
      expected: (d: AwsDeployment) => [replaceRoute(d.standIns.only(/^aws_route_table\./), ROUTED_VIP)],
      reads: BASE_READS,
    },
    {
      name: "route table, second VIP (VI_52)",
      variant: ROUTE_TABLE_TWO_VIPS,
      instance: "VI_52",
      expected: (d: AwsDeployment) => [replaceRoute(d.standIns.only(/^aws_route_table\./), EXTRA_ROUTED_VIP)],
      reads: BASE_READS,
    },
    {
      name: "secondary private IP: assign-private-ip-addresses with reassignment",
      variant: SECONDARY_FIXED,
      instance: "VI_51",
      expected: () => [assignPrivateIp(SECONDARY_VIP)],
      reads: BASE_READS,
    },
    {
      name: "Elastic IP: associate-address to this node's private address",
      variant: ELASTIC_IP,
      instance: "VI_51",
      expected: (d: AwsDeployment, node: AwsDeployedHost) => [
        associateAddress(d.standIns.only(/^aws_eip\..*\.allocation_id$/), node.address),
      ],
      reads: [...BASE_READS, "local-ipv4"],
    },
  ])("makes exactly the expected calls, with IMDSv2: $name", ({ variant, instance, expected, reads }) => {
    // GIVEN the first load balancer's mover and stubs that succeed
    const { node, deployment } = firstNode(variant);

    // WHEN the mover runs as `ha-move-<instance> master`
    const run = runMover(node, instance);

    // THEN it made exactly the expected API calls, read its interface through IMDSv2, and logged
    expect(run.status).toBe(0);
    expect(run.aws).toEqual(expected(deployment, node));
    expect(metadataReads(run)).toEqual(reads);
    expect(run.sleeps).toEqual([]);
    expect(run.stderr).toMatch(new RegExp(`ha-move-${instance}: claiming the address \\(master\\)`));
    expect(run.stderr).toMatch(new RegExp(`ha-move-${instance}: address now on ${IMDS.eni}`));
    expect(run.logger).toContainEqual(`-t ha-move-${instance} -- address now on ${IMDS.eni}`);
  });

  test("moves the address when ha-notify.sh reports MASTER, and not on BACKUP", () => {
    // GIVEN the secondary-IP node's notify script and mover at their real paths
    const { node } = firstNode(SECONDARY_FIXED);

    // WHEN keepalived's generic notify runs for each state
    const master = runMover(node, "VI_51", {
      command: [NOTIFY_SCRIPT, "INSTANCE", "VI_51", "MASTER", "150"],
    });
    const backup = runMover(node, "VI_51", {
      command: [NOTIFY_SCRIPT, "INSTANCE", "VI_51", "BACKUP", "100"],
    });

    // THEN MASTER claims the address once, BACKUP touches neither the API nor the metadata
    expect(master.status).toBe(0);
    expect(master.aws).toEqual([assignPrivateIp(SECONDARY_VIP)]);
    expect(master.stderr).toContain("ha-notify: INSTANCE VI_51 is now MASTER (priority 150)");
    expect(backup.status).toBe(0);
    expect(backup.aws).toEqual([]);
    expect(backup.curl).toEqual([]);
  });

  test("logs the reason when keepalived runs it for a lower-priority master", () => {
    // GIVEN the Elastic-IP mover
    const { node } = firstNode(ELASTIC_IP);

    // WHEN keepalived's notify_master_rx_lower_pri runs it
    const run = runMover(node, "VI_51", { command: [moverAt("VI_51"), "rx-lower-priority"] });

    // THEN it claims the address again and says why
    expect(run.status).toBe(0);
    expect(run.aws).toHaveLength(1);
    expect(run.stderr).toContain("claiming the address (rx-lower-priority)");
  });

  test("retries a failing call with doubling delays and succeeds on the third attempt", () => {
    // GIVEN an API that fails twice, then succeeds
    const { node } = firstNode(SECONDARY_FIXED);

    // WHEN the mover runs
    const run = runMover(node, "VI_51", { awsFailures: 2 });

    // THEN three identical calls, two back-off sleeps (0.2 s, then doubled), exit 0
    expect(run.status).toBe(0);
    expect(run.aws).toEqual([1, 2, 3].map(() => assignPrivateIp(SECONDARY_VIP)));
    expect(run.sleeps).toEqual(["0.2", "0.40"]);
    const command = assignPrivateIp(SECONDARY_VIP).join(" ");
    expect(run.stderr).toContain(`attempt 1 failed: ${command}; retrying in 0.2 s`);
    expect(run.stderr).toContain(`attempt 2 failed: ${command}; retrying in 0.40 s`);
    expect(run.stderr).toMatch(/address now on eni-/);
  });

  test("fails after 6 attempts when the API always fails, and logs that it gives up", () => {
    // GIVEN an API that always fails
    const { node } = firstNode(SECONDARY_FIXED);

    // WHEN the mover runs
    const run = runMover(node, "VI_51", { awsFailures: "always" });

    // THEN six attempts with back-off, a "giving up" line, and a non-zero exit
    expect(run.status).not.toBe(0);
    expect(run.aws).toHaveLength(6);
    expect(run.sleeps).toEqual(["0.2", "0.40", "0.80", "1.60", "3.20"]);
    expect(run.stderr).toContain(`giving up after 6 attempts: ${assignPrivateIp(SECONDARY_VIP).join(" ")}\n`);
    expect(run.stderr).toContain(`FAILED to move the address to ${IMDS.eni}`);
    expect(run.logger).toContainEqual(expect.stringMatching(/giving up after 6 attempts/));
  });

  test("fails with a non-zero exit when one route table refuses, but still updates the other", () => {
    // GIVEN an API that refuses every change to the first route table
    const { node } = firstNode(ROUTE_TABLE_EXISTING);
    const [first, second] = EXISTING_ROUTE_TABLES;

    // WHEN the mover runs
    const run = runMover(node, "VI_51", { awsFailArg: first });

    // THEN six attempts on the first table, one on the second, and the failure is reported
    expect(run.status).not.toBe(0);
    expect(run.aws).toEqual([
      ...[1, 2, 3, 4, 5, 6].map(() => replaceRoute(first, ROUTED_VIP)),
      replaceRoute(second, ROUTED_VIP),
    ]);
    // the log names the table that failed
    expect(run.stderr).toContain(
      `giving up after 6 attempts: ${replaceRoute(first, ROUTED_VIP).join(" ")}\n`,
    );
    expect(run.stderr).not.toContain(`failed: ${replaceRoute(second, ROUTED_VIP).join(" ")}`);
  });

  test("retries a metadata read that times out", () => {
    // GIVEN an instance metadata service whose first read times out
    const { node } = firstNode(SECONDARY_FIXED);

    // WHEN the mover runs
    const run = runMover(node, "VI_51", { imdsFailures: 1 });

    // THEN it reads the MAC again after one back-off and moves the address
    expect(run.stderr).toContain("attempt 1 failed: imds mac; retrying in 0.2 s");
    expect(run.status).toBe(0);
    expect(metadataReads(run)).toEqual(["mac", ...BASE_READS]);
    expect(run.sleeps).toEqual(["0.2"]);
    expect(run.aws).toEqual([assignPrivateIp(SECONDARY_VIP)]);
  });

  test("fails the recorded-call check when the script passes a wrong argument", () => {
    // GIVEN a mover tampered to ask for an Elastic IP's re-association flag instead
    const { node } = firstNode(SECONDARY_FIXED);
    const script = fileOf(node, moverAt("VI_51")).replace("--allow-reassignment", "--allow-reassociation");
    expect(script).not.toContain("--allow-reassignment");

    // WHEN it runs against the stubs
    const run = runMover(node, "VI_51", { script });

    // THEN the script "succeeds", but the recorded call does not match: the assertion catches it
    expect(run.status).toBe(0);
    expect(() => expect(run.aws).toEqual([assignPrivateIp(SECONDARY_VIP)])).toThrow();
    expect(run.aws[0]?.at(-1)).toBe("--allow-reassociation");
  });

  test("fails to find its interface when the script drops the IMDSv2 token header", () => {
    // GIVEN a mover tampered to read metadata without the session token (IMDSv1 style)
    const { node } = firstNode(SECONDARY_FIXED);
    const script = fileOf(node, moverAt("VI_51")).replace('-H "X-aws-ec2-metadata-token: $token" ', "");
    expect(script).not.toContain('"X-aws-ec2-metadata-token: $token"');

    // WHEN it runs against the stub metadata service, which requires tokens as the instances do
    const run = runMover(node, "VI_51", { script });

    // THEN every read is refused (6 attempts), the API is never called, and the mover exits non-zero
    expect(run.status).not.toBe(0);
    expect(run.aws).toEqual([]);
    expect(run.sleeps).toHaveLength(5);
    expect(run.stderr).toContain("giving up after 6 attempts: imds mac\n");
    expect(run.curl.filter((c) => c.includes(TOKEN_HEADER))).toEqual([]);
    expect(run.stderr).toContain("no MAC address from the instance metadata");
  });

  /** Labels of the `aws` begin/end events, collapsed: "ab" when one run's calls all came first. */
  function order(run: SandboxRun): string {
    return run.events.map((e) => e.split(" ")[0]).join("");
  }

  test("serializes two concurrent runs with its lock", () => {
    // GIVEN the two-route-table mover and API calls that take 0.3 s each
    const { node } = firstNode(ROUTE_TABLE_EXISTING);

    // WHEN two runs start at once
    const run = runMover(node, "VI_51", { parallel: true, awsDelaySeconds: 0.3 });

    // THEN both succeed, and each run's calls are contiguous: the second waited for the first
    expect(run.parallelStatus).toEqual({ a: 0, b: 0 });
    expect(run.aws).toHaveLength(4);
    expect(order(run)).toMatch(/^(a{4}b{4}|b{4}a{4})$/);
    expect(run.events.filter((_, i) => i % 2 === 0).every((e) => e.endsWith(" begin"))).toBe(true);
  });

  test("fails the serialization check when the lock is removed", () => {
    // GIVEN the same mover without its flock
    const { node } = firstNode(ROUTE_TABLE_EXISTING);
    const script = fileOf(node, moverAt("VI_51")).replace(/^if ! flock .*$/m, ":");
    expect(script).not.toContain("flock");

    // WHEN two runs start at once
    const run = runMover(node, "VI_51", { parallel: true, awsDelaySeconds: 0.3, script });

    // THEN their calls interleave, which the check above would reject
    expect(run.parallelStatus).toEqual({ a: 0, b: 0 });
    expect(order(run)).not.toMatch(/^(a{4}b{4}|b{4}a{4})$/);
  });
});
