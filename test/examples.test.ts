import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import { EXAMPLES } from "../examples";
import { haReport, sanitizeSynth, synthWithValidations } from "../lib/testing";

describe("examples", () => {
  test.each(Object.keys(EXAMPLES))("%s matches its snapshot", (name) => {
    // GIVEN
    const stack = (EXAMPLES[name] as (app: App) => ReturnType<(typeof EXAMPLES)[string]>)(Testing.app());

    // WHEN
    const synth = sanitizeSynth(synthWithValidations(stack));

    // THEN
    expect(synth).not.toMatch(/[0-9a-f]{64}/);
    expect(synth).not.toContain(process.cwd());
    expect(JSON.parse(synth)).toMatchSnapshot();
    expect(haReport(stack)).toMatchSnapshot();
  });

  test("npm run synth writes cdk.tf.json, ha-report.json and the diagram for every example", () => {
    // GIVEN an app like examples/main.ts, writing to a temporary folder
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-ha-examples-"));
    try {
      const app = new App({ outdir });
      for (const build of Object.values(EXAMPLES)) build(app);

      // WHEN
      app.synth();

      // THEN
      const images: Record<string, number> = {
        "vip-pair-docker": 2,
        "vip-pair-docker-drill": 2,
        // demo backend, HAProxy node, PowerDNS server
        "dns-pool-docker": 3,
        "dns-pool-docker-drill": 3,
      };
      for (const [name, imageCount] of Object.entries(images)) {
        const dir = path.join(outdir, "stacks", name);
        const tf = JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
        expect(Object.keys(tf.resource).sort()).toEqual([
          "docker_container",
          "docker_image",
          "docker_network",
        ]);
        const report = JSON.parse(fs.readFileSync(path.join(dir, "ha-report.json"), "utf8"));
        expect(report.stack).toBe(name);
        expect(report.singlePointsOfFailure.map((s: { id: string }) => s.id)).toEqual(["docker-host:local"]);
        expect(report.healthCheckedNames).toHaveLength(name.startsWith("dns-pool") ? 1 : 0);
        expect(fs.readFileSync(path.join(dir, "ha-diagram.mmd"), "utf8")).toMatch(/^flowchart TB\n/);
        // the image build contexts travel with the stack
        const assets = fs.readdirSync(path.join(dir, "assets"));
        expect(assets).toHaveLength(imageCount);
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
