/** A `docker_image` resource, read strictly: an image built from a context beside the stack. */
import { isAbsolute, resolve } from "node:path";
import { EngineError } from "./engine-error";
import {
  block,
  isObject,
  type Json,
  literal,
  onlyKnown,
  optionalBoolean,
  optionalString,
  requiredString,
  stringMap,
} from "./json-fields";

/** One `docker_image` to build. */
export interface ImageResource {
  /** Resource key in `resource.docker_image`. */
  readonly key: string;
  /** The image's name (`repository:tag`). */
  readonly name: string;
  /** Absolute path of the build context. */
  readonly contextDir: string;
  /** Dockerfile inside the context. @default "Dockerfile" */
  readonly dockerfile: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** `build.network_mode`; the lab builds with the host's network (see image-builder.ts). */
  readonly networkMode?: string;
  /** Whether `destroy` keeps the image (the lab's images live in its cache either way). */
  readonly keepLocally: boolean;
  /** `triggers`: only force a rebuild in Terraform; the lab keys its cache by the context. */
  readonly triggers: Readonly<Record<string, string>>;
}

const IMAGE_ATTRIBUTES = ["//", "provider", "depends_on", "name", "build", "keep_locally", "triggers"];
const BUILD_ATTRIBUTES = ["context", "dockerfile", "build_args", "label", "network_mode"];

/** `path.module` is the folder of `cdk.tf.json`: the one reference a build context may use. */
function contextPath(raw: unknown, stackDir: string, where: string): string {
  if (typeof raw !== "string" || raw === "") throw new EngineError(`${where} is required`);
  // "${path.module}/", spelled so that it does not read as a template placeholder.
  const prefix = "\u0024{path.module}/";
  const rel = literal(raw.startsWith(prefix) ? raw.slice(prefix.length) : raw, where);
  return isAbsolute(rel) ? rel : resolve(stackDir, rel);
}

/** Reads one `docker_image`. */
export function parseImage(key: string, raw: unknown, stackDir: string): ImageResource {
  const where = `docker_image.${key}`;
  if (!isObject(raw)) throw new EngineError(`${where} is not an object`);
  onlyKnown(raw, IMAGE_ATTRIBUTES, where);
  const build = block(raw.build, `${where}.build`) as Json | undefined;
  if (!build) {
    throw new EngineError(
      `${where} has no build block: the lab has no registry to pull ${String(raw.name)} from`,
    );
  }
  onlyKnown(build, BUILD_ATTRIBUTES, `${where}.build`);
  const networkMode = optionalString(build.network_mode, `${where}.build.network_mode`);
  if (networkMode !== undefined && networkMode !== "host" && networkMode !== "default") {
    throw new EngineError(
      `${where}.build.network_mode ${JSON.stringify(networkMode)}: the lab's build daemon has no bridge, only "host" (or "default", built as "host") can reach Debian's archive`,
    );
  }
  return {
    key,
    name: requiredString(raw.name, `${where}.name`),
    contextDir: contextPath(build.context, stackDir, `${where}.build.context`),
    dockerfile: optionalString(build.dockerfile, `${where}.build.dockerfile`) ?? "Dockerfile",
    buildArgs: stringMap(build.build_args, `${where}.build.build_args`),
    labels: stringMap(build.label, `${where}.build.label`),
    ...(networkMode !== undefined ? { networkMode } : {}),
    keepLocally: optionalBoolean(raw.keep_locally, `${where}.keep_locally`) ?? false,
    triggers: stringMap(raw.triggers, `${where}.triggers`),
  };
}
