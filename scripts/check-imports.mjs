#!/usr/bin/env node
// Fails when code loads a @cdktf/provider-* package by its root. The lint rule in biome.json
// catches static imports; this catches require() and import() calls, which it does not see.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const roots = ["lib", "test", "examples", "bench", "scripts"];
const pattern = /(?:require\s*\(|import\s*\()\s*["'](@cdktf\/provider-[a-z0-9-]+)["']\s*\)/g;
const offenders = [];

function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === "node_modules" || name === "__snapshots__") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(c|m)?[jt]s$/.test(name)) {
      const text = readFileSync(path, "utf8");
      for (const m of text.matchAll(pattern)) {
        const line = text.slice(0, m.index).split("\n").length;
        offenders.push(
          `${path}:${line}: loads ${m[1]} by its root; use a deep path such as ${m[1]}/lib/<resource>`,
        );
      }
    }
  }
}

for (const root of roots) walk(root);
if (offenders.length) {
  console.error(offenders.join("\n"));
  process.exit(1);
}
console.log(`check-imports: no provider root imports in ${roots.join(", ")}`);
