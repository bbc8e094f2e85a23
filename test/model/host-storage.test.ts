import { describe, expect, test } from "vitest";
import { assertHostStorage, assertOwner, assertSecretMode } from "../../lib/model/host-storage";
import { validationErrorOf } from "../support/errors";

const secret = { secretId: "app/db/Superuser", length: 32 };

describe("host storage", () => {
  test.each(["0400", "400", "0440", "0600", "0640"])("accepts the restrictive mode %s", (mode) => {
    expect(assertSecretMode("app/db", "mode", mode)).toBe(mode.padStart(4, "0"));
  });

  test.each(["0644", "0604", "0460", "0700x", "rw", "0777", "0420"])(
    "throws for the mode %s, naming it",
    (mode) => {
      // GIVEN a mode that gives others access, lets the group write or execute, or is not octal
      const error = validationErrorOf(() => assertSecretMode("app/db", "secret file mode", mode));
      // THEN the error names the path, the value and what is allowed
      expect(error.path).toBe("app/db");
      expect(error.value).toBe(mode);
      expect(error.allowed).toMatch(/others nothing/);
    },
  );

  test.each(["postgres", "postgres:postgres", "_etcd", "nobody:nogroup"])("accepts the owner %s", (owner) => {
    expect(assertOwner("app/db", "owner", owner)).toBe(owner);
  });

  test.each(["root; rm -rf /", "Postgres", "a:b:c", "", "1000"])("throws for the owner %j", (owner) => {
    expect(validationErrorOf(() => assertOwner("app/db", "owner", owner)).value).toBe(owner);
  });

  test("throws for two volumes of one name", () => {
    const error = validationErrorOf(() =>
      assertHostStorage(
        "app/db",
        [
          { name: "data", mountPath: "/a" },
          { name: "data", mountPath: "/b" },
        ],
        [],
      ),
    );
    expect(error.message).toMatch(/app\/db: volume name "data" is not allowed; give each volume/);
  });

  test("throws for a secret file inside a volume, which the volume would hide", () => {
    const error = validationErrorOf(() =>
      assertHostStorage(
        "app/db",
        [{ name: "data", mountPath: "/var/lib/pg" }],
        [{ path: "/var/lib/pg/pw", secret }],
      ),
    );
    expect(error.value).toBe("/var/lib/pg/pw");
    expect(error.allowed).toMatch(/outside volume data/);
  });

  test("throws for a relative mount path and a size out of range", () => {
    expect(
      validationErrorOf(() => assertHostStorage("app/db", [{ name: "d", mountPath: "data" }], [])).value,
    ).toBe("data");
    expect(
      validationErrorOf(() => assertHostStorage("app/db", [{ name: "d", mountPath: "/d", sizeGiB: 0 }], []))
        .allowed,
    ).toMatch(/1 to 16384/);
  });

  test("throws for two files at one path", () => {
    const error = validationErrorOf(() =>
      assertHostStorage(
        "app/db",
        [],
        [
          { path: "/etc/pw", secret },
          { path: "/etc/pw", secret },
        ],
      ),
    );
    expect(error.value).toBe("/etc/pw");
  });
});
