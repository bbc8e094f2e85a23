/**
 * `ha-drill --vm`: the same drill run inside a virtual machine with a full Debian kernel (IPVS,
 * netem, dummy devices; see `lib/drill/vm/`), for topologies whose daemons need what this
 * machine's kernel lacks. The VM sees the machine's root read-only, so the same `ha-drill` runs
 * in it, with the package and the stack's folder shared at their own paths; what it prints comes back as it
 * prints it. Its timings come from an emulated CPU, and every run line says so.
 */
import * as path from "node:path";
import { LineBuffer } from "../vm/line-requests";
import { VirtualMachine } from "../vm/virtual-machine";

/** Set inside the VM, so that the inner ha-drill does not boot a VM again. */
export const IN_VM_ENV = "HA_DRILL_IN_VM";

/** Adds `emulatedCpu: true` to every JSON run and summary line of `text`; other lines pass as they are. */
export function markEmulated(line: string): string {
  if (!line.startsWith("{")) return line;
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    if (o.type !== "run" && o.type !== "summary") return line;
    return JSON.stringify({ ...o, emulatedCpu: true });
  } catch {
    return line;
  }
}

/** Line-buffers a stream of text chunks, passing each complete line (with its newline) to `out`. */
export function lineWriter(out: (line: string) => void): { write(chunk: string): void; end(): void } {
  const lines = new LineBuffer();
  return {
    write(chunk) {
      for (const line of lines.push(chunk)) out(`${line}\n`);
    },
    end() {
      const rest = lines.takeRest();
      if (rest) out(rest);
    },
  };
}

/**
 * Runs `argv` (ha-drill's own arguments, `--vm` already taken out) in a fresh VM and resolves to
 * its exit status. `stackFile` is made absolute, as the VM has another working directory.
 */
export async function runInVm(argv: readonly string[], stackFile: string): Promise<number> {
  const script = path.resolve(process.argv[1] ?? "");
  const inner = argv.map((a) => (a === stackFile ? path.resolve(a) : a));
  process.stderr.write("ha-drill: booting a VM with a full kernel; its timings come from an emulated CPU\n");
  // The guest has /tmp and /run of its own: the package (this ha-drill and its node_modules)
  // and the stack's folder (cdk.tf.json, ha-report.json) are shared at their own paths, wherever
  // they are.
  const packageRoot = path.resolve(path.dirname(script), "..");
  const stackDir = path.dirname(path.resolve(stackFile));
  const vm = await VirtualMachine.boot({
    hostname: "ha-drill",
    memoryMb: 2048,
    cpus: 2,
    shares: [
      { hostPath: packageRoot, guestPath: packageRoot, readOnly: true },
      ...(stackDir === packageRoot || stackDir.startsWith(`${packageRoot}/`)
        ? []
        : [{ hostPath: stackDir, guestPath: stackDir, readOnly: true }]),
    ],
  });
  try {
    const p = await vm.spawn([process.execPath, script, ...inner], {
      env: { [IN_VM_ENV]: "1" },
      cwd: packageRoot,
    });
    const stdout = lineWriter((l) =>
      process.stdout.write(markEmulated(l.replace(/\n$/, "")) + (l.endsWith("\n") ? "\n" : "")),
    );
    p.onOutput((stream, text) => (stream === "stdout" ? stdout.write(text) : process.stderr.write(text)));
    const exit = await p.exited;
    stdout.end();
    return exit.code ?? 2;
  } finally {
    await vm.shutdown();
  }
}
