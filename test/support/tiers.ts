/**
 * Gating of the test tiers that need real daemons or root.
 *
 * Locally, a tier whose daemons are missing is skipped and the reason printed. Under CI=true a
 * missing daemon is an error: CI installs every package the tiers need, so a skip there would
 * hide a broken install step.
 */
import { execFileSync } from "node:child_process";

function which(binary: string): string | undefined {
  if (binary.startsWith("/")) {
    try {
      execFileSync("test", ["-x", binary]);
      return binary;
    } catch {
      return undefined;
    }
  }
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])) {
    try {
      execFileSync("test", ["-x", `${dir}/${binary}`]);
      return `${dir}/${binary}`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Absolute path of a binary, or undefined. */
export function findBinary(binary: string): string | undefined {
  return which(binary);
}

const reported = new Set<string>();

/**
 * Whether `tier` can run: every binary is installed and, if `needsRoot`, we are root.
 * Under CI=true a missing requirement throws instead of returning false.
 */
export function tierAvailable(tier: string, binaries: readonly string[], needsRoot = false): boolean {
  const missing = binaries.filter((b) => which(b) === undefined);
  const problems = [...(missing.length ? [`missing ${missing.join(", ")}`] : [])];
  if (needsRoot && process.getuid?.() !== 0) problems.push("not running as root");
  if (problems.length === 0) return true;
  const reason = `tier "${tier}" needs ${binaries.join(", ")}${needsRoot ? " and root" : ""}: ${problems.join("; ")}`;
  if (process.env.CI === "true") {
    throw new Error(`${reason}. Under CI=true no tier may be skipped; .ci/run must install it.`);
  }
  if (!reported.has(tier)) {
    reported.add(tier);
    console.warn(`SKIPPED ${reason} (install the Debian packages, see README)`);
  }
  return false;
}

/**
 * Reports a tier that cannot run on this machine as skipped, also under CI=true: for tiers whose
 * tools no registry CI reaches can install (Terraform and a provider mirror). Returns false.
 */
export function skipTier(tier: string, reason: string): false {
  if (!reported.has(tier)) {
    reported.add(tier);
    console.warn(`SKIPPED tier "${tier}": ${reason}`);
  }
  return false;
}

/**
 * Whether `/usr/bin/python3` (what the drill clients run) imports every module (Debian packages
 * such as `python3-psycopg2`); under CI=true a missing one throws, as a missing binary does.
 */
export function pythonModulesAvailable(tier: string, modules: readonly string[]): boolean {
  const missing = modules.filter((m) => {
    try {
      execFileSync("/usr/bin/python3", ["-c", `import ${m}`], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return true;
  const reason = `tier "${tier}" needs the python3 modules ${missing.join(", ")} (Debian: ${missing.map((m) => `python3-${m}`).join(" ")})`;
  if (process.env.CI === "true")
    throw new Error(`${reason}. Under CI=true no tier may be skipped; .ci/run must install it.`);
  console.warn(`SKIPPED ${reason}`);
  return false;
}
