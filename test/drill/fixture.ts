/**
 * An example stack for drill tests (by default the VIP pair's drill variant,
 * vip-pair-docker-drill: 198.18.0.0/24, VIP 198.18.0.10, 3 demo backends), synthesized into a
 * temporary directory, with its ha-report.json beside cdk.tf.json as `npm run synth` writes it.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { EXAMPLES } from "../../examples";

export const DRILL_EXAMPLE = "vip-pair-docker-drill";

export interface SynthesizedExample {
  /** Path of cdk.tf.json. */
  readonly stackFile: string;
  /** The parsed cdk.tf.json. */
  readonly document: Record<string, unknown>;
  /** Removes the temporary directory. */
  remove(): void;
}

/** Synthesizes the example `name` (by default the VIP pair's drill variant). */
export function synthesizeDrillExample(name: string = DRILL_EXAMPLE): SynthesizedExample {
  const build = EXAMPLES[name];
  if (!build) throw new Error(`examples/index.ts has no ${name}`);
  return synthesizeStack(name, build);
}

/** Synthesizes the stack `name` that `build` adds to an app, into a temporary directory. */
export function synthesizeStack(name: string, build: (app: App) => unknown): SynthesizedExample {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ha-drill-test-"));
  const app = new App({ outdir });
  build(app);
  app.synth();
  const stackFile = path.join(outdir, "stacks", name, "cdk.tf.json");
  return {
    stackFile,
    document: JSON.parse(fs.readFileSync(stackFile, "utf8")) as Record<string, unknown>,
    remove: () => fs.rmSync(outdir, { recursive: true, force: true }),
  };
}

/** A deep copy of a synthesized document, for tests that alter it. */
export function copyOf<T>(document: T): T {
  return JSON.parse(JSON.stringify(document)) as T;
}

/** `bin/ha-drill.js` of this checkout. */
export const HA_DRILL_BIN = path.resolve(__dirname, "..", "..", "bin", "ha-drill.js");

/** Runs `ha-drill` with `args` to its end: its exit code, its stdout's lines and its stderr. */
export function runHaDrill(
  args: readonly string[],
): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HA_DRILL_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, lines: out.split("\n").filter(Boolean), stderr: err }));
  });
}
