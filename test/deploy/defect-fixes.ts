/**
 * The Terraform changes that fix the defects the real engine found in the synthesized Docker
 * stacks, applied to a copy of `cdk.tf.json`. The platform and topology code is to emit the
 * same attributes; until it does, the engine tier deploys this copy to prove that they work.
 */
type Json = Record<string, unknown>;

function containers(document: Json): Record<string, Json> {
  return (document.resource as Record<string, Record<string, Json>>).docker_container as Record<string, Json>;
}

/** Reserves `addresses` (name to address) in the IPAM of every `docker_network`. */
export function reserveInIpam(document: Json, addresses: Readonly<Record<string, string>>): void {
  const networks = (document.resource as Record<string, Record<string, Json>>).docker_network ?? {};
  for (const n of Object.values(networks)) {
    for (const pool of n.ipam_config as Json[]) pool.aux_address = { ...addresses };
  }
}

/** Mounts a fresh tmpfs on /run in every container, as on a booted host. */
export function runAsTmpfs(document: Json): void {
  for (const c of Object.values(containers(document))) c.tmpfs = { "/run": "rw,nosuid,nodev,mode=755" };
}

/** Makes every container whose key matches `dependent` depend on those matching `dependency`. */
export function dependOn(document: Json, dependent: RegExp, dependency: RegExp): void {
  const all = Object.keys(containers(document));
  const targets = all.filter((k) => dependency.test(k)).map((k) => `docker_container.${k}`);
  for (const k of all.filter((key) => dependent.test(key))) {
    (containers(document)[k] as Json).depends_on = targets;
  }
}

/**
 * Gives every container whose key matches `which` a healthcheck of its HTTP `url` (by python3,
 * which the demo backend image has; curl is missing there) and `wait = true`, so that Terraform
 * (and the engine lab) create the dependents only once it is healthy.
 */
export function waitUntilServing(document: Json, which: RegExp, url: string): void {
  const probe = `import urllib.request; urllib.request.urlopen(${JSON.stringify(url)}, timeout=1)`;
  for (const [k, c] of Object.entries(containers(document))) {
    if (!which.test(k)) continue;
    c.healthcheck = { test: ["CMD", "python3", "-c", probe], interval: "1s", timeout: "1s", retries: 3 };
    c.wait = true;
    c.wait_timeout = 60;
  }
}
