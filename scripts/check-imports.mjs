#!/usr/bin/env node
// Enforces the layer table of DESIGN.md: who may import whom inside lib/, which packages each
// layer may use, and that no code loads a @cdktf/provider-* package by its root (that costs
// seconds and hundreds of MB). biome's rule catches static root imports; this also sees
// require() and import() calls, and the layers.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** Layers each layer may import (besides itself). */
const ALLOWED = {
  errors: [],
  model: ["errors"],
  render: ["model", "errors"],
  analysis: ["model", "errors"],
  platforms: ["model", "render", "analysis", "errors"],
  "platforms/docker": ["platforms", "model", "render", "analysis", "errors"],
  "platforms/aws": ["platforms", "model", "render", "analysis", "errors"],
  parts: ["platforms", "model", "render", "errors"],
  topology: ["parts", "platforms", "model", "render", "errors"],
  testing: ["analysis", "model", "errors"],
  drill: ["model"],
  index: ["*"],
};
/** npm packages a layer may not use at all (node: built-ins are always allowed). */
const FORBIDDEN_PACKAGES = {
  model: /^(@cdktf\/provider-|cdktf$)/,
  render: /^(@cdktf\/|cdktf$|constructs$)/,
  analysis: /^@cdktf\/provider-/,
  platforms: /^@cdktf\/provider-/,
  parts: /^@cdktf\/provider-/,
  topology: /^@cdktf\/provider-/,
  testing: /^@cdktf\/provider-/,
  drill: /^(?!node:)/,
};

/** The layer of a file under lib/ (path relative to the repository, with "/"). */
function layerOf(file) {
  const p = file.replace(/\\/g, "/");
  if (p === "lib/index.ts") return "index";
  if (p === "lib/errors.ts") return "errors";
  const m = p.match(/^lib\/([^/]+)(?:\/([^/]+))?/);
  if (!m) return undefined;
  if (m[1] === "platforms" && (m[2] === "docker" || m[2] === "aws")) return `platforms/${m[2]}`;
  if (m[1] === "topologies")
    return m[2] === "parts" ? "parts" : m[2]?.endsWith(".ts") ? "index" : `topology:${m[2]}`;
  return m[1];
}

function allowedTo(from, to) {
  if (from === to) return true;
  const base = from.startsWith("topology:") ? "topology" : from;
  const list = ALLOWED[base] ?? [];
  return list.includes("*") || list.includes(to);
}

const roots = ["lib", "test", "examples", "bench", "scripts"];
const rootImport = /^@cdktf\/provider-[a-z0-9-]+$/;
const specifiers = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;
const offenders = [];

function check(path, text) {
  const layer = layerOf(path);
  for (const m of text.matchAll(specifiers)) {
    const spec = m[1];
    const line = text.slice(0, m.index).split("\n").length;
    const where = `${path}:${line}`;
    if (rootImport.test(spec)) {
      offenders.push(`${where}: loads ${spec} by its root; use a deep path such as ${spec}/lib/<resource>`);
    }
    if (layer === undefined) continue;
    if (spec.startsWith(".")) {
      const target = normalize(join(dirname(path), spec)).replace(/\\/g, "/");
      const to = layerOf(target.endsWith(".ts") ? target : `${target}.ts`) ?? layerOf(`${target}/index.ts`);
      if (to !== undefined && !allowedTo(layer, to)) {
        offenders.push(
          `${where}: the ${layer} layer may not import ${to} (${spec}); see the layer table in DESIGN.md`,
        );
      }
    } else {
      const forbidden = FORBIDDEN_PACKAGES[layer.startsWith("topology:") ? "topology" : layer];
      if (forbidden?.test(spec) && !spec.startsWith("node:")) {
        offenders.push(`${where}: the ${layer} layer may not use the package ${spec}; see DESIGN.md`);
      }
    }
  }
}

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
    else if (/\.(c|m)?[jt]s$/.test(name)) check(relative(".", path), readFileSync(path, "utf8"));
  }
}

for (const root of roots) walk(root);
if (offenders.length) {
  console.error(offenders.join("\n"));
  process.exit(1);
}
console.log(`check-imports: layers as in DESIGN.md, no provider root imports (${roots.join(", ")})`);
