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
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const next = value[i + 1];
    if ((ch === "$" || ch === "%") && next === ch && value[i + 2] === "{") {
      out += `${ch}{`;
      i += 2;
    } else if ((ch === "$" || ch === "%") && next === "{") {
      const end = value.indexOf("}", i);
      throw new DrillError(
        `${where} holds a Terraform ${ch === "$" ? "interpolation" : "template directive"} ${JSON.stringify(value.slice(i, end < 0 ? i + 20 : end + 1))}, known only at deploy time; a drill needs literal values`,
      );
    } else out += ch;
  }
  return out;
}
