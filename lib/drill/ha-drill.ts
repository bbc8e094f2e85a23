/** The `ha-drill` command: the drill core's command line with the known topology drills. */
import { main as runCli } from "./core/cli";
import { TOPOLOGY_DRILLS } from "./drills";

export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, TOPOLOGY_DRILLS);
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
