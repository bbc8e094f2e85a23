/**
 * Process kill and hold: SIGKILL to a supervised process (found by its pidfile inside the host)
 * and all its descendants, with a hold file written first so that the supervisor does not start
 * it again until the fault is healed (the generated supervisor's `/run/ha/<name>.hold`).
 */
import { DrillError } from "../core/drill-error";
import type { Lab } from "../core/lab";
import { nowMs } from "../core/proc";
import type { InjectedFault } from "./fault";

export interface ProcessKillOptions {
  /** The process's pidfile inside the host (e.g. `/run/ha/haproxy.pid`). */
  readonly pidFile: string;
  /** A file whose presence keeps the supervisor from restarting it. @default - none: it may restart */
  readonly holdFile?: string;
}

/** Where the generated supervisor keeps a process's pidfile and hold file inside a host. */
export function supervisedProcess(name: string): Required<ProcessKillOptions> {
  return { pidFile: `/run/ha/${name}.pid`, holdFile: `/run/ha/${name}.hold` };
}

/** The PID a pidfile inside a host names; undefined when it is missing or not a PID. */
export async function pidFromFile(lab: Lab, hostname: string, pidFile: string): Promise<number | undefined> {
  const pid = Number((await lab.readFile(hostname, pidFile))?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** true when the process a pidfile inside a host names is running there. */
export async function processRunning(lab: Lab, hostname: string, pidFile: string): Promise<boolean> {
  const pid = await pidFromFile(lab, hostname, pidFile);
  if (pid === undefined || !lab.isRunning(hostname)) return false;
  const r = await lab.exec(hostname, ["kill", "-0", String(pid)], { allowFailure: true, timeoutMs: 3000 });
  return r.code === 0;
}

export async function killProcess(
  lab: Lab,
  hostname: string,
  options: ProcessKillOptions,
): Promise<InjectedFault & { readonly killed: number }> {
  const pid = await pidFromFile(lab, hostname, options.pidFile);
  if (pid === undefined) throw new DrillError(`no process in ${options.pidFile} on ${hostname}`);
  if (options.holdFile) await lab.writeFile(hostname, options.holdFile, "ha-drill\n");
  const atMs = nowMs();
  const killed = await lab.killProcessTree(hostname, pid);
  if (killed === 0)
    throw new DrillError(`process ${pid} of ${options.pidFile} on ${hostname} was not running`);
  const hold = options.holdFile;
  return {
    description: `SIGKILL to ${hostname}'s process tree of ${options.pidFile}${hold ? `, held down by ${hold}` : ""}`,
    atMs,
    killed,
    heal: async () => {
      if (hold) await lab.exec(hostname, ["rm", "-f", hold]);
    },
  };
}
