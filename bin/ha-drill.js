#!/usr/bin/env node
// ha-drill: failover drills of a synthesized Docker stack (see lib/drill/ha-drill.ts).
require("./run-entry")("ha-drill", "drill/ha-drill");
