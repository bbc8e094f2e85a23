// Runs a command's entry module: `main(argv)` resolving to the exit code. In this repository the
// TypeScript sources run through tsx, so a command never runs a stale build; from the published
// package (no lib/ sources) it runs the compiled module under dist/.
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");

/** Loads lib/<entry>.ts (or dist/<entry>.js) and runs its `main` with the command's arguments. */
module.exports = function runEntry(command, entry) {
  const source = path.join(root, "lib", `${entry}.ts`);
  const built = path.join(root, "dist", `${entry}.js`);
  let module;
  if (fs.existsSync(source)) {
    try {
      require("tsx/cjs/api").register();
      module = require(source);
    } catch (e) {
      if (!fs.existsSync(built)) throw e;
    }
  }
  if (module === undefined && fs.existsSync(built)) module = require(built);
  if (module === undefined)
    throw new Error(`${command}: neither ${built} nor ${source} exists; run npm run build`);
  module.main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
};
