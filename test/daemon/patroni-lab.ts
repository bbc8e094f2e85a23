/**
 * A Patroni cluster's files rendered for namespaces of a `BridgedNamespaces` lab: on each node
 * an etcd member and a Patroni node (PostgreSQL 15), everything under one scratch directory.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import type { ReplicationMode } from "../../lib/model/replication-mode";
import { type EtcdCluster, etcdClientEndpoints, renderEtcdConfig } from "../../lib/render/etcd";
import { type PatroniConfig, renderPatroniYml } from "../../lib/render/patroni";
import { type PatroniSecretFiles, renderPatroniStartScript } from "../../lib/render/patroni-start";

export const LAB_NETWORK = "198.18.0.0/24";
export const ROUTER_ADDRESS = "198.18.0.20";

/** One node's files. */
export interface LabNode {
  readonly name: string;
  readonly address: string;
  readonly etcdConfigPath: string;
  readonly patroniYmlPath: string;
  readonly startScriptPath: string;
  readonly runtimeDir: string;
  readonly dataDir: string;
}

/** The rendered files of a three-node cluster and the secrets they read. */
export interface LabCluster {
  readonly etcd: EtcdCluster;
  readonly nodes: readonly LabNode[];
  readonly secretFiles: PatroniSecretFiles;
  /** The superuser's password, for the test's own client. */
  readonly superuserPassword: string;
}

function secret(): string {
  return randomBytes(18)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "x");
}

/** Writes every file of a cluster of `addresses` under `dir` (which must exist). */
export function renderLabCluster(
  dir: string,
  addresses: readonly string[],
  replication: ReplicationMode,
  patroniPath = "/usr/bin/patroni",
): LabCluster {
  chmodSync(dir, 0o755);
  const etcd: EtcdCluster = {
    token: "lab-pg",
    members: addresses.map((address, i) => ({ name: `etcd${i + 1}`, address })),
  };
  mkdirSync(`${dir}/secrets`, { mode: 0o700 });
  const passwords = { superuser: secret(), replication: secret(), rewind: secret() };
  const secretFiles = {
    superuser: `${dir}/secrets/superuser`,
    replication: `${dir}/secrets/replication`,
    rewind: `${dir}/secrets/rewind`,
  };
  for (const role of ["superuser", "replication", "rewind"] as const)
    writeFileSync(secretFiles[role], `${passwords[role]}\n`, { mode: 0o600 });
  const nodes = addresses.map((address, i) => {
    const name = `pg${i + 1}`;
    const nodeDir = `${dir}/${name}`;
    mkdirSync(nodeDir, { mode: 0o755 });
    const runtimeDir = `${nodeDir}/run`;
    const dataDir = `${nodeDir}/data`;
    const config: PatroniConfig = {
      scope: "lab",
      name,
      address,
      clusterSize: addresses.length,
      etcdHosts: etcdClientEndpoints(etcd),
      dataDir,
      pgpassPath: `${runtimeDir}/pgpass`,
      socketDir: `${nodeDir}/socket`,
      clusterCidrs: [LAB_NETWORK],
      clientCidrs: [`${ROUTER_ADDRESS}/32`],
      replication,
    };
    const node: LabNode = {
      name,
      address,
      etcdConfigPath: `${nodeDir}/etcd.yml`,
      patroniYmlPath: `${nodeDir}/patroni.yml`,
      startScriptPath: `${nodeDir}/start-patroni`,
      runtimeDir,
      dataDir,
    };
    writeFileSync(node.etcdConfigPath, renderEtcdConfig("lab", etcd, `etcd${i + 1}`, `${nodeDir}/etcd-data`));
    writeFileSync(node.patroniYmlPath, renderPatroniYml(`lab/${name}`, config));
    writeFileSync(
      node.startScriptPath,
      renderPatroniStartScript(`lab/${name}`, {
        configPath: node.patroniYmlPath,
        secretFiles,
        runtimeDir,
        patroniPath,
        ownedDirs: [dataDir, `${nodeDir}/socket`],
      }),
      { mode: 0o755 },
    );
    return node;
  });
  return { etcd, nodes, secretFiles, superuserPassword: passwords.superuser };
}
