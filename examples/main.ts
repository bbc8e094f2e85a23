import { App } from "cdktf";
import { EXAMPLES } from "./index";

/**
 * Synthesizes every example stack into `cdktf.out/stacks/<name>/`: `cdk.tf.json`, plus
 * `ha-report.json` and `ha-diagram.mmd` beside it. `cdktf synth` runs this file too (cdktf.json).
 */
const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out" });
for (const build of Object.values(EXAMPLES)) build(app);
app.synth();
for (const name of Object.keys(EXAMPLES)) console.log(`synthesized ${app.outdir}/stacks/${name}/cdk.tf.json`);
