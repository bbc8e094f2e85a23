/**
 * The `named.conf` PowerDNS's bind backend reads (`bind-config`): one `zone` statement per zone
 * this server answers for, each a primary zone loaded from its file.
 */
import { assertFilePath } from "../model/config-text";
import { assertDnsName } from "../model/dns-text";
import { generatedHeader, lines } from "./text";

export interface BindZoneEntry {
  /** The zone's name, e.g. "pool.example.test". */
  readonly name: string;
  /** Absolute path of its zone file on the server. */
  readonly file: string;
}

const WHERE = "PowerDNS named.conf";

/** Renders named.conf. Pure: the same input always gives the same text. */
export function renderBindNamedConf(zones: readonly BindZoneEntry[]): string {
  const entries = zones.map((z) => ({
    name: assertDnsName(WHERE, "zone name", z.name),
    file: assertFilePath(WHERE, "zone file", z.file),
  }));
  return lines(
    generatedHeader("//"),
    // Names and paths passed the guards: no '"', ';', '{' or '}' can reach the statements.
    entries.map((z) => `zone "${z.name}" { type master; file "${z.file}"; };`),
  );
}
