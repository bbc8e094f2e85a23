/** A drill's failure with the last lines each named host printed, which usually say why. */
import * as fs from "node:fs";
import { DrillError } from "./drill-error";
import type { Lab } from "./lab";

/** Throws a DrillError of `message` followed by the last `lines` of each host's output. */
export function failWithLogs(
  lab: Lab,
  hosts: readonly { readonly hostname: string }[],
  message: string,
  lines = 15,
): never {
  const names = [...new Set(hosts.map((h) => h.hostname))];
  const logs = names.map((h) => `--- ${h} (last lines of its output)\n${lab.logTail(h, lines)}`).join("\n");
  throw new DrillError(`${message}\n${logs}`);
}

/** The last `lines` lines of a host's log file, or "(no log)" when it cannot be read. */
export function logFileTail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
