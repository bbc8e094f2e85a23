import { describe, expect, test } from "vitest";
import { DrillError } from "../../../lib/drill/core/drill-error";
import { parseDockerStack } from "../../../lib/drill/core/stack";
import { generateSecrets, parseSecrets, secretReference } from "../../../lib/drill/core/storage";
import { caught } from "../../support/errors";

function stack(container: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    resource: {
      docker_network: { n: { name: "n", ipam_config: [{ subnet: "198.18.30.0/24" }] } },
      docker_volume: { data: { name: "s-db-0-data" } },
      random_password: { pw: { length: 30, special: false } },
      docker_container: {
        db: {
          name: "db",
          hostname: "db",
          networks_advanced: [{ name: "n", ipv4_address: "198.18.30.2" }],
          ...container,
        },
      },
      ...extra,
    },
  };
}

describe("drill storage", () => {
  test("reads volume mounts and secret uploads, with their modes", () => {
    // GIVEN a container with a volume mount and a secret file WHEN parsed
    const s = parseDockerStack(
      stack({
        mounts: [{ type: "volume", source: "${docker_volume.data.name}", target: "/var/lib/pg" }],
        upload: [{ file: "/etc/pw", content: "${random_password.pw.result}", permissions: "0400" }],
      }),
    );
    // THEN the lab knows the volume, the secret's length and where each goes
    expect(s.volumes).toEqual([{ key: "data", name: "s-db-0-data" }]);
    expect(s.secrets).toEqual([{ key: "pw", length: 30 }]);
    expect(s.containers[0]?.mounts).toEqual([{ volume: "data", target: "/var/lib/pg" }]);
    expect(s.containers[0]?.uploads).toEqual([
      { file: "/etc/pw", content: "", executable: false, mode: 0o400, secret: "pw" },
    ]);
  });

  test.each([
    [{ mounts: [{ type: "bind", source: "/x", target: "/y" }] }, /type "bind" is not supported/],
    [
      { mounts: [{ type: "volume", source: "${docker_volume.gone.name}", target: "/y" }] },
      /not a docker_volume/,
    ],
    [{ upload: [{ file: "/etc/pw", content: "${random_password.gone.result}" }] }, /not a random_password/],
    [{ upload: [{ file: "/etc/pw", content: "x", permissions: "rw" }] }, /permissions "rw" is not an octal/],
  ])("throws a DrillError naming what it cannot bring up: %j", (container, message) => {
    const error = caught(() => parseDockerStack(stack(container)));
    expect(error).toBeInstanceOf(DrillError);
    expect(error.message).toMatch(message);
  });

  test("throws for a password with special characters, which a lab does not generate", () => {
    const error = caught(() => parseSecrets({ random_password: { pw: { length: 30 } } }));
    expect(error.message).toBe(
      "random_password.pw: a drill generates letters and digits only; set special = false",
    );
  });

  test("generates each secret once, of letters and digits at its length", () => {
    const values = generateSecrets([
      { key: "a", length: 24 },
      { key: "b", length: 40 },
    ]);
    expect(values.get("a")).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(values.get("b")).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(values.get("a")).not.toBe(generateSecrets([{ key: "a", length: 24 }]).get("a"));
    expect(secretReference("${random_password.a.result}")).toBe("a");
    expect(secretReference("x${random_password.a.result}")).toBeUndefined();
  });
});
