/**
 * The nested blocks of a `docker_container`, read strictly: network attachments, health check,
 * uploads, tmpfs, mounts and volumes.
 */
import { isIpv4 } from "../../model/ipam";
import { EngineError } from "./engine-error";
import {
  block,
  blocks,
  durationNs,
  type Json,
  onlyKnown,
  optionalBoolean,
  optionalNumber,
  optionalString,
  reference,
  requiredString,
  stringList,
  stringMap,
} from "./json-fields";

/** One `networks_advanced` attachment. */
export interface NetworkAttachment {
  /** Key of the stack's `docker_network`. */
  readonly networkKey: string;
  readonly ipv4Address?: string;
  readonly aliases: readonly string[];
}

/** The `healthcheck` block, durations in nanoseconds as the Engine API takes them. */
export interface HealthcheckBlock {
  readonly test: readonly string[];
  readonly intervalNs: number;
  readonly timeoutNs: number;
  readonly startPeriodNs: number;
  readonly retries: number;
}

/** One `upload` block: a file put into the container before it starts. */
export interface UploadBlock {
  /** Absolute path inside the container. */
  readonly file: string;
  /** The literal content; empty for a secret, whose value the deployer generates. */
  readonly content: Buffer;
  readonly executable: boolean;
  /** `permissions`, when set: it has precedence over `executable`. */
  readonly mode?: number;
  /** Key of the `random_password` whose `result` is the content. */
  readonly secret?: string;
}

/** One `mounts` block. */
export interface MountBlock {
  readonly target: string;
  readonly type: "bind" | "volume" | "tmpfs";
  readonly source?: string;
  /** Key of the stack's `docker_volume` a volume mount's source refers to. */
  readonly volumeKey?: string;
  readonly readOnly: boolean;
  readonly tmpfsSizeBytes?: number;
  readonly tmpfsMode?: number;
}

/** One `volumes` block. */
export interface VolumeBlock {
  readonly containerPath: string;
  /** A host path or a named volume. */
  readonly source: string;
  readonly readOnly: boolean;
}

const ATTACHMENT_ATTRIBUTES = ["name", "ipv4_address", "aliases"];
const HEALTHCHECK_ATTRIBUTES = ["test", "interval", "timeout", "start_period", "retries"];
const UPLOAD_ATTRIBUTES = ["file", "content", "content_base64", "executable", "permissions"];
const MOUNT_ATTRIBUTES = ["target", "type", "source", "read_only", "tmpfs_options"];
const TMPFS_OPTIONS = ["size_bytes", "mode"];
const VOLUME_ATTRIBUTES = ["container_path", "host_path", "volume_name", "read_only"];
const FILE_PATH = /^\/(?:[A-Za-z0-9._+@-]+\/)*[A-Za-z0-9._+@-]+$/;

function absolutePath(value: unknown, where: string): string {
  const path = requiredString(value, where);
  if (!FILE_PATH.test(path) || path.split("/").some((p) => p === "." || p === "..")) {
    throw new EngineError(
      `${where}: ${JSON.stringify(path)} is not an absolute path of letters, digits and ._+@-`,
    );
  }
  return path;
}

/** Reads `networks_advanced`; network names must be references to (or names of) stack networks. */
export function parseAttachments(
  value: unknown,
  networkKeyByName: ReadonlyMap<string, string>,
  where: string,
): NetworkAttachment[] {
  return blocks(value, where).map((b, i) => {
    const at = `${where}[${i}]`;
    onlyKnown(b, ATTACHMENT_ATTRIBUTES, at);
    const ref = reference(b.name, "docker_network", ["name", "id"]);
    const networkKey = ref ? ref.key : networkKeyByName.get(requiredString(b.name, `${at}.name`));
    if (networkKey === undefined || (ref && ![...networkKeyByName.values()].includes(ref.key))) {
      throw new EngineError(`${at}.name ${JSON.stringify(b.name)} is not a docker_network of this stack`);
    }
    const ipv4Address = optionalString(b.ipv4_address, `${at}.ipv4_address`);
    if (ipv4Address !== undefined && !isIpv4(ipv4Address)) {
      throw new EngineError(`${at}.ipv4_address ${JSON.stringify(ipv4Address)} is not an IPv4 address`);
    }
    return {
      networkKey,
      ...(ipv4Address !== undefined ? { ipv4Address } : {}),
      aliases: stringList(b.aliases, `${at}.aliases`),
    };
  });
}

/** Reads `healthcheck`. */
export function parseHealthcheck(value: unknown, where: string): HealthcheckBlock | undefined {
  const b = block(value, where);
  if (!b) return undefined;
  onlyKnown(b, HEALTHCHECK_ATTRIBUTES, where);
  const test = stringList(b.test, `${where}.test`);
  if (test.length === 0) throw new EngineError(`${where}.test is required`);
  return {
    test,
    intervalNs: durationNs(b.interval, `${where}.interval`) ?? 0,
    timeoutNs: durationNs(b.timeout, `${where}.timeout`) ?? 0,
    startPeriodNs: durationNs(b.start_period, `${where}.start_period`) ?? 0,
    retries: optionalNumber(b.retries, `${where}.retries`) ?? 0,
  };
}

/** Reads `upload`; each file once, with literal content or base64 content. */
export function parseUploads(value: unknown, where: string): UploadBlock[] {
  const seen = new Set<string>();
  return blocks(value, where).map((b, i) => {
    const at = `${where}[${i}]`;
    onlyKnown(b, UPLOAD_ATTRIBUTES, at);
    const file = absolutePath(b.file, `${at}.file`);
    if (seen.has(file)) throw new EngineError(`${at}: ${file} is uploaded twice`);
    seen.add(file);
    const secret = reference(b.content, "random_password", ["result"])?.key;
    const text = secret === undefined ? optionalString(b.content, `${at}.content`) : "";
    const base64 = optionalString(b.content_base64, `${at}.content_base64`);
    if ((text === undefined) === (base64 === undefined)) {
      throw new EngineError(`${at} (${file}) needs exactly one of content and content_base64`);
    }
    const permissions = optionalString(b.permissions, `${at}.permissions`);
    if (permissions !== undefined && !/^0?[0-7]{3}$/.test(permissions)) {
      throw new EngineError(
        `${at}.permissions ${JSON.stringify(permissions)} is not an octal mode such as "0400"`,
      );
    }
    return {
      file,
      content: text !== undefined ? Buffer.from(text, "utf8") : Buffer.from(base64 as string, "base64"),
      executable: optionalBoolean(b.executable, `${at}.executable`) ?? false,
      ...(permissions !== undefined ? { mode: Number.parseInt(permissions, 8) } : {}),
      ...(secret !== undefined ? { secret } : {}),
    };
  });
}

/** Reads `tmpfs` (mount point to mount options). */
export function parseTmpfs(value: unknown, where: string): Record<string, string> {
  const map = stringMap(value, where);
  for (const path of Object.keys(map)) absolutePath(path, `${where} mount point`);
  return map;
}

/** Reads `mounts`. */
export function parseMounts(value: unknown, where: string): MountBlock[] {
  return blocks(value, where).map((b, i) => {
    const at = `${where}[${i}]`;
    onlyKnown(b, MOUNT_ATTRIBUTES, at);
    const type = requiredString(b.type, `${at}.type`);
    if (type !== "bind" && type !== "volume" && type !== "tmpfs") {
      throw new EngineError(`${at}.type ${JSON.stringify(type)}: only bind, volume and tmpfs are mapped`);
    }
    const tmpfs = block(b.tmpfs_options, `${at}.tmpfs_options`) as Json | undefined;
    if (tmpfs) onlyKnown(tmpfs, TMPFS_OPTIONS, `${at}.tmpfs_options`);
    if (tmpfs && type !== "tmpfs") throw new EngineError(`${at}: tmpfs_options on a ${type} mount`);
    const volumeKey = reference(b.source, "docker_volume", ["name"])?.key;
    const source = volumeKey === undefined ? optionalString(b.source, `${at}.source`) : volumeKey;
    if (type !== "tmpfs" && source === undefined)
      throw new EngineError(`${at}: a ${type} mount needs a source`);
    const size = tmpfs ? optionalNumber(tmpfs.size_bytes, `${at}.tmpfs_options.size_bytes`) : undefined;
    const mode = tmpfs ? optionalNumber(tmpfs.mode, `${at}.tmpfs_options.mode`) : undefined;
    return {
      target: absolutePath(b.target, `${at}.target`),
      type,
      ...(source !== undefined ? { source } : {}),
      ...(volumeKey !== undefined ? { volumeKey } : {}),
      readOnly: optionalBoolean(b.read_only, `${at}.read_only`) ?? false,
      ...(size !== undefined ? { tmpfsSizeBytes: size } : {}),
      ...(mode !== undefined ? { tmpfsMode: mode } : {}),
    };
  });
}

/** Reads `volumes`: each names a host path or a volume, not both. */
export function parseVolumes(value: unknown, where: string): VolumeBlock[] {
  return blocks(value, where).map((b, i) => {
    const at = `${where}[${i}]`;
    onlyKnown(b, VOLUME_ATTRIBUTES, at);
    const host = optionalString(b.host_path, `${at}.host_path`);
    const volume = optionalString(b.volume_name, `${at}.volume_name`);
    if ((host === undefined) === (volume === undefined)) {
      throw new EngineError(`${at} needs exactly one of host_path and volume_name`);
    }
    return {
      containerPath: absolutePath(b.container_path, `${at}.container_path`),
      source: host !== undefined ? absolutePath(host, `${at}.host_path`) : (volume as string),
      readOnly: optionalBoolean(b.read_only, `${at}.read_only`) ?? false,
    };
  });
}
