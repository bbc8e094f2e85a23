import { AvailabilityModel, type FailurePrediction } from "../../lib/model/availability";

/** A group of a tiny model: members are component ids. */
export interface TinyGroup {
  readonly id: string;
  readonly members: string[];
  readonly minimumHealthy?: number;
  readonly dependsOn?: string[];
  readonly predictions?: FailurePrediction[];
}

/**
 * A model with one platform per entry of `platforms` (id → its failure domains), hosts placed by
 * `hosts` (component id → failure domain) and the given groups.
 */
export function tinyModel(options: {
  readonly platforms?: Record<string, string[]>;
  readonly hosts?: Record<string, string>;
  readonly groups?: TinyGroup[];
}): AvailabilityModel {
  const m = new AvailabilityModel();
  for (const [id, domains] of Object.entries(options.platforms ?? {})) {
    m.addPlatform("test", id);
    for (const d of domains) m.addFailureDomain({ id: d, kind: "zone", description: d, platform: id });
  }
  for (const [id, domain] of Object.entries(options.hosts ?? {})) {
    m.addComponent({
      id,
      hostname: id.split("/").pop() as string,
      role: "r",
      topology: "t",
      failureDomain: domain,
    });
  }
  for (const g of options.groups ?? []) {
    m.addGroup({
      id: g.id,
      members: g.members,
      minimumHealthy: g.minimumHealthy ?? 1,
      role: "r",
      topology: g.id,
      mechanism: "m",
      predictions: g.predictions ?? [],
      dependsOn: g.dependsOn ?? [],
    });
  }
  return m;
}
