import type { IConstruct } from "constructs";
import { type ErrorLocation, invalid } from "../errors";
import { assertIntegerInRange } from "../model/config-text";
import type { HostSecret } from "../model/host-storage";

/** How a platform generates a secret. */
export interface SecretOptions {
  /**
   * Length in characters. The value holds letters and digits only, so it is safe unquoted in
   * YAML, shell words and libpq conninfo strings.
   * @default 32 - about 190 bits of entropy
   */
  readonly length?: number;
  /**
   * What the secret is for, in the cloud's description of it.
   * @default - the construct path
   */
  readonly description?: string;
}

/**
 * A secret generated at deploy time (`IPlatform.addSecret`). Its value never appears in the
 * synthesized JSON, user data or an environment variable: hosts receive it as a file
 * (`HostSpec.secretFiles`).
 */
export interface ISecret extends IConstruct, HostSecret {}

/** The default length of a generated secret. */
export const DEFAULT_SECRET_LENGTH = 32;
/** The shortest secret a platform generates. */
export const MIN_SECRET_LENGTH = 24;
/** The longest: PostgreSQL and Patroni take far longer, this bounds a file anyone may cat. */
export const MAX_SECRET_LENGTH = 128;

/** The length of a secret from its options, checked. */
export function secretLength(where: ErrorLocation, options: SecretOptions): number {
  return assertIntegerInRange(
    where,
    "secret length",
    options.length ?? DEFAULT_SECRET_LENGTH,
    MIN_SECRET_LENGTH,
    MAX_SECRET_LENGTH,
  );
}

/** A description: printable ASCII without quotes, at most 256 characters. */
export function secretDescription(where: IConstruct, options: SecretOptions): string {
  const d = options.description ?? `cdktf-ha-topologies: ${where.node.path}`;
  if (!/^[ -~]{1,256}$/.test(d) || /["\\$%]/.test(d)) {
    invalid(
      where,
      "secret description",
      d,
      "use 1-256 printable ASCII characters without quotes, '\\', '$' or '%'",
    );
  }
  return d;
}

/**
 * The secret with construct path `secretId` among those a platform made, or a ValidationError
 * naming `where`.
 */
export function ownSecret<T extends HostSecret>(
  where: ErrorLocation,
  secrets: ReadonlyMap<string, T>,
  secretId: string,
  platformPath: string,
): T {
  const own = secrets.get(secretId);
  if (own === undefined)
    invalid(where, "secret", secretId, `use a secret made by ${platformPath}.addSecret()`);
  return own;
}
