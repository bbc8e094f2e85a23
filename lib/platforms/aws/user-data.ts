import type { IConstruct } from "constructs";
import { invalid } from "../../errors";
import { type HostFile, type HostSpec, resolveText } from "../../model/host-spec";
import { renderCloudInit } from "../../render/cloud-init";
import { renderSupervisor, SUPERVISOR_PATH } from "../../render/supervisor";
import { deferredString } from "../deferred";
import { holdsToken, terraformLiteral } from "../terraform-text";

/**
 * User data up to this size is shipped as plain text; larger user data has its files gzipped.
 * EC2 accepts 16 KiB; the margin leaves room for deploy-time values filled in by Terraform.
 */
const USER_DATA_PLAIN_LIMIT = 12 * 1024;
/** EC2's limit on user data. */
const USER_DATA_MAX = 16 * 1024;

/** A file cloud-init writes. */
interface UserDataFile {
  readonly path: string;
  readonly content: string;
  readonly executable: boolean;
  readonly mode?: string;
}

/**
 * What the platform itself runs on a host beside its spec (a metric publisher): files, the
 * packages they need and the systemd units among them to start.
 */
export interface AwsHostExtras {
  readonly files: readonly HostFile[];
  readonly packages: readonly string[];
  readonly services: readonly string[];
}

const NO_EXTRAS: AwsHostExtras = { files: [], packages: [], services: [] };

/** The files of a host: the supervisor (when it runs processes) and the spec's own files. */
function filesOf(spec: HostSpec, extras: AwsHostExtras): UserDataFile[] {
  return [
    ...(spec.processes.length
      ? [
          {
            path: SUPERVISOR_PATH,
            content: renderSupervisor({
              processes: spec.processes,
              restartDelaySeconds: 2,
              runDir: "/run/ha",
            }),
            executable: true,
          },
        ]
      : []),
    ...[...spec.files, ...extras.files].map((f) => ({
      path: f.path,
      content: resolveText(f.content),
      executable: f.executable ?? false,
      ...(f.mode !== undefined ? { mode: f.mode } : {}),
    })),
  ];
}

/** The cloud-config of a host as Terraform literal text, its files gzipped when `compress`. */
function renderUserData(
  spec: HostSpec,
  extras: AwsHostExtras,
  files: readonly UserDataFile[],
  compress: boolean,
): string {
  return terraformLiteral(
    renderCloudInit({
      packages: [...new Set([...spec.software.packages, ...extras.packages])],
      // Files with deploy-time values stay plain so that Terraform can fill them in.
      files: files.map((f) => ({ ...f, compress: compress && !holdsToken(f.content) })),
      sysctls: spec.sysctls,
      ...(spec.processes.length
        ? { supervisor: { path: SUPERVISOR_PATH, processes: spec.processes.map((p) => p.name) } }
        : {}),
      ...(spec.environment ? { environment: spec.environment } : {}),
      // The host's own health check, as Docker's HEALTHCHECK runs it on the Docker platform.
      ...(spec.healthCommand ? { healthCheck: spec.healthCommand } : {}),
      ...(extras.services.length ? { services: extras.services } : {}),
    }),
  );
}

/**
 * The user data of a host, rendered at synthesis (files and packages added to the spec after
 * the host count, and the platform's `extras`): plain cloud-config text while it is small, its files gzipped when it would
 * approach EC2's 16 KiB limit. Throws a ValidationError, naming `where`, when even that is too large.
 */
export function awsUserData(
  where: IConstruct,
  spec: HostSpec,
  extrasOf: () => AwsHostExtras = () => NO_EXTRAS,
): string {
  return deferredString(() => {
    const extras = extrasOf();
    const files = filesOf(spec, extras);
    // Plain text reads well in a plan's diff; gzip only what would approach EC2's 16 KiB limit.
    const plain = renderUserData(spec, extras, files, false);
    if (Buffer.byteLength(plain) <= USER_DATA_PLAIN_LIMIT) return plain;
    const packed = renderUserData(spec, extras, files, true);
    const bytes = Buffer.byteLength(packed);
    if (bytes > USER_DATA_MAX) {
      invalid(
        where,
        "user data size",
        bytes,
        `EC2 accepts at most ${USER_DATA_MAX} bytes even gzipped: spread the backends over more pools`,
      );
    }
    return packed;
  });
}
