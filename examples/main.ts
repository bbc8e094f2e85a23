import { App } from "cdktf";
import { vipPairDocker } from "./vip-pair-docker";

/**
 * Synthesizes every example stack into `cdktf.out/stacks/<name>/`: `cdk.tf.json`, plus
 * `ha-report.json` and `ha-diagram.mmd` beside it.
 */
const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out" });
vipPairDocker(app);
// The same topology on addresses from 198.18.0.0/15, for failover drills in network namespaces.
vipPairDocker(app, "vip-pair-docker-drill", { subnet: "198.18.0.0/24", virtualIp: "198.18.0.10" });
app.synth();
