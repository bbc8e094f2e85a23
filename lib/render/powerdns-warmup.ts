/**
 * The warm-up script of a PowerDNS server that serves health-checked pool names: it queries every
 * pool name once as soon as the server answers, so that the server registers the names' health
 * checks and runs a first round of probes before clients ask.
 *
 * PowerDNS 4.7 registers a LUA record's checks with the query that first evaluates it, and counts
 * a check that has not run yet as down: without the warm-up, the first client query of each name
 * after every (re)start would get the name's all-unhealthy answer (every member, none, or the
 * fallback). A POSIX sh script (dash on Debian), supervised like the server: it runs for ever,
 * polls the zone's SOA every second (each `dig` bounded to one try of 1 s), queries the pool
 * names again after the server stopped answering (a restart forgets every check) and every
 * `repeatSeconds` besides (a check no query used for `lua-health-checks-expire-delay` stops).
 *
 * Called with `check`, it only asks for the zone's SOA and exits 0 when the answer holds it (not
 * merely when a REFUSED or SERVFAIL came back, as `dig`'s exit status would): the host's health
 * command.
 */
import { invalid } from "../errors";
import { assertIntegerInRange } from "../model/config-text";
import { assertDnsName, assertIpAddress } from "../model/dns-text";
import { generatedHeader, lines, shellQuote } from "./text";

export interface PowerDnsWarmup {
  /** Address the server answers on from the host itself, e.g. "127.0.0.1". */
  readonly server: string;
  /** The zone whose SOA tells that the server answers. */
  readonly zone: string;
  /** The pool names, fully qualified without a final dot, queried for A and AAAA. */
  readonly names: readonly string[];
  /** Seconds between two warm-ups while the server keeps answering. */
  readonly repeatSeconds: number;
}

const WHERE = "PowerDNS warm-up script";

/** Renders the warm-up script. Pure: the same input always gives the same text. */
export function renderPowerDnsWarmup(warmup: PowerDnsWarmup): string {
  const server = assertIpAddress(WHERE, "server", warmup.server);
  const zone = assertDnsName(WHERE, "zone", warmup.zone);
  if (warmup.names.length === 0) invalid(WHERE, "names", warmup.names, "give at least one pool name");
  const names = warmup.names.map((n) => assertDnsName(WHERE, "pool name", n));
  const repeat = assertIntegerInRange(WHERE, "repeat seconds", warmup.repeatSeconds, 1, 86_400);
  // Names and the address passed the guards above; shellQuote is the second fence.
  return lines(
    "#!/bin/sh",
    generatedHeader("#"),
    "# Queries every pool name once as soon as this PowerDNS server answers, so that it registers",
    "# their health checks and probes the members before clients ask (PowerDNS counts a check that",
    "# has not run as down). `check`: exit 0 when the server answers the zone's SOA.",
    "set -u",
    `server=${shellQuote(server)}`,
    `zone=${shellQuote(zone)}`,
    "",
    'log() { printf \'%s ha-dns-warmup: %s\\n\' "$(date -u +%FT%TZ)" "$*" >&2; }',
    "",
    "# ask NAME TYPE: one query, one try of at most 1 s; prints the answer's records.",
    'ask() { dig +short +norecurse +time=1 +tries=1 "@$server" "$1" "$2" 2>/dev/null; }',
    "",
    "# answers: the server answers the zone's SOA with the SOA record itself (dig prints its",
    "# errors, e.g. ';; communications error', on stdout: only a line without ';' is a record).",
    "answers() { ask \"$zone\" SOA | grep -q '^[^;]'; }",
    "",
    'if [ "$*" = check ]; then',
    "  answers",
    "  exit",
    "fi",
    "",
    `set -- ${names.map(shellQuote).join(" ")}`,
    "",
    "# warm: one query per pool name and address family (the record may be A, AAAA or both).",
    "warm() {",
    '  for name in "$@"; do',
    '    ask "$name" A >/dev/null',
    '    ask "$name" AAAA >/dev/null',
    "  done",
    "}",
    "",
    "warmed=no",
    "since=0",
    "while true; do",
    "  if answers; then",
    `    if [ "$warmed" = no ] || [ "$since" -ge ${repeat} ]; then`,
    '      warm "$@"',
    '      [ "$warmed" = no ] && log "queried $# pool names: their health checks are registered"',
    "      warmed=yes",
    "      since=0",
    "    fi",
    "  else",
    '    [ "$warmed" = yes ] && log "the server stopped answering; querying the pool names again once it answers"',
    "    warmed=no",
    "  fi",
    "  sleep 1",
    "  since=$((since + 1))",
    "done",
  );
}
