#!/usr/bin/env node
// ha-lab: a synthesized Docker stack on a real Docker engine (see lib/drill/engine/lab-cli.ts).
// In this repository the TypeScript sources run through tsx, so the command never runs a stale
// build; from the published package (no lib/ sources) it runs the compiled dist/drill/engine/lab-cli.js.

const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const source = path.join(root, "lib", "drill", "engine", "lab-cli.ts");
const built = path.join(root, "dist", "drill", "engine", "lab-cli.js");

function load() {
  if (fs.existsSync(source)) {
    try {
      require("tsx/cjs/api").register();
      return require(source);
    } catch (e) {
      if (!fs.existsSync(built)) throw e;
    }
  }
  if (fs.existsSync(built)) return require(built);
  throw new Error(`ha-lab: neither ${built} nor ${source} exists; run npm run build`);
}

load()
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
