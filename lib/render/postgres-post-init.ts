/**
 * The script Patroni runs once after it created a cluster (`bootstrap.post_init`): it makes the
 * application's role, with its password read from a secret file, and the database that role
 * owns. Patroni passes a connection string as the only argument and a pgpass file in
 * `PGPASSFILE`; the password never reaches an argument vector or the environment: psql reads
 * the file itself (a backquoted `\set`) and quotes it as a literal (`:'password'`).
 */
import type { ErrorLocation } from "../errors";
import { assertFilePath } from "../model/config-text";
import { assertRole } from "./patroni";
import { generatedHeader, lines, shellQuote } from "./text";

export interface PostgresPostInit {
  /** The application's role (LOGIN, no other privilege). */
  readonly owner: string;
  /** The database it owns. */
  readonly database: string;
  /** A secret file holding the role's password (one line). */
  readonly passwordFile: string;
  /** @default "/usr/lib/postgresql/15/bin/psql" */
  readonly psqlPath?: string;
}

/** Renders the post-init script. Pure: the same input always gives the same text. */
export function renderPostgresPostInit(where: ErrorLocation, p: PostgresPostInit): string {
  const owner = assertRole(where, "application user", p.owner);
  const database = assertRole(where, "database name", p.database);
  const file = assertFilePath(where, "application password file", p.passwordFile);
  const psql = shellQuote(
    assertFilePath(where, "psql path", p.psqlPath ?? "/usr/lib/postgresql/15/bin/psql"),
  );
  return lines(
    "#!/bin/sh",
    generatedHeader("#"),
    "set -eu",
    `if [ ! -s ${shellQuote(file)} ]; then`,
    `  echo "post-init: ${file} is missing or empty" >&2`,
    "  exit 1",
    "fi",
    "# Names are checked identifiers; format() quotes them (%I) and the password (%L) once more.",
    `exec ${psql} "$1" -X -q -v ON_ERROR_STOP=1 <<'SQL'`,
    `\\set password \`cat ${shellQuote(file)}\``,
    `SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '${owner}', :'password') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${owner}') \\gexec`,
    `SELECT format('CREATE DATABASE %I OWNER %I', '${database}', '${owner}') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${database}') \\gexec`,
    "\\unset password",
    "SQL",
  );
}
