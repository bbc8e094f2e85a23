/**
 * The POSIX sh script that starts Patroni with passwords that are in no configuration file
 * of the deployment and in no environment variable.
 *
 * Patroni 3.0 takes a directory as its configuration and merges the `.yml` files in it in name
 * order. The script, run as root, makes a runtime directory (mode 0700, owned by the PostgreSQL
 * account), copies the rendered `patroni.yml` (which names the users only) to `00-patroni.yml`,
 * writes `50-secrets.yml` (mode 0600) with each role's password read from its secret file, and
 * execs Patroni on that directory as the PostgreSQL account. The passwords then live only in
 * the secret files and under /run (a tmpfs: gone at reboot), never in Patroni's environment,
 * which `ps e` and /proc/<pid>/environ would show.
 */
import type { ErrorLocation } from "../errors";
import { assertFilePath, assertName } from "../model/config-text";
import { generatedHeader, lines, shellQuote } from "./text";

/** The secret file (its whole content the password) of each role Patroni authenticates as. */
export interface PatroniSecretFiles {
  readonly superuser: string;
  readonly replication: string;
  readonly rewind: string;
}

export interface PatroniStartScript {
  /** The rendered patroni.yml (without passwords). */
  readonly configPath: string;
  readonly secretFiles: PatroniSecretFiles;
  /** Directory Patroni reads its configuration from; keep the pgpass path inside it. @default "/run/patroni" */
  readonly runtimeDir?: string;
  /** The account Patroni and PostgreSQL run as. @default "postgres" */
  readonly runAs?: string;
  /** @default "/usr/bin/patroni" */
  readonly patroniPath?: string;
  /**
   * Directories made (or fixed) mode 0700 and owned by `runAs` before the start, e.g. the data
   * directory on a volume that is mounted owned by root, or the unix socket directory.
   * @default - none
   */
  readonly ownedDirs?: readonly string[];
}

/** The name of the file under the runtime directory that holds the passwords. */
export const PATRONI_SECRETS_FILE = "50-secrets.yml";

/** Renders the start script. Pure: the same input always gives the same text. */
export function renderPatroniStartScript(where: ErrorLocation, s: PatroniStartScript): string {
  const config = shellQuote(assertFilePath(where, "patroni.yml path", s.configPath));
  const runtime = shellQuote(assertFilePath(where, "runtime dir", s.runtimeDir ?? "/run/patroni"));
  const user = shellQuote(assertName(where, "runAs", s.runAs ?? "postgres"));
  const patroni = shellQuote(assertFilePath(where, "patroni path", s.patroniPath ?? "/usr/bin/patroni"));
  const secret = (role: keyof PatroniSecretFiles) =>
    shellQuote(assertFilePath(where, `${role} secret file`, s.secretFiles[role]));
  const owned = (s.ownedDirs ?? []).map((d) => shellQuote(assertFilePath(where, "owned dir", d)));
  return lines(
    "#!/bin/sh",
    generatedHeader("#"),
    "set -eu",
    "umask 077",
    `runtime=${runtime}`,
    "",
    "# A secret file holds one password: no control characters (a trailing newline is dropped).",
    "# It is written single-quoted, a quote doubled, so no value can leave its YAML scalar.",
    "password() {",
    '  value=$(cat -- "$1")',
    '  case "$value" in',
    "    '' | *[[:cntrl:]]*)",
    '      echo "patroni-start: $1 is empty or holds control characters" >&2',
    "      return 1",
    "      ;;",
    "  esac",
    `  printf "'%s'" "$(printf '%s' "$value" | sed "s/'/''/g")"`,
    "}",
    `superuser=$(password ${secret("superuser")})`,
    `replication=$(password ${secret("replication")})`,
    `rewind=$(password ${secret("rewind")})`,
    "",
    ...owned.map((d) => `install -d -m 0700 -o ${user} -g ${user} ${d}`),
    `install -d -m 0700 -o ${user} -g ${user} "$runtime"`,
    'rm -f -- "$runtime"/*.yml "$runtime"/*.yml.new',
    `install -m 0600 -o ${user} -g ${user} ${config} "$runtime/00-patroni.yml"`,
    `secrets="$runtime/${PATRONI_SECRETS_FILE}"`,
    "# umask 077: created 0600.",
    "{",
    "  echo 'postgresql:'",
    "  echo '  authentication:'",
    `  printf '    superuser:\\n      password: %s\\n' "$superuser"`,
    `  printf '    replication:\\n      password: %s\\n' "$replication"`,
    `  printf '    rewind:\\n      password: %s\\n' "$rewind"`,
    '} >"$secrets.new"',
    `chown ${user}:${user} "$secrets.new"`,
    'mv -f -- "$secrets.new" "$secrets"',
    "",
    `exec setpriv --reuid=${user} --regid=${user} --init-groups ${patroni} "$runtime"`,
  );
}
