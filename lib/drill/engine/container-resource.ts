/** A `docker_container` resource, read strictly into what the Engine API needs. */
import {
  type HealthcheckBlock,
  type MountBlock,
  type NetworkAttachment,
  parseAttachments,
  parseHealthcheck,
  parseMounts,
  parseTmpfs,
  parseUploads,
  parseVolumes,
  type UploadBlock,
  type VolumeBlock,
} from "./container-blocks";
import { EngineError } from "./engine-error";
import {
  block,
  isObject,
  onlyKnown,
  optionalBoolean,
  optionalNumber,
  optionalString,
  reference,
  requiredString,
  stringList,
  stringMap,
} from "./json-fields";
import { labelList } from "./network-resource";

/** The image a container runs: one the stack builds, or a name the engine must already hold. */
export type ContainerImage = { readonly imageKey: string } | { readonly name: string };

/** One `docker_container`. */
export interface ContainerResource {
  readonly key: string;
  readonly name: string;
  readonly hostname?: string;
  readonly image: ContainerImage;
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  readonly sysctls: Readonly<Record<string, string>>;
  readonly env: readonly string[];
  readonly networks: readonly NetworkAttachment[];
  readonly restart: string;
  readonly maxRetryCount: number;
  readonly healthcheck?: HealthcheckBlock;
  readonly uploads: readonly UploadBlock[];
  /** Whether the container must be running after `apply` (the provider's default: true). */
  readonly mustRun: boolean;
  /** Whether creation waits until the container is healthy (`wait`; default false). */
  readonly wait: boolean;
  /** Upper bound of that wait in seconds (`wait_timeout`; default 60). */
  readonly waitTimeoutSeconds: number;
  readonly stopTimeout?: number;
  readonly stopSignal?: string;
  readonly tmpfs: Readonly<Record<string, string>>;
  readonly mounts: readonly MountBlock[];
  readonly volumes: readonly VolumeBlock[];
  readonly dns: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  readonly user?: string;
  readonly init?: boolean;
  /** Keys of the stack's containers this one is created after (`depends_on`). */
  readonly dependsOn: readonly string[];
  /** Construct path from the resource's metadata. */
  readonly constructPath?: string;
}

const CONTAINER_ATTRIBUTES = [
  "//",
  "provider",
  "depends_on",
  "name",
  "hostname",
  "image",
  "command",
  "entrypoint",
  "capabilities",
  "sysctls",
  "env",
  "networks_advanced",
  "restart",
  "max_retry_count",
  "healthcheck",
  "upload",
  "must_run",
  "wait",
  "wait_timeout",
  "stop_timeout",
  "stop_signal",
  "tmpfs",
  "mounts",
  "volumes",
  "dns",
  "labels",
  "working_dir",
  "user",
  "init",
];
const RESTART_POLICIES = ["no", "on-failure", "always", "unless-stopped"];
const CAPABILITY = /^[A-Z_]+$/;

function capabilities(value: unknown, where: string): { add: string[]; drop: string[] } {
  const b = block(value, where);
  if (!b) return { add: [], drop: [] };
  onlyKnown(b, ["add", "drop"], where);
  const norm = (list: string[]) =>
    list.map((c) => {
      const name = c.toUpperCase().replace(/^CAP_/, "");
      if (!CAPABILITY.test(name)) throw new EngineError(`${where}: ${JSON.stringify(c)} is not a capability`);
      return name;
    });
  return { add: norm(stringList(b.add, `${where}.add`)), drop: norm(stringList(b.drop, `${where}.drop`)) };
}

function imageOf(value: unknown, where: string): ContainerImage {
  const ref = reference(value, "docker_image", ["image_id", "name", "id"]);
  return ref ? { imageKey: ref.key } : { name: requiredString(value, where) };
}

/** `depends_on` entries naming containers; those naming images or networks add nothing here. */
export function dependsOnContainers(value: unknown, where: string): string[] {
  const out: string[] = [];
  for (const entry of stringList(value, where)) {
    const m = /^(docker_container|docker_image|docker_network)\.([A-Za-z0-9_-]+)$/.exec(entry);
    if (!m)
      throw new EngineError(`${where}: ${JSON.stringify(entry)} is not a docker resource of this stack`);
    if (m[1] === "docker_container") out.push(m[2] as string);
  }
  return out;
}

/** Reads one `docker_container`; `networkKeyByName` maps the stack's network names to keys. */
export function parseContainer(
  key: string,
  raw: unknown,
  networkKeyByName: ReadonlyMap<string, string>,
): ContainerResource {
  const where = `docker_container.${key}`;
  if (!isObject(raw)) throw new EngineError(`${where} is not an object`);
  onlyKnown(raw, CONTAINER_ATTRIBUTES, where);
  const restart = optionalString(raw.restart, `${where}.restart`) ?? "no";
  if (!RESTART_POLICIES.includes(restart)) {
    throw new EngineError(
      `${where}.restart ${JSON.stringify(restart)} is not one of ${RESTART_POLICIES.join(", ")}`,
    );
  }
  const caps = capabilities(raw.capabilities, `${where}.capabilities`);
  const networks = parseAttachments(raw.networks_advanced, networkKeyByName, `${where}.networks_advanced`);
  const meta = isObject(raw["//"]) && isObject(raw["//"].metadata) ? raw["//"].metadata : {};
  const optional = <T>(name: string, value: T | undefined) => (value === undefined ? {} : { [name]: value });
  return {
    key,
    name: requiredString(raw.name, `${where}.name`),
    ...optional("hostname", optionalString(raw.hostname, `${where}.hostname`)),
    image: imageOf(raw.image, `${where}.image`),
    ...optional(
      "command",
      raw.command === undefined ? undefined : stringList(raw.command, `${where}.command`),
    ),
    ...optional(
      "entrypoint",
      raw.entrypoint === undefined ? undefined : stringList(raw.entrypoint, `${where}.entrypoint`),
    ),
    capAdd: caps.add,
    capDrop: caps.drop,
    sysctls: stringMap(raw.sysctls, `${where}.sysctls`),
    env: stringList(raw.env, `${where}.env`),
    networks,
    restart,
    maxRetryCount: optionalNumber(raw.max_retry_count, `${where}.max_retry_count`) ?? 0,
    ...optional("healthcheck", parseHealthcheck(raw.healthcheck, `${where}.healthcheck`)),
    uploads: parseUploads(raw.upload, `${where}.upload`),
    mustRun: optionalBoolean(raw.must_run, `${where}.must_run`) ?? true,
    wait: optionalBoolean(raw.wait, `${where}.wait`) ?? false,
    waitTimeoutSeconds: optionalNumber(raw.wait_timeout, `${where}.wait_timeout`) ?? 60,
    ...optional("stopTimeout", optionalNumber(raw.stop_timeout, `${where}.stop_timeout`)),
    ...optional("stopSignal", optionalString(raw.stop_signal, `${where}.stop_signal`)),
    tmpfs: parseTmpfs(raw.tmpfs, `${where}.tmpfs`),
    mounts: parseMounts(raw.mounts, `${where}.mounts`),
    volumes: parseVolumes(raw.volumes, `${where}.volumes`),
    dns: stringList(raw.dns, `${where}.dns`),
    labels: labelList(raw.labels, where),
    ...optional("workingDir", optionalString(raw.working_dir, `${where}.working_dir`)),
    ...optional("user", optionalString(raw.user, `${where}.user`)),
    ...optional("init", optionalBoolean(raw.init, `${where}.init`)),
    dependsOn: dependsOnContainers(raw.depends_on, `${where}.depends_on`),
    ...optional("constructPath", typeof meta.path === "string" ? meta.path : undefined),
  } as ContainerResource;
}
