/**
 * Test helpers for topologies built with cdktf-ha-topologies: cdktf's resource matchers for
 * vitest, a snapshot sanitizer and synthesis helpers.
 *
 * ```ts
 * // vitest.setup.ts
 * import "cdktf-ha-topologies/testing/vitest";  // or: registerCdktfMatchers(expect)
 * ```
 */
import { AnnotationMetadataEntryType, type TerraformStack, Testing } from "cdktf";
import {
  getToHaveDataSourceWithProperties,
  getToHaveProviderWithProperties,
  getToHaveResourceWithProperties,
  returnMatcherToJest,
  type TerraformConstructor,
} from "cdktf/lib/testing/matchers";
import type { HaReportDocument } from "../analysis/analyze";
import { HaReport } from "../analysis/ha-report";

/** What a matcher returns to `expect.extend`. */
export interface MatcherOutcome {
  readonly pass: boolean;
  readonly message: () => string;
}

/** A matcher as `expect.extend` takes it (vitest's `RawMatcherFn`, jest's `CustomMatcher`). */
// biome-ignore lint/suspicious/noExplicitAny: matchers receive any value, as vitest declares them
export type MatcherFunction = (this: any, received: any, ...expected: any[]) => MatcherOutcome;

/** The parts of vitest's (or jest's) `expect` the matchers need; vitest's `expect` fits as is. */
export interface ExpectLike {
  extend(matchers: Record<string, MatcherFunction>): void;
  arrayContaining(items: unknown[]): { asymmetricMatch(other: unknown): boolean };
  objectContaining(obj: Record<string, unknown>): unknown;
}

/** Matchers added by `registerCdktfMatchers`. */
export interface CdktfMatchers<R = unknown> {
  toHaveResource(resource: TerraformConstructor): R;
  toHaveResourceWithProperties(resource: TerraformConstructor, properties: Record<string, unknown>): R;
  toHaveDataSource(dataSource: TerraformConstructor): R;
  toHaveDataSourceWithProperties(dataSource: TerraformConstructor, properties: Record<string, unknown>): R;
  toHaveProvider(provider: TerraformConstructor): R;
  toHaveProviderWithProperties(provider: TerraformConstructor, properties: Record<string, unknown>): R;
}

/**
 * Registers cdktf's resource matchers (`toHaveResourceWithProperties`, ...) with `expect`.
 * cdktf ships only a jest adapter; this is the same logic over the given `expect`.
 * Properties use the synthesized (snake_case) keys and match partially, nested objects included.
 */
export function registerCdktfMatchers(expect: ExpectLike): void {
  const pass = (items: unknown[], properties: Record<string, unknown>): boolean =>
    Object.keys(properties).length === 0
      ? items.length > 0
      : expect.arrayContaining([expect.objectContaining(properties)]).asymmetricMatch(items);
  const resource = getToHaveResourceWithProperties(pass);
  const dataSource = getToHaveDataSourceWithProperties(pass);
  const provider = getToHaveProviderWithProperties(pass);
  expect.extend({
    toHaveResource: (received, type: TerraformConstructor) =>
      returnMatcherToJest(resource(received as string, type, {})),
    toHaveResourceWithProperties: (received, type: TerraformConstructor, props: Record<string, unknown>) =>
      returnMatcherToJest(resource(received as string, type, props)),
    toHaveDataSource: (received, type: TerraformConstructor) =>
      returnMatcherToJest(dataSource(received as string, type, {})),
    toHaveDataSourceWithProperties: (received, type: TerraformConstructor, props: Record<string, unknown>) =>
      returnMatcherToJest(dataSource(received as string, type, props)),
    toHaveProvider: (received, type: TerraformConstructor) =>
      returnMatcherToJest(provider(received as string, type, {})),
    toHaveProviderWithProperties: (received, type: TerraformConstructor, props: Record<string, unknown>) =>
      returnMatcherToJest(provider(received as string, type, props)),
  });
}

/** Synthesizes a stack with its validations run (cdktf's `Testing.synth` skips them by default). */
export function synthWithValidations(stack: TerraformStack): string {
  return Testing.synth(stack, true);
}

/** The synthesized stack as an object. */
export function synthJson(stack: TerraformStack): SynthesizedStack {
  return JSON.parse(synthWithValidations(stack)) as SynthesizedStack;
}

/** The shape of a synthesized stack, as far as the helpers read it. */
export interface SynthesizedStack {
  // biome-ignore lint/suspicious/noExplicitAny: synthesized resources are free-form JSON
  readonly resource?: Record<string, Record<string, any>>;
  // biome-ignore lint/suspicious/noExplicitAny: synthesized data sources are free-form JSON
  readonly data?: Record<string, Record<string, any>>;
  readonly provider?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** The sorted list of resource types in a synthesized stack (JSON text or object). */
export function resourceTypes(synth: string | SynthesizedStack): string[] {
  const json = typeof synth === "string" ? (JSON.parse(synth) as SynthesizedStack) : synth;
  return Object.keys(json.resource ?? {}).sort();
}

/** Every resource of one type, by logical id. */
// biome-ignore lint/suspicious/noExplicitAny: synthesized resources are free-form JSON
export function resourcesOfType(synth: string | SynthesizedStack, type: string): Record<string, any> {
  const json = typeof synth === "string" ? (JSON.parse(synth) as SynthesizedStack) : synth;
  return json.resource?.[type] ?? {};
}

/** The HA report of a stack, as `ha-report.json` would hold it. */
export function haReport(stack: TerraformStack): HaReportDocument {
  return HaReport.of(stack).document();
}

/**
 * Makes synthesized output stable for snapshots: asset hashes, image tags derived from them,
 * temporary folders and absolute paths of this checkout become placeholders.
 */
export function sanitizeSynth(text: string, options: { readonly cwd?: string } = {}): string {
  let out = text;
  const cwd = options.cwd ?? process.cwd();
  if (cwd.length > 1) out = out.split(cwd).join("<cwd>");
  return out
    .replace(/(assets\/[A-Za-z0-9_-]+?)_[0-9A-F]{8}\/[0-9a-f]{32,64}/g, "$1/<asset-hash>")
    .replace(/\b[0-9a-f]{64}\b/g, "<sha256>")
    .replace(/(cdktf-ha\/[a-z0-9._-]+):[0-9a-f]{12}\b/g, "$1:<hash>")
    .replace(/(["'\s(])\/(?:tmp|var\/folders|private\/var)\/[^"'\s)]*/g, "$1<tmp>");
}

/** One Annotation of a synthesized stack, as cdktf's manifest records it. */
export interface StackAnnotation {
  readonly constructPath: string;
  /** "@cdktf/error", "@cdktf/warn" or "@cdktf/info". */
  readonly level: string;
  readonly message: string;
}

const ANNOTATION_LEVELS: readonly string[] = [
  AnnotationMetadataEntryType.ERROR,
  AnnotationMetadataEntryType.WARN,
  AnnotationMetadataEntryType.INFO,
];

/**
 * The Annotations of a stack once its aspects (the HA rule pack among them) have run, as
 * `cdktf synth` lists them. Errors are returned, not thrown (a full synthesis throws on them).
 */
export function synthAnnotations(stack: TerraformStack): StackAnnotation[] {
  Testing.synth(stack);
  return stack.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => ANNOTATION_LEVELS.includes(m.type))
        .map((m) => ({ constructPath: c.node.path, level: m.type, message: String(m.data) })),
    );
}
