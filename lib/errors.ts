import type { IConstruct } from "constructs";

/**
 * Thrown for input a construct cannot accept, before anything is synthesized.
 *
 * The message names the construct path, the value received and what is allowed, so the
 * error points at the line of the user's code to change.
 */
export class ValidationError extends Error {
  /** Construct path (or other location) of the input that was rejected. */
  public readonly path: string;
  /** The value that was rejected. */
  public readonly value: unknown;
  /** What would have been accepted instead. */
  public readonly allowed: string;

  constructor(path: string, what: string, value: unknown, allowed: string) {
    super(`${path}: ${what} ${describeValue(value)} is not allowed; ${allowed}`);
    this.name = "ValidationError";
    this.path = path;
    this.value = value;
    this.allowed = allowed;
  }
}

/** Where an error is located: a construct, or a plain path string. */
export type ErrorLocation = IConstruct | string;

/** The construct path of a location, for error messages. */
export function locationPath(where: ErrorLocation): string {
  return typeof where === "string" ? where : where.node.path;
}

/** Throws a ValidationError at `where`. */
export function invalid(where: ErrorLocation, what: string, value: unknown, allowed: string): never {
  throw new ValidationError(locationPath(where), what, value, allowed);
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
