/**
 * Strict readers over one resource of the synthesized JSON. Every attribute must be named in the
 * reader's list of understood attributes: one it does not know fails the deployment, naming
 * it, so the deployer cannot drift silently from the Terraform provider it stands in for.
 */
import { decodeTerraformString } from "../core/terraform-json";
import { EngineError } from "./engine-error";

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Throws unless every key of `raw` is in `understood`. */
export function onlyKnown(raw: Json, understood: readonly string[], where: string): void {
  for (const key of Object.keys(raw)) {
    if (!understood.includes(key)) {
      throw new EngineError(
        `${where}: attribute "${key}" is not understood by the engine deployer (it understands ${understood.join(", ")}); map it in lib/drill/engine before deploying this stack`,
      );
    }
  }
}

/** A Terraform block given once: cdktf writes an object, or a list of one object. */
export function block(value: unknown, where: string): Json | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length !== 1 || !isObject(list[0])) {
    throw new EngineError(`${where} must be one block, got ${JSON.stringify(value)}`);
  }
  return list[0];
}

/** A repeated Terraform block: a list of objects, or one object. */
export function blocks(value: unknown, where: string): Json[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  list.forEach((b, i) => {
    if (!isObject(b)) throw new EngineError(`${where}[${i}] is not a block: ${JSON.stringify(b)}`);
  });
  return list as Json[];
}

export function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw new EngineError(`${where} must be a string, got ${JSON.stringify(value)}`);
  return literal(value, where);
}

export function requiredString(value: unknown, where: string): string {
  const s = optionalString(value, where);
  if (s === undefined || s === "") throw new EngineError(`${where} is required`);
  return s;
}

export function optionalBoolean(value: unknown, where: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean")
    throw new EngineError(`${where} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

export function optionalNumber(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new EngineError(`${where} must be a number, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new EngineError(`${where} must be a list of strings, got ${JSON.stringify(value)}`);
  }
  return value.map((v, i) => literal(v as string, `${where}[${i}]`));
}

/** A map of strings (Terraform `map(string)`); numbers and booleans become their text. */
export function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) throw new EngineError(`${where} must be a map, got ${JSON.stringify(value)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!["string", "number", "boolean"].includes(typeof v)) {
      throw new EngineError(`${where}.${k} must be a string, got ${JSON.stringify(v)}`);
    }
    out[k] = literal(String(v), `${where}.${k}`);
  }
  return out;
}

/**
 * The value Terraform makes of a literal string: `$${` is `${` and `%%{` is `%{`. A string with
 * a real interpolation is known only inside Terraform: it throws (references between the
 * stack's own resources are read with `reference` instead).
 */
export function literal(value: string, where: string): string {
  const decoded = decodeTerraformString(value);
  if ("text" in decoded) return decoded.text;
  throw new EngineError(
    `${where} holds the Terraform expression ${JSON.stringify(value.slice(decoded.at, decoded.at + 60))}, which the engine deployer cannot evaluate`,
  );
}

/** A reference `${TYPE.KEY.ATTRIBUTE}` to another resource of the stack, or undefined. */
export function reference(
  value: unknown,
  type: string,
  attributes: readonly string[],
): { key: string; attribute: string } | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^\$\{([a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(value);
  if (!m || m[1] !== type || !attributes.includes(m[3] as string)) return undefined;
  return { key: m[2] as string, attribute: m[3] as string };
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** A Go duration (`2s`, `1m30s`, `500ms`) in nanoseconds, as the Engine API takes it. */
export function durationNs(value: unknown, where: string): number | undefined {
  const text = optionalString(value, where);
  if (text === undefined) return undefined;
  if (text === "0") return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new EngineError(`${where}: ${JSON.stringify(text)} is not a duration such as 2s, 500ms or 1m30s`);
  }
  return Math.round(
    parts.reduce((ns, p) => ns + Number(p[1]) * (DURATION_UNITS[p[2] as string] as number), 0),
  );
}
