/**
 * Tier 2, daemon checks: the shell scripts a VIP pair deploys (the process supervisor, a bash
 * script, and keepalived's notify script, a POSIX sh script run by dash on Debian) parse in the
 * shell their shebang names, and shellcheck finds nothing in them.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tierAvailable } from "../support/tiers";
import { accepted, checkShellcheck, checkShellSyntax, clean, Scratch, shebang } from "./checkers";
import {
  deployVariant,
  fileOf,
  loadBalancers,
  NOTIFY_SCRIPT,
  SUPERVISOR_SCRIPT,
  VARIANTS,
} from "./vip-pair-variants";

const available = tierAvailable("daemon checks: shell scripts", ["bash", "sh", "shellcheck"]);

const SHELLS: Record<string, "bash" | "sh"> = { "/bin/bash": "bash", "/bin/sh": "sh" };

describe.runIf(available)("bash -n, sh -n and shellcheck", () => {
  let scratch: Scratch;
  beforeAll(() => {
    scratch = new Scratch();
  });
  afterAll(() => {
    scratch?.remove();
  });

  test.each(VARIANTS)("accepts every shell script of every host: $name", (variant) => {
    // GIVEN the variant, synthesized, and every uploaded file that starts with a shell shebang
    const hosts = deployVariant(variant);
    const scripts = hosts.flatMap((host) =>
      [...host.files].flatMap(([path, file]) => {
        const shell = SHELLS[shebang(file.content) ?? ""];
        return shell ? [{ host, path, shell, ...file }] : [];
      }),
    );
    for (const lb of loadBalancers(hosts)) {
      expect(shebang(fileOf(lb, SUPERVISOR_SCRIPT))).toBe("/bin/bash");
      expect(shebang(fileOf(lb, NOTIFY_SCRIPT))).toBe("/bin/sh");
    }

    // WHEN each is parsed by its shell and checked by shellcheck
    const verdicts = scripts.flatMap((s) => {
      const path = scratch.write(`${s.host.hostname}-${s.path}`, s.content, 0o755);
      return [checkShellSyntax(s.shell, path), checkShellcheck(path)];
    });

    // THEN all are executable, and not one check finds anything
    expect(scripts.filter((s) => !s.executable).map((s) => `${s.host.hostname}:${s.path}`)).toEqual([]);
    expect(verdicts).toEqual(verdicts.map(clean));
    expect(scripts.length).toBeGreaterThanOrEqual(2 * loadBalancers(hosts).length);
  });

  test("fails bash -n on a script with an unterminated if", () => {
    // GIVEN a bash script whose if has no fi
    const path = scratch.write("broken.bash", "#!/bin/bash\nif true; then\n  echo yes\n");

    // WHEN bash parses it
    const verdict = checkShellSyntax("bash", path);

    // THEN it is rejected
    expect(accepted(verdict)).toBe(false);
    expect(verdict.status).not.toBe(0);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/syntax error/));
  });

  test("fails sh -n on bash-only syntax", () => {
    // GIVEN a /bin/sh script using a bash array
    const path = scratch.write("bashism.sh", '#!/bin/sh\nitems=(a b)\necho "$items"\n');

    // WHEN sh (dash on Debian) parses it
    const verdict = checkShellSyntax("sh", path);

    // THEN it is rejected
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/Syntax error/i));
  });

  test("fails shellcheck on an unquoted expansion", () => {
    // GIVEN a script that parses but word-splits a variable
    const path = scratch.write("unquoted.sh", '#!/bin/sh\ndir="$1"\nrm -rf $dir/cache\n');
    expect(accepted(checkShellSyntax("sh", path))).toBe(true);

    // WHEN shellcheck checks it
    const verdict = checkShellcheck(path);

    // THEN it reports SC2086
    expect(accepted(verdict)).toBe(false);
    expect(verdict.findings).toContainEqual(expect.stringMatching(/SC2086/));
  });
});
