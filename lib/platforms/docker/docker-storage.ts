import type { ContainerMounts, ContainerUpload } from "@cdktf/provider-docker/lib/container";
import type { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Construct } from "constructs";
import { invalid } from "../../errors";
import type { HostSpec } from "../../model/host-spec";
import { DEFAULT_SECRET_MODE } from "../../model/host-storage";
import { needsPreparation, PREPARE_PATH, renderPrepare } from "../host-prepare";
import { terraformLiteral } from "../terraform-text";
import type { DockerSecret } from "./docker-secret";
import { docker } from "./provider-classes";

/** What a container gets for its spec's volumes and secret files. */
export interface DockerStorage {
  /** One `volume` mount per volume, of the volume made for it. */
  readonly mounts: ContainerMounts[];
  /** The secret files (content: the password's reference; a restrictive mode), and the preparation script. */
  readonly uploads: ContainerUpload[];
  /** The command runs after the preparation script, when owners are to be set. */
  readonly commandPrefix: string[];
}

/** Where the storage of a host comes from. */
export interface DockerStorageContext {
  readonly provider: DockerProvider;
  /** Names the volumes: `<namePrefix>-<hostname>-<volume>`. */
  readonly namePrefix: string;
  readonly secretOf: (where: Construct, secretId: string) => DockerSecret;
}

/**
 * Makes a `docker_volume` per volume of `spec` under `host`/Volumes (its own resource: a replaced
 * container mounts the same volume), and the container's mounts and uploads for them and for the
 * secret files. Owners are set by the preparation script, which needs the platform's supervisor
 * as the command (an image's own entry point cannot be wrapped).
 */
export function dockerStorage(host: Construct, spec: HostSpec, context: DockerStorageContext): DockerStorage {
  const volumes = spec.volumes ?? [];
  const holder = volumes.length > 0 ? new Construct(host, "Volumes") : undefined;
  const mounts = volumes.map((v): ContainerMounts => {
    const volume = new (docker().Volume)(holder as Construct, v.name, {
      provider: context.provider,
      name: `${context.namePrefix}-${spec.hostname}-${v.name}`.toLowerCase(),
    });
    return { type: "volume", source: volume.name, target: v.mountPath };
  });
  const uploads: ContainerUpload[] = (spec.secretFiles ?? []).map((f) => ({
    file: f.path,
    content: context.secretOf(host, f.secret.secretId).reference,
    permissions: f.mode ?? DEFAULT_SECRET_MODE,
  }));
  if (!needsPreparation(spec)) return { mounts, uploads, commandPrefix: [] };
  if (spec.processes.length === 0) {
    invalid(
      host,
      "owner",
      [...volumes, ...(spec.secretFiles ?? [])].filter((x) => x.owner).map((x) => x.owner),
      "owners are set before the platform's supervisor starts the host's processes: give the host processes, or leave owner unset",
    );
  }
  uploads.push({ file: PREPARE_PATH, content: terraformLiteral(renderPrepare(spec)), executable: true });
  return { mounts, uploads, commandPrefix: [PREPARE_PATH] };
}
