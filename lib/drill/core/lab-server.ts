/**
 * The VM half of a split lab (see `split-lab.ts`), run inside the VM: a namespace lab of only the
 * hosts that need the VM's kernel, its networks' bridges joined to the machine's halves by the
 * VM's network devices, served to the machine as JSON lines, and its hosts' logs copied to a
 * folder the machine shares with the VM. Standard input carries
 * `{"id","method","args"}`; standard output one reply per request, `{"id","value","running"}`
 * or `{"id","error","drill"}` (`drill`: a DrillError, the drill's own words), `running` being
 * the hosts running after the request. Nothing else is written to standard output. The lab is
 * torn down on `teardown`, when its input ends, and on SIGTERM.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { DrillError } from "./drill-error";
import { NamespaceLab } from "./namespace-lab";
import { loadStack } from "./stack-file";
import { StallMeter } from "./stall-meter";

/** Environment variable naming the VM half's configuration file. */
export const LAB_SERVER_CONFIG_ENV = "HA_LAB_SERVER_CONFIG";

/** What the machine tells the VM half, in a JSON file. */
export interface LabServerConfig {
  readonly stackFile: string;
  /** The hosts this half runs. */
  readonly hosts: readonly string[];
  /** The lab's work directory in the VM (staged files, volumes: the VM's own memory). */
  readonly workDir: string;
  /**
   * A folder shared with the machine, where the hosts' output is copied every second (the hosts
   * write it to the VM's memory: a write to a shared folder is a round trip to qemu, and a daemon
   * that logs every request, as HAProxy does, would wait on each).
   */
  readonly logDir: string;
  /** The VM's interface joined to each network's bridge, by network key. */
  readonly uplinks: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly standInPorts: Readonly<Record<string, number>>;
}

/** The lab methods the machine may call on this half, with their arguments as sent. */
export const SERVED_METHODS = [
  "startHost",
  "stopHost",
  "killHost",
  "exec",
  "readFile",
  "writeFile",
  "killProcessTree",
  "addresses",
  "setLink",
  "applyNft",
  "removeNft",
  "teardown",
  "stalls",
] as const;
export type ServedMethod = (typeof SERVED_METHODS)[number];

export interface LabRequest {
  readonly id: number;
  readonly method: ServedMethod;
  readonly args: readonly unknown[];
}

export interface LabReply {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
  readonly drill?: boolean;
  readonly running: readonly string[];
}

const LOG_COPY_MS = 1000;

/** Copies what was appended to each file of `from` since the last call to the same name in `to`. */
export class LogMirror {
  private readonly offsets = new Map<string, number>();
  private busy: Promise<void> | undefined;

  public constructor(
    private readonly from: string,
    private readonly to: string,
  ) {}

  /** One pass (a pass still under way is waited for instead of overlapped). */
  public copy(): Promise<void> {
    this.busy ??= this.pass().finally(() => {
      this.busy = undefined;
    });
    return this.busy;
  }

  private async pass(): Promise<void> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.from);
    } catch {
      return;
    }
    for (const name of names) {
      const source = path.join(this.from, name);
      const offset = this.offsets.get(name) ?? 0;
      try {
        const { size } = await fs.promises.stat(source);
        if (size <= offset) continue;
        const fd = await fs.promises.open(source, "r");
        try {
          const chunk = Buffer.alloc(size - offset);
          const { bytesRead } = await fd.read(chunk, 0, chunk.length, offset);
          await fs.promises.appendFile(path.join(this.to, name), chunk.subarray(0, bytesRead));
          this.offsets.set(name, offset + bytesRead);
        } finally {
          await fd.close();
        }
      } catch {
        // A log that went away with its host: the next pass sees what is there.
      }
    }
  }
}

function send(reply: LabReply): void {
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const configFile = argv[0] ?? process.env[LAB_SERVER_CONFIG_ENV];
  if (!configFile) {
    process.stderr.write("lab-server: give the path of its configuration\n");
    return 2;
  }
  const config = JSON.parse(fs.readFileSync(configFile, "utf8")) as LabServerConfig;
  const stack = loadStack(config.stackFile);
  fs.mkdirSync(config.workDir, { recursive: true, mode: 0o700 });
  const mine = new Set(config.hosts);
  const lab = await NamespaceLab.create(stack, {
    workDir: config.workDir,
    remoteHosts: stack.containers.map((c) => c.hostname).filter((h) => !mine.has(h)),
    clients: false,
    bridgeGateways: false,
    uplinks: new Map(Object.entries(config.uplinks)),
    secrets: new Map(Object.entries(config.secrets)),
    standInPorts: new Map(Object.entries(config.standInPorts)),
  });
  const running = () => config.hosts.filter((h) => lab.isRunning(h));
  const meter = StallMeter.start();
  const logs = new LogMirror(path.join(config.workDir, "logs"), config.logDir);
  const timer = setInterval(() => void logs.copy(), LOG_COPY_MS);
  let ended = false;
  const end = async () => {
    if (ended) return [];
    ended = true;
    clearInterval(timer);
    await meter.stop();
    await logs.copy();
    return lab.teardown();
  };
  process.on("SIGTERM", () => void end().then(() => process.exit(0)));
  send({ id: 0, value: "ready", running: running() });
  const served = new Set<string>(SERVED_METHODS);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as LabRequest;
    // Each request is served as it comes: the machine's half sends several at once (hosts of
    // one tier start together), and each answers when it is done.
    void (async () => {
      try {
        if (!served.has(req.method)) throw new DrillError(`the VM's lab serves no ${req.method}`);
        const value =
          req.method === "teardown"
            ? await end()
            : req.method === "stalls"
              ? await meter.read()
              : await (lab[req.method] as (...a: unknown[]) => Promise<unknown>).apply(lab, [...req.args]);
        send({ id: req.id, value: value ?? null, running: running() });
      } catch (e) {
        send({
          id: req.id,
          error: (e as Error).message,
          drill: e instanceof DrillError,
          running: running(),
        });
      }
    })();
  }
  await end();
  return 0;
}
