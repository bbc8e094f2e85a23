/** Reads a synthesized stack from its `cdk.tf.json`, and the analysis report beside it. */
import * as fs from "node:fs";
import * as path from "node:path";
import { DrillError } from "./drill-error";
import { type DrillStack, parseDockerStack } from "./stack";

/** Reads and parses a synthesized stack; its name is the folder name (`stacks/<name>/`). */
export function loadStack(stackFile: string): DrillStack {
  let text: string;
  try {
    text = fs.readFileSync(stackFile, "utf8");
  } catch (e) {
    throw new DrillError(`cannot read ${stackFile}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new DrillError(`${stackFile} is not JSON: ${(e as Error).message}`);
  }
  return parseDockerStack(doc, path.basename(path.dirname(path.resolve(stackFile))));
}
