import { generatedHeader, lines, shellQuote } from "./text";

export interface SupervisedProcess {
  /** Short name: pidfile `/run/ha/<name>.pid`. */
  readonly name: string;
  readonly command: readonly string[];
}

export interface SupervisorOptions {
  readonly processes: readonly SupervisedProcess[];
  /** Seconds to wait before restarting a process that exited. */
  readonly restartDelaySeconds: number;
  /** Directory for pidfiles. */
  readonly runDir: string;
}

/** Where the hosts' supervisor keeps pidfiles and state files (`runDir`). */
export const SUPERVISOR_RUN_DIR = "/run/ha";

/** The file that holds 1 while the supervised process `name` is not running, 0 while it runs. */
export function processDownFile(name: string): string {
  return `${SUPERVISOR_RUN_DIR}/${name}.down`;
}

/** Where hosts keep the supervisor script. */
export const SUPERVISOR_PATH = "/usr/local/sbin/ha-supervise";

/**
 * Renders the host's process supervisor, a bash script that is the container's command (and the
 * drill's): it starts every process, writes `<runDir>/<name>.pid` for each, restarts a process
 * that exits after `restartDelaySeconds` (as systemd's Restart=always would), and on SIGTERM
 * stops them all and exits. A process that dies therefore leaves the others running, so
 * keepalived's track script, not the container runtime, decides where the VIP goes. While
 * `<runDir>/<name>.hold` exists, a process that exited is not restarted (maintenance, drills).
 * `<runDir>/<name>.down` holds 0 while the process runs and 1 from the moment it exits, replaced
 * by a rename so that a reader (keepalived's `track_file`, through inotify) never sees it half
 * written: keepalived learns of an exit at once instead of at its next health poll.
 */
export function renderSupervisor(options: SupervisorOptions): string {
  const run = shellQuote(options.runDir);
  const starts = options.processes.map(
    (p) => `supervise ${shellQuote(p.name)} ${p.command.map(shellQuote).join(" ")} &`,
  );
  return lines(
    "#!/bin/bash",
    generatedHeader("#"),
    "set -u",
    `run_dir=${run}`,
    'mkdir -p "$run_dir"',
    'rm -f "$run_dir"/*.pid "$run_dir"/*.down "$run_dir"/stopping',
    "",
    "# mark NAME VALUE: <run_dir>/<name>.down := VALUE (1: not running), replaced atomically.",
    "mark() {",
    '  printf \'%s\\n\' "$2" > "$run_dir/.$1.down.tmp" && mv -f "$run_dir/.$1.down.tmp" "$run_dir/$1.down"',
    "}",
    "",
    'log() { printf \'%s ha-supervise: %s\\n\' "$(date -u +%FT%T.%3NZ)" "$*" >&2; }',
    "",
    "# supervise NAME COMMAND...: run COMMAND, restart it when it exits, until stopping.",
    "supervise() {",
    "  local name=$1",
    "  shift",
    "  trap 'exit 0' TERM",
    '  mark "$name" 1',
    '  while [ ! -e "$run_dir/stopping" ]; do',
    '    "$@" &',
    "    local child=$!",
    '    echo "$child" > "$run_dir/$name.pid"',
    '    mark "$name" 0',
    '    wait "$child"',
    "    local status=$?",
    '    mark "$name" 1',
    '    rm -f "$run_dir/$name.pid"',
    '    [ -e "$run_dir/stopping" ] && break',
    `    log "$name exited with status $status; restarting in ${options.restartDelaySeconds}s"`,
    `    sleep ${options.restartDelaySeconds}`,
    "    # An operator (or a drill) holds a process down by creating <run_dir>/<name>.hold.",
    '    while [ -e "$run_dir/$name.hold" ] && [ ! -e "$run_dir/stopping" ]; do sleep 1; done',
    "  done",
    "}",
    "",
    "stop() {",
    '  touch "$run_dir/stopping"',
    '  for pidfile in "$run_dir"/*.pid; do',
    '    [ -e "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null',
    "  done",
    "  wait",
    '  log "stopped"',
    "  exit 0",
    "}",
    "trap stop TERM INT",
    "",
    starts,
    'log "started"',
    "# wait returns when a signal arrives; loop so that only stop() ends the script.",
    "while true; do wait; sleep 1; done",
  );
}
