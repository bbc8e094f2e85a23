/** A managed database in place of the Patroni cluster (RDS Multi-AZ, Aurora), recorded for the report. */
import type { Construct } from "constructs";
import { invalid } from "../../errors";
import { assertIntegerInRange } from "../../model/config-text";
import { type ManagedDatabaseBinding, ManagedDatabaseKind } from "../../platforms/managed-database";
import type { IPlatform } from "../../platforms/platform";
import type { ITrafficPeer } from "../../platforms/traffic";
import { POSTGRES_PORT } from "./cluster-hosts";
import {
  type DatabaseImplementation,
  type ReplicatedPostgresProps,
  SELF_MANAGED_PROPS,
} from "./replicated-postgres-props";

/** What the managed database takes from its construct. */
export interface ManagedContext {
  readonly scope: Construct;
  readonly platform: IPlatform;
  readonly databaseName: string;
  readonly applicationUser: string;
  readonly trafficGroup: string;
}

export function buildManagedDatabase(
  pg: ManagedContext,
  props: ReplicatedPostgresProps,
  implementation: DatabaseImplementation,
  clients: readonly ITrafficPeer[] | undefined,
): ManagedDatabaseBinding {
  const kind = implementation.managedKind as ManagedDatabaseKind;
  const given = SELF_MANAGED_PROPS.filter((k) => props[k] !== undefined);
  if (given.length > 0) {
    invalid(
      pg.scope,
      given.join(", "),
      given,
      "these configure the self-managed cluster: a managed database sets its own replication, nodes and failover",
    );
  }
  if (!clients || clients.length === 0) {
    invalid(
      pg.scope,
      "clients",
      clients,
      "give the traffic peers that may connect to the managed database (its security group admits only them)",
    );
  }
  const o = implementation.managedOptions;
  if (o.readers !== undefined && kind !== ManagedDatabaseKind.AURORA) {
    invalid(
      pg.scope,
      "readers",
      o.readers,
      "only Aurora takes readers: a Multi-AZ instance has one standby that serves nothing, a Multi-AZ cluster two readable ones",
    );
  }
  const fixedReaders = kind === ManagedDatabaseKind.MULTI_AZ_CLUSTER ? 2 : 0;
  const readers =
    kind === ManagedDatabaseKind.AURORA
      ? assertIntegerInRange(pg.scope, "readers", o.readers ?? 1, 1, 15)
      : fixedReaders;
  const binding = pg.platform.addManagedDatabase(pg.scope, "Database", {
    kind,
    engineVersion: o.engineVersion ?? "16",
    instanceClass: o.instanceClass ?? "db.r6g.large",
    storageGiB: assertIntegerInRange(pg.scope, "storageGiB", o.storageGiB ?? 100, 20, 65_536),
    readers,
    databaseName: pg.databaseName,
    masterUsername: pg.applicationUser,
    port: POSTGRES_PORT,
    clientTrafficGroups: clients.map((c) => c.trafficGroup),
    trafficGroup: pg.trafficGroup,
    backupRetentionDays: assertIntegerInRange(
      pg.scope,
      "backupRetentionDays",
      o.backupRetentionDays ?? 7,
      1,
      35,
    ),
    deletionProtection: o.deletionProtection ?? true,
  });
  const model = pg.platform.availability;
  const id = `${pg.scope.node.path}/Database`;
  model.addManagedComponent({
    id,
    service: binding.service,
    role: "managed-database",
    topology: pg.scope.node.path,
    failureDomains: binding.failureDomains.map((d) => d.id),
    failover: binding.failover,
  });
  model.addGroup({
    id: pg.trafficGroup,
    role: "database",
    topology: pg.scope.node.path,
    members: [id],
    minimumHealthy: 1,
    mechanism: `${binding.service}: the cloud fails the writer over (its figures are the managed component's)`,
    predictions: [],
    dependsOn: [],
  });
  return binding;
}
