#!/usr/bin/env node
// ha-lab: a synthesized Docker stack on a real Docker engine (see lib/drill/engine/lab-cli.ts).
require("./run-entry")("ha-lab", "drill/engine/lab-cli");
