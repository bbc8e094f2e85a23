/**
 * The daemons' own configuration checkers, with a verdict that does not trust the exit status
 * alone: a checker that exits 0 while printing a warning (keepalived does for a missing config
 * file, HAProxy for every warning without -dW) counts as a rejection.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CommandResult, type NetworkNamespace, runCommand } from "../support/netns";

/** A checker's verdict on one file. */
export interface Verdict {
  /** The command that checked. */
  readonly command: string;
  /** Exit status (null: killed by a signal). */
  readonly status: number | null;
  /** Output lines that count as findings: errors and warnings. */
  readonly findings: readonly string[];
}

/** Accepted: exit status 0 and no finding. */
export function accepted(verdict: Verdict): boolean {
  return verdict.status === 0 && verdict.findings.length === 0;
}

/** The verdict of a clean check, for `expect(verdict).toEqual(clean(verdict))`: shows findings on failure. */
export function clean(verdict: Verdict): Verdict {
  return { command: verdict.command, status: 0, findings: [] };
}

/** A scratch directory for files under check; `remove()` deletes it. */
export class Scratch {
  public readonly dir = mkdtempSync(join(tmpdir(), "hat-daemon-"));
  private count = 0;

  /** Writes `content` to a new file named after `name` and returns its path. */
  public write(name: string, content: string, mode = 0o644): string {
    this.count += 1;
    const path = join(this.dir, `${this.count}-${name.replace(/[^A-Za-z0-9_.-]/g, "_")}`);
    writeFileSync(path, content, { mode });
    return path;
  }

  public remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * `keepalived --config-test --use-file=<path>` inside `ns`, where the configured interface exists.
 * keepalived 2.2.7 prints nothing and exits 0 for a good file, and exits 5
 * (KEEPALIVED_EXIT_CONFIG_TEST) after any config error or warning it reports. Without
 * `--use-file` it checks /etc/keepalived/keepalived.conf instead, and for a file that does not
 * exist it prints "Config files missing" and exits 0: every output line is therefore a finding.
 */
export function checkKeepalived(ns: NetworkNamespace, path: string): Verdict {
  const r = ns.exec("keepalived", ["--config-test", `--use-file=${path}`]);
  return { command: r.command, status: r.status, findings: r.lines };
}

/**
 * `haproxy -c -dW -f <path>` inside `ns`: -dW makes every warning fatal (HAProxy 2.6 otherwise
 * prints "Warnings were found." and exits 0). Every `[WARNING]`/`[ALERT]` line is a finding, as
 * is a missing "Configuration file is valid". `ns` should have loopback only: the checker
 * resolves server names while parsing, and a name must not leave the machine (it then fails).
 */
export function checkHaproxy(ns: NetworkNamespace, path: string): Verdict {
  const r = ns.exec("haproxy", ["-c", "-dW", "-f", path]);
  const findings = r.lines.filter((l) => l !== "Configuration file is valid" && !l.startsWith("[NOTICE]"));
  if (r.status === 0 && !r.lines.includes("Configuration file is valid")) {
    findings.push('missing "Configuration file is valid"');
  }
  return { command: r.command, status: r.status, findings };
}

/**
 * `bird -p -c <path>`: BIRD 2 parses the file and exits (0 for a good file, 1 with
 * "bird: <file>:<line>:<col> <message>" for a bad one). It prints nothing for a good file, so
 * every output line is a finding. Parsing opens no socket and touches no routing table.
 */
export function checkBird(path: string): Verdict {
  return verdictOf(runCommand("bird", ["-p", "-c", path]));
}

/** `<shell> -n <path>`: a syntax check; any output is a finding. */
export function checkShellSyntax(shell: "bash" | "sh", path: string): Verdict {
  return verdictOf(runCommand(shell, ["-n", path]));
}

/** `shellcheck --format=gcc <path>` with the default severity (style and up): any finding fails. */
export function checkShellcheck(path: string): Verdict {
  return verdictOf(runCommand("shellcheck", ["--format=gcc", path]));
}

function verdictOf(r: CommandResult): Verdict {
  return { command: r.command, status: r.status, findings: r.lines };
}

/** The interpreter a script's shebang names, e.g. "/bin/sh". */
export function shebang(script: string): string | undefined {
  return /^#!\s*(\S+)/.exec(script)?.[1];
}
