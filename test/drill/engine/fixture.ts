/**
 * The drill variant of the VIP pair example, synthesized once per test file into a temporary
 * folder, for the engine deployer's unit tests (which read it and alter copies of it).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { EXAMPLES } from "../../../examples";

export const EXAMPLE = "vip-pair-docker-drill";

/** A synthesized stack: where its `cdk.tf.json` is, its parsed document, and a way to remove it. */
export interface SynthesizedStack {
  readonly stackFile: string;
  readonly document: Record<string, unknown>;
  remove(): void;
}

export function synthesizeExample(): SynthesizedStack {
  const outdir = mkdtempSync(join(tmpdir(), "ha-engine-unit-"));
  const app = new App({ outdir });
  EXAMPLES[EXAMPLE]?.(app);
  app.synth();
  const stackFile = join(outdir, "stacks", EXAMPLE, "cdk.tf.json");
  return {
    stackFile,
    document: JSON.parse(readFileSync(stackFile, "utf8")) as Record<string, unknown>,
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** A deep copy, for a test that alters the document. */
export function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export type Json = Record<string, unknown>;

/** The object at `path` below `root` (keys and list indexes), for altering a copy. */
export function at(root: unknown, ...path: (string | number)[]): Json {
  let here = root;
  for (const step of path) here = (here as Record<string | number, unknown>)[step];
  if (typeof here !== "object" || here === null) throw new Error(`nothing at ${path.join(".")}`);
  return here as Json;
}

/** The resources of one type in a document copy, for altering. */
export function resources(document: unknown, type: string): Record<string, Json> {
  return at(document, "resource", type) as Record<string, Json>;
}

/** The first resource of a type whose key contains `part`. */
export function resourceOf(document: unknown, type: string, part: string): Json {
  const entry = Object.entries(resources(document, type)).find(([k]) => k.includes(part));
  if (!entry) throw new Error(`no ${type} with ${part} in its key`);
  return entry[1];
}
