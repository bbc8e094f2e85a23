import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { IMDS_FUNCTION } from "../../lib/render/imds";

describe("IMDS_FUNCTION", () => {
  test("asks for a session token first (IMDSv2), then sends it with the metadata request", () => {
    const text = IMDS_FUNCTION.join("\n");
    expect(text).toMatch(
      /-X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60"[^\n]*\\\n\s+"http:\/\/169\.254\.169\.254\/latest\/api\/token"/,
    );
    expect(text).toContain('-H "X-aws-ec2-metadata-token: $token"');
  });

  test("is a bash function bash parses", () => {
    const r = spawnSync("bash", ["-n"], { input: `${IMDS_FUNCTION.join("\n")}\n`, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  });
});
