import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Writes generated build-context files to a folder named by their content hash, so that the
 * same content always yields the same folder (and the same TerraformAsset hash) on any machine.
 * Returns the folder and the hash.
 */
export function writeBuildContext(files: Record<string, string>): { dir: string; hash: string } {
  const digest = createHash("sha256");
  for (const name of Object.keys(files).sort()) {
    digest
      .update(name)
      .update("\0")
      .update(files[name] as string)
      .update("\0");
  }
  const hash = digest.digest("hex");
  const dir = path.join(os.tmpdir(), "cdktf-ha-topologies", "build-contexts", hash);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return { dir, hash };
}
