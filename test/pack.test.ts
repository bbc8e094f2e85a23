/**
 * The package as users get it: `npm pack`, installed with its peers from the npm registry into
 * fresh projects (CommonJS and ES module, vitest 3 and 4, TypeScript 5.9 and 7), used from plain
 * JavaScript, type-checked, and snapshot-tested exactly as the README's snapshot section says.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  freshProject,
  type ModuleKind,
  mustRun,
  packTarball,
  readmeFiles,
  runIn,
  TYPESCRIPTS,
} from "./support/fresh-project";

const root = path.resolve(__dirname, "..");
// Outside the checkout: Node resolves a package missing from a project in every parent folder,
// so a project under the repository would see the repository's node_modules (its AWS provider).
const cacheDir =
  process.env.CDKTF_HA_PACK_CACHE ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "cdktf-ha-topologies", "pack");
const devDeps = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).devDependencies;
const PEERS = ["cdktf", "constructs", "@cdktf/provider-docker"].map((p) => `${p}@${devDeps[p]}`);
const run = (cmd: string, args: string[], cwd: string) => mustRun(cwd, cmd, args);
const README = fs.readFileSync(path.join(root, "README.md"), "utf8");

let work: string;
let tarball: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-ha-pack-"));
  tarball = packTarball(root, work);
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("packed package", () => {
  let project: string;

  beforeAll(() => {
    project = freshProject(cacheDir, { kind: "commonjs", vitest: "^4.1.0", peers: PEERS }, tarball);
  }, 600_000);

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
        compilerOptions: { strict: true, noEmit: true, module: "nodenext", skipLibCheck: true, types: [] },
        files: ["check.ts"],
      }),
    );

    // WHEN / THEN (mustRun throws with tsc's output on any type error)
    for (const ts of Object.keys(TYPESCRIPTS)) {
      expect(() => run(process.execPath, [`node_modules/${ts}/bin/tsc`, "-p", "."], project)).not.toThrow();
    }
  });
});

/** Every cell of the snapshot matrix: module system by vitest major. */
const MATRIX: ReadonlyArray<{ kind: ModuleKind; vitest: string }> = [
  { kind: "commonjs", vitest: "^3.2.0" },
  { kind: "commonjs", vitest: "^4.1.0" },
  { kind: "module", vitest: "^3.2.0" },
  { kind: "module", vitest: "^4.1.0" },
];

describe.each(MATRIX)(
  "the README's snapshot test in a $kind project with vitest $vitest",
  ({ kind, vitest }) => {
    const files = readmeFiles(README, "### Snapshot-testing your topology");
    const tour = readmeFiles(README, "### The VIP pair (`examples/vip-pair-docker.ts`)");
    let project: string;

    beforeAll(() => {
      project = freshProject(cacheDir, { kind, vitest, peers: PEERS }, tarball);
      for (const f of ["check.ts", "main.js", "peers.js", "register.ts"])
        fs.rmSync(path.join(project, f), { force: true });
      fs.rmSync(path.join(project, "__snapshots__"), { recursive: true, force: true });
      for (const [name, text] of Object.entries({ ...files, ...tour }))
        fs.writeFileSync(path.join(project, name), text);
    }, 600_000);

    test("the README names the config, the tsconfig and the test", () => {
      expect(Object.keys(files).sort()).toEqual(["edge.test.ts", "tsconfig.json", "vitest.config.mjs"]);
      // and the tour's first snippet, type-checked with the test below
      expect(Object.keys(tour)).toEqual(["edge.ts"]);
    });

    test("type-checks the test and the tour with TypeScript 5.9 and 7, and a misspelt matcher does not", () => {
      // GIVEN the README's files, and registerCdktfMatchers given this vitest's own expect
      fs.writeFileSync(
        path.join(project, "register.ts"),
        `import { expect } from "vitest";\nimport { registerCdktfMatchers } from "cdktf-ha-topologies/testing";\nregisterCdktfMatchers(expect);\n`,
      );
      for (const ts of Object.keys(TYPESCRIPTS)) {
        // WHEN / THEN
        expect(runIn(project, process.execPath, [`node_modules/${ts}/bin/tsc`, "-p", "."]).output).toBe("");
        const typo = files["edge.test.ts"].replace(
          "toHaveResourceWithProperties",
          "toHaveResourceWithProperty",
        );
        fs.writeFileSync(path.join(project, "edge.test.ts"), typo);
        const bad = runIn(project, process.execPath, [`node_modules/${ts}/bin/tsc`, "-p", "."]);
        fs.writeFileSync(path.join(project, "edge.test.ts"), files["edge.test.ts"]);
        expect(bad.status, bad.output).not.toBe(0);
        expect(bad.output).toContain("toHaveResourceWithProperty");
      }
    });

    test("writes the snapshot, passes on a rerun and fails when the topology changes", () => {
      const vitestBin = path.join("node_modules", "vitest", "vitest.mjs");
      const snap = path.join(project, "__snapshots__", "edge.test.ts.snap");

      // WHEN the first run
      const first = runIn(project, process.execPath, [vitestBin, "run"]);
      // THEN it passes and writes the snapshot
      expect(first.status, first.output).toBe(0);
      expect(first.output).toMatch(/1 (written|snapshot written)/i);
      expect(fs.readFileSync(snap, "utf8")).toContain("edge-lb-0");

      // WHEN a rerun
      const rerun = runIn(project, process.execPath, [vitestBin, "run"]);
      // THEN it passes against the snapshot
      expect(rerun.status, rerun.output).toBe(0);
      expect(rerun.output).toMatch(/1 passed/);

      // WHEN the topology gains a replica
      const changed = files["edge.test.ts"].replace("replicas: 3", "replicas: 4");
      expect(changed).not.toBe(files["edge.test.ts"]);
      fs.writeFileSync(path.join(project, "edge.test.ts"), changed);
      const failed = runIn(project, process.execPath, [vitestBin, "run"]);
      fs.writeFileSync(path.join(project, "edge.test.ts"), files["edge.test.ts"]);
      // THEN it fails on the snapshot
      expect(failed.status, failed.output).not.toBe(0);
      expect(failed.output).toMatch(/Snapshot .* mismatched/);
    });
  },
);
