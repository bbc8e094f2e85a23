#!/usr/bin/env node
// ha-drill: failover drills of a synthesized Docker stack (see lib/drill/ha-drill.ts).
// In this repository the TypeScript sources run through tsx, so the command never runs a stale
// build; from the published package (no lib/ sources) it runs the compiled dist/drill/ha-drill.js.

const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const source = path.join(root, "lib", "drill", "ha-drill.ts");
const built = path.join(root, "dist", "drill", "ha-drill.js");

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
  throw new Error(`ha-drill: neither ${built} nor ${source} exists; run npm run build`);
}

load()
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
