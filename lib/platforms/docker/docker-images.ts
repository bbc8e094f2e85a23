import type { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { invalid } from "../../errors";
import { type HostSpec, SoftwareKind } from "../../model/host-spec";
import { renderDockerfile } from "../../render/dockerfile";
import { writeBuildContext } from "./build-context";
import { docker } from "./provider-classes";

/**
 * The images of a DockerPlatform: one built per package set from a generated Dockerfile
 * (shipped as a TerraformAsset), or the user's image pulled by reference; each made once.
 */
export class DockerImages extends Construct {
  private readonly images = new Map<string, { imageId: string }>();

  /** @internal */
  constructor(
    scope: Construct,
    id: string,
    private readonly provider: DockerProvider,
    private readonly baseImage: string,
  ) {
    super(scope, id);
  }

  /** The image for a host spec; `where` is the host, for errors. */
  public imageFor(where: IConstruct, spec: HostSpec): { imageId: string } {
    const software = spec.software;
    const key = `${software.kind}:${software.name}:${software.packages.join(",")}`;
    const cached = this.images.get(key);
    if (cached) return cached;
    for (const existing of this.images.keys()) {
      if (existing.startsWith(`${software.kind}:${software.name}:`)) {
        invalid(where, "image name", software.name, "use one package set per image name");
      }
    }
    const entry = {
      imageId:
        software.kind === SoftwareKind.IMAGE
          ? this.pulled(software.image as string)
          : this.built(software.name, software.packages),
    };
    this.images.set(key, entry);
    return entry;
  }

  private pulled(ref: string): string {
    const id = ref.replace(/[^A-Za-z0-9]+/g, "-");
    return new (docker().Image)(this, id, { provider: this.provider, name: ref, keepLocally: true }).imageId;
  }

  private built(name: string, packages: readonly string[]): string {
    const dockerfile = renderDockerfile({ baseImage: this.baseImage, packages });
    const context = writeBuildContext({ Dockerfile: dockerfile });
    const scope = new Construct(this, name);
    const asset = new TerraformAsset(scope, "BuildContext", {
      path: context.dir,
      type: AssetType.DIRECTORY,
      assetHash: context.hash,
    });
    return new (docker().Image)(scope, "Resource", {
      provider: this.provider,
      name: `cdktf-ha/${name}:${context.hash.slice(0, 12)}`,
      keepLocally: true,
      buildAttribute: { context: `\${path.module}/${asset.path}` },
      triggers: { build_context_sha256: context.hash },
    }).imageId;
  }
}
