/**
 * /etc/resolv.conf as glibc's stub resolver reads it, for the DNS client's resolver mode: the
 * nameservers in order (at most three), `options timeout:N attempts:N rotate`, and how long the
 * resolver waits for each server. Search domains and ndots are not read: the client queries the
 * name it is given as a fully qualified name.
 */
import { isIP } from "node:net";

/** What a stub resolver takes from resolv.conf. */
export interface ResolvConf {
  /** Servers in the order the file names them; 127.0.0.1 when it names none, as glibc does. */
  readonly nameservers: readonly string[];
  /** Seconds to wait for the first server's answer (`timeout:`). @default 5 (glibc's; at most 30) */
  readonly timeoutSeconds: number;
  /** Rounds over the servers (`attempts:`). @default 2 (glibc's; at most 5) */
  readonly attempts: number;
  /** Each query starts with the next server (`rotate`). @default false */
  readonly rotate: boolean;
}

/** glibc's MAXNS, RES_MAXRETRANS and RES_MAXRETRY. */
const MAX_SERVERS = 3;
const MAX_TIMEOUT = 30;
const MAX_ATTEMPTS = 5;

/** Reads resolv.conf text; lines it does not know are skipped, as glibc skips them. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let timeoutSeconds = 5;
  let attempts = 2;
  let rotate = false;
  for (const raw of text.split("\n")) {
    const [keyword, ...args] = raw
      .replace(/[#;].*$/, "")
      .trim()
      .split(/\s+/);
    if (keyword === "nameserver" && args[0] !== undefined && isIP(args[0]) !== 0) {
      if (nameservers.length < MAX_SERVERS) nameservers.push(args[0]);
    } else if (keyword === "options") {
      for (const option of args) {
        const [name, value] = option.split(":");
        const n = Number(value);
        if (name === "timeout" && Number.isInteger(n) && n >= 0) timeoutSeconds = Math.min(n, MAX_TIMEOUT);
        else if (name === "attempts" && Number.isInteger(n) && n >= 0) attempts = Math.min(n, MAX_ATTEMPTS);
        else if (name === "rotate") rotate = true;
      }
    }
  }
  return {
    nameservers: nameservers.length ? nameservers : ["127.0.0.1"],
    timeoutSeconds,
    // attempts:0 would make glibc send nothing at all; the client tries at least once.
    attempts: Math.max(1, attempts),
    rotate,
  };
}

/**
 * Seconds the resolver waits for the server at each position of a round. glibc (send_dg in
 * res_send.c) computes it from the server's index, not the round: `timeout` for the first,
 * `(timeout << i) / servers` for the i-th after it, at least one second. With two servers both
 * get `timeout`; with three and the default 5 s, 5, 3 and 6 s.
 */
export function serverWaits(conf: ResolvConf): number[] {
  const n = conf.nameservers.length;
  return conf.nameservers.map((_, i) => {
    const seconds = i === 0 ? conf.timeoutSeconds : Math.floor((conf.timeoutSeconds * 2 ** i) / n);
    return Math.max(1, seconds);
  });
}

/** The longest one resolution can take when no server answers: every wait of every round. */
export function worstCaseMs(conf: ResolvConf): number {
  return serverWaits(conf).reduce((a, b) => a + b, 0) * conf.attempts * 1000;
}
