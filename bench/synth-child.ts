/**
 * One synth measurement in a fresh process (run by run.ts, one process per measurement):
 * builds one topology at one size, with the library or with plain cdktf, synthesizes it to a
 * temporary folder and prints construct time, synth time, peak memory and output size.
 *
 *   node --import tsx bench/synth-child.ts '<SynthRequest as JSON>'
 *
 * It runs synchronously from the module's top level, as a user's `main.ts` does: cdktf captures
 * the whole call stack for every token it makes, so the depth the constructs are built at is part
 * of what synthesis costs, and both variants must start from the same depth.
 */
import * as fs from "node:fs";
import { Session } from "node:inspector";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import {
  currentRssMB,
  directoryBytes,
  loadLibrary,
  peakRssMB,
  RESULT_MARKER,
  STACK_NAME,
  type SynthRequest,
  type SynthResult,
} from "./common";
import { PLATFORMS, type PlainBaseline, TOPOLOGIES } from "./scenarios";

/** Posts an inspector command; in-process sessions answer before `post` returns. */
function post(session: Session, method: string, params?: object): unknown {
  let answered = false;
  let result: unknown;
  let failure: Error | null = null;
  session.post(method, params, (err: Error | null, value?: unknown) => {
    answered = true;
    failure = err;
    result = value;
  });
  if (!answered) throw new Error(`inspector: ${method} did not answer synchronously`);
  if (failure) throw failure;
  return result;
}

// The two phases are functions of their own so that a CPU profile can tell them apart
// (bench/profile.ts looks for these names on the stack).

function constructPhase(outdir: string, build: (stack: TerraformStack) => void): App {
  const app = new App({ outdir });
  build(new TerraformStack(app, STACK_NAME));
  return app;
}

function synthPhase(app: App): void {
  app.synth();
}

function measure(request: SynthRequest): SynthResult {
  const platform = PLATFORMS[request.platform];
  const topology = TOPOLOGIES[request.topology];
  if (!platform || !topology) throw new Error(`unknown scenario ${request.platform}/${request.topology}`);
  const loadBaseline = platform.plain[request.topology];
  const needsBaseline = request.variant === "plain" || request.payloadOut !== undefined;
  const baseline: PlainBaseline | undefined = needsBaseline && loadBaseline ? loadBaseline() : undefined;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-ha-bench-"));
  const outdir = path.join(work, "out");

  // Everything is loaded before the clock starts: import cost is measured on its own.
  let build: (stack: TerraformStack) => void;
  if (request.variant === "library") {
    const lib = loadLibrary(request.source);
    platform.load?.();
    // Platforms load their provider classes when the first one is created (the providers are
    // optional peer dependencies): that is import cost, so a throwaway platform, never
    // synthesized, pays it here. bench/import-cost.ts measures it as "+ first <Platform>".
    platform.create(lib, new TerraformStack(new App({ outdir: path.join(work, "warm-up") }), STACK_NAME));
    build = (stack) => topology.build(lib, platform.create(lib, stack), request.size, platform);
  } else {
    if (!baseline || !request.payloadIn) throw new Error("the plain variant needs a baseline and a payload");
    const payload: unknown = JSON.parse(fs.readFileSync(request.payloadIn, "utf8"));
    build = (stack) => baseline.build(stack, payload, path.join(work, "contexts"));
  }
  // tsx turns node's source-map support on for this process; off, the child runs as compiled
  // JavaScript does under plain node.
  process.setSourceMapsEnabled(request.sourceMaps);
  const rssAfterImportMB = currentRssMB();

  let session: Session | undefined;
  if (request.profileOut) {
    session = new Session();
    session.connect();
    post(session, "Profiler.enable");
    post(session, "Profiler.setSamplingInterval", { interval: 250 });
    post(session, "Profiler.start");
  }

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const app = constructPhase(outdir, build);
  const t1 = performance.now();
  synthPhase(app);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const peak = peakRssMB();

  if (session && request.profileOut) {
    const { profile } = post(session, "Profiler.stop") as { profile: object };
    fs.writeFileSync(request.profileOut, JSON.stringify(profile));
    session.disconnect();
  }

  const stackDir = path.join(outdir, "stacks", STACK_NAME);
  const outputFile = path.join(stackDir, "cdk.tf.json");
  const outputBytes = fs.statSync(outputFile).size;
  const doc = JSON.parse(fs.readFileSync(outputFile, "utf8")) as {
    resource?: Record<string, Record<string, unknown>>;
    data?: Record<string, Record<string, unknown>>;
    provider?: Record<string, unknown[]>;
  };
  const resources: Record<string, number> = {};
  for (const [type, byName] of Object.entries(doc.resource ?? {}))
    resources[type] = Object.keys(byName).length;
  for (const [type, byName] of Object.entries(doc.data ?? {}))
    resources[`data:${type}`] = Object.keys(byName).length;
  for (const [name, configs] of Object.entries(doc.provider ?? {}))
    resources[`provider:${name}`] = configs.length;

  if (request.payloadOut) {
    if (!baseline) throw new Error(`no plain baseline for ${request.platform}/${request.topology}`);
    fs.writeFileSync(request.payloadOut, JSON.stringify(baseline.extract(stackDir)));
  }

  const result: SynthResult = {
    constructMs: t1 - t0,
    synthMs: t2 - t1,
    totalMs: t2 - t0,
    totalCpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMB: peak,
    rssAfterImportMB,
    outputBytes,
    otherOutputBytes: directoryBytes(stackDir) - outputBytes,
    resources,
  };
  fs.rmSync(work, { recursive: true, force: true });
  return result;
}

const result = measure(JSON.parse(process.argv[2] ?? "") as SynthRequest);
process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
