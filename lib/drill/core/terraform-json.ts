/**
 * Reading values out of a synthesized `cdk.tf.json`: type checks that name the resource, and
 * Terraform's string escapes.
 */
import { DrillError } from "./drill-error";

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A Terraform block list: absent is empty, one object is a list of one. */
export function blockList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function stringArray(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new DrillError(`${what} must be a list of strings, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

export function requireString(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") {
    throw new DrillError(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The value Terraform makes of a string of the synthesized JSON: `$${` stands for a literal `${`
 * and `%%{` for `%{`. A real interpolation (`${...}`, `%{...}`) is known only at deploy time,
 * so a drill cannot use that string: it throws.
 */
export function terraformString(value: string, where: string): string {
  const decoded = decodeTerraformString(value);
  if ("text" in decoded) return decoded.text;
  const { at, kind } = decoded;
  const end = value.indexOf("}", at);
  throw new DrillError(
    `${where} holds a Terraform ${kind} ${JSON.stringify(value.slice(at, end < 0 ? at + 20 : end + 1))}, known only at deploy time; a drill needs literal values`,
  );
}

/**
 * The literal text of a string of the synthesized JSON (`$${` is `${`, `%%{` is `%{`), or where
 * its first real Terraform expression starts and what kind it is.
 */
export function decodeTerraformString(
  value: string,
):
  | { readonly text: string }
  | { readonly at: number; readonly kind: "interpolation" | "template directive" } {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const next = value[i + 1];
    if ((ch === "$" || ch === "%") && next === ch && value[i + 2] === "{") {
      out += `${ch}{`;
      i += 2;
    } else if ((ch === "$" || ch === "%") && next === "{") {
      return { at: i, kind: ch === "$" ? "interpolation" : "template directive" };
    } else out += ch;
  }
  return { text: out };
}
