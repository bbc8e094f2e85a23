/**
 * The package as users get it: `npm pack`, installed with its peers into a fresh cdktf project,
 * used from plain JavaScript and from type-checked TypeScript.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const root = path.resolve(__dirname, "..");
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });

describe("packed package", () => {
  let work: string;
  let project: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-ha-pack-"));
    project = path.join(work, "project");
    fs.mkdirSync(project);
    run("npm", ["run", "build", "--silent"], root);
    const tarball = run("npm", ["pack", "--silent", "--pack-destination", work], root)
      .trim()
      .split("\n")
      .pop() as string;
    const peers = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).devDependencies;
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "fresh", private: true, version: "1.0.0" }),
    );
    run(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--loglevel=error",
        path.join(work, tarball),
        `cdktf@${peers.cdktf}`,
        `constructs@${peers.constructs}`,
        `@cdktf/provider-docker@${peers["@cdktf/provider-docker"]}`,
      ],
      project,
    );
  }, 600_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("ships dist with type declarations and no sources or tests", () => {
    // GIVEN the installed package
    const installed = path.join(project, "node_modules", "cdktf-ha-topologies");

    // WHEN
    const files = fs.readdirSync(path.join(installed, "dist"));

    // THEN
    expect(files).toContain("index.js");
    expect(files).toContain("index.d.ts");
    expect(fs.existsSync(path.join(installed, "dist", "testing", "index.js"))).toBe(true);
    expect(fs.existsSync(path.join(installed, "lib"))).toBe(false);
    expect(fs.existsSync(path.join(installed, "test"))).toBe(false);
  });

  test("synthesizes a VIP pair with its HA report from plain JavaScript", () => {
    // GIVEN a user's app
    fs.writeFileSync(
      path.join(project, "main.js"),
      `const { App, TerraformStack } = require("cdktf");
const { DockerPlatform, BackendPool, VipPair, HealthCheck } = require("cdktf-ha-topologies");
const app = new App({ outdir: "out" });
const stack = new TerraformStack(app, "edge");
const local = new DockerPlatform(stack, "local", { subnet: "172.30.0.0/24" });
const web = new BackendPool(local, "web", { replicas: 3, port: 8080, healthCheck: HealthCheck.http({ path: "/healthz" }) });
new VipPair(local, "edge", { virtualIp: "172.30.0.10", backends: web });
app.synth();
`,
    );

    // WHEN
    run("node", ["main.js"], project);

    // THEN
    const tf = JSON.parse(fs.readFileSync(path.join(project, "out/stacks/edge/cdk.tf.json"), "utf8"));
    expect(Object.keys(tf.resource.docker_container)).toHaveLength(5);
    const report = JSON.parse(fs.readFileSync(path.join(project, "out/stacks/edge/ha-report.json"), "utf8"));
    expect(report.redundancyGroups.map((g: { role: string }) => g.role).sort()).toEqual([
      "backend",
      "load-balancer",
    ]);
  });

  test("loads no provider on import, and names the missing optional peer when a platform needs it", () => {
    // GIVEN a project with the Docker provider only (see beforeAll)
    fs.writeFileSync(
      path.join(project, "peers.js"),
      `const before = Object.keys(require.cache).filter((k) => k.includes("@cdktf/provider-")).length;
const lib = require("cdktf-ha-topologies");
const after = Object.keys(require.cache).filter((k) => k.includes("@cdktf/provider-")).length;
const { App, TerraformStack } = require("cdktf");
let message = "";
try {
  new lib.AwsPlatform(new TerraformStack(new App({ outdir: "out2" }), "s"), "cloud");
} catch (e) {
  message = e.message;
}
console.log(JSON.stringify({ before, after, message }));
`,
    );

    // WHEN
    const result = JSON.parse(run("node", ["peers.js"], project));

    // THEN
    expect(result.before).toBe(0);
    expect(result.after).toBe(0);
    expect(result.message).toMatch(
      /needs the optional peer dependency @cdktf\/provider-aws \(npm install @cdktf\/provider-aws\)/,
    );
  });

  test("type-checks a TypeScript user of the main and testing entries", () => {
    // GIVEN
    fs.writeFileSync(
      path.join(project, "check.ts"),
      `import { App, TerraformStack } from "cdktf";
import { DockerPlatform, BackendPool, VipPair, Balance, type VipPairProps } from "cdktf-ha-topologies";
import { sanitizeSynth, synthWithValidations } from "cdktf-ha-topologies/testing";
const stack = new TerraformStack(new App(), "s");
const p = new DockerPlatform(stack, "p");
const props: VipPairProps = { virtualIp: "172.30.0.10", backends: new BackendPool(p, "web"), balance: Balance.leastConnections() };
new VipPair(p, "edge", props);
export const out: string = sanitizeSynth(synthWithValidations(stack));
`,
    );
    fs.writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "node16",
          moduleResolution: "node16",
          skipLibCheck: true,
          types: [],
        },
        files: ["check.ts"],
      }),
    );

    // WHEN / THEN (tsc exits non-zero, and execFileSync throws, on any type error)
    expect(() =>
      run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "."], project),
    ).not.toThrow();
  });
});
