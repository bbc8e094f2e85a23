import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { FloatingAddressMode, ValidationError } from "../../../lib";
import { synthJson } from "../../../lib/testing";
import { hostileString } from "../../support/template-values";
import { terraformLiteralText } from "../../support/terraform-template";
import { build, cloudConfig, instanceOf } from "./fixture";

describe("AwsPlatform cloud-init", () => {
  test("renders cloud-init with the packages, unicast keepalived, the mover and the supervisor service", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const json = synthJson(stack);
    const lb0 = cloudConfig(json, "edge-lb-0");
    const lb1Address = instanceOf(json, "edge-lb-1").private_ip;

    // THEN
    expect(lb0.packages).toEqual([
      "awscli",
      "ca-certificates",
      "curl",
      "haproxy",
      "iproute2",
      "keepalived",
      "procps",
      "util-linux",
    ]);
    const conf = lb0.files.get("/etc/keepalived/keepalived.conf") as string;
    expect(conf).toContain(`unicast_peer {\n        ${lb1Address}\n    }`);
    expect(conf).toContain("100.64.0.10/32 dev ens5");
    expect(conf).toContain('notify_master_rx_lower_pri "/usr/local/sbin/ha-move-VI_51 rx-lower-priority"');
    const mover = lb0.files.get("/usr/local/sbin/ha-move-VI_51") as string;
    expect(mover).toMatch(/route_tables='\$\{aws_route_table\.cloud_RouteTable_[0-9A-F]{8}\.id\}'/);
    // literal shell expansions are escaped for Terraform, so they survive as ${...} on the host
    expect(mover).toContain('log "attempt $attempt failed');
    expect(mover).not.toMatch(/\$\{(?!aws_)/);
    expect(lb0.files.get("/etc/haproxy/haproxy.cfg")).toContain("bind 100.64.0.10:80");
    expect(lb0.files.get("/etc/systemd/system/ha-supervise.service")).toContain(
      "ExecStart=/usr/local/sbin/ha-supervise",
    );
    expect(lb0.runcmd).toContainEqual(["systemctl", "enable", "--now", "ha-supervise.service"]);
    expect(lb0.runcmd).toContainEqual([
      "sh",
      "-c",
      "systemctl disable --now keepalived.service 2>/dev/null || true",
    ]);
  });
});

describe("AwsPlatform user data", () => {
  test("ships small user data as plain text", () => {
    // GIVEN
    const { stack } = build({ addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" });

    // WHEN
    const userData: string = instanceOf(synthJson(stack), "edge-lb-0").user_data;

    // THEN
    expect(userData).not.toContain("gz+b64");
    expect(userData).toContain("vrrp_instance VI_51 {");
  });

  test("gzips the files of large user data to stay under EC2's 16 KiB, keeping files with deploy-time values plain", () => {
    // GIVEN a pair over 600 backends: haproxy.cfg alone is far above 16 KiB
    const { stack } = build(
      { addressMode: FloatingAddressMode.ROUTE_TABLE, virtualIp: "100.64.0.10" },
      {},
      { replicas: 600 },
    );

    // WHEN
    const json = synthJson(stack);
    const userData: string = instanceOf(json, "edge-lb-0").user_data;
    const config = cloudConfig(json, "edge-lb-0");

    // THEN
    expect(Buffer.byteLength(userData)).toBeLessThan(16 * 1024);
    expect(userData).toMatch(/path: "\/etc\/haproxy\/haproxy\.cfg"\n\s+encoding: "gz\+b64"/);
    expect(config.files.get("/etc/haproxy/haproxy.cfg")?.match(/^\s+server web-\d+ /gm)).toHaveLength(600);
    expect(userData).toMatch(/path: "\/usr\/local\/sbin\/ha-move-VI_51"\n\s+content: \|2\n/);
  });
});

describe("AwsPlatform user data limit", () => {
  test("fails at synthesis when user data exceeds EC2's 16 KiB even gzipped", () => {
    // GIVEN a backend environment of 40 000 random characters (does not compress)
    const random = require("node:crypto").randomBytes(30_000).toString("base64");
    const { stack } = build({}, {}, { environment: { BLOB: random } });

    // WHEN / THEN
    expect(() => synthJson(stack)).toThrow(
      /test\/cloud\/web\/Replica0: user data size \d+ is not allowed; EC2 accepts at most 16384 bytes/,
    );
  });
});

/** An `Environment=` value as systemd reads it: `%%` is `%` (any other `%` a specifier), then C quoting. */
function systemdEnvironment(line: string): string | undefined {
  const m = /^Environment=("(?:[^"\\]|\\.)*")$/.exec(line);
  if (!m || /%(?!%)/.test((m[1] as string).replace(/%%/g, ""))) return undefined;
  return JSON.parse((m[1] as string).replace(/%%/g, "%")) as string;
}

describe("AwsPlatform environment", () => {
  test("an environment value reaches the systemd unit as one literal Environment= line", () => {
    // GIVEN the unit a benign value renders
    const unitOf = (value: string) => {
      const { stack } = build({}, {}, { replicas: 1, environment: { APP_VALUE: value } });
      const raw = parse(instanceOf(synthJson(stack), "web-0").user_data as string);
      const unit = (raw.write_files as Array<{ path: string; content: string }>).find(
        (f) => f.path === "/etc/systemd/system/ha-supervise.service",
      );
      return unit?.content as string;
    };
    const benign = unitOf("zzbenignzz").split("\n");
    fc.assert(
      fc.property(hostileString, (value) => {
        // WHEN the value is arbitrary
        let unit: string;
        try {
          unit = unitOf(value);
        } catch (e) {
          // THEN either the pool refuses it ...
          expect(e).toBeInstanceOf(ValidationError);
          return;
        }
        // ... or the unit differs only on the Environment= line, which Terraform leaves literal
        // and systemd reads back as exactly the value
        const lines = unit.split("\n");
        expect(lines).toHaveLength(benign.length);
        lines.forEach((line, i) => {
          if (!(benign[i] as string).startsWith("Environment=")) {
            expect(line).toBe(benign[i]);
            return;
          }
          const literal = terraformLiteralText(line);
          expect(literal, line).toBeDefined();
          expect(systemdEnvironment(literal as string)).toBe(`APP_VALUE=${value}`);
        });
      }),
      { numRuns: 40 },
    );
  });
});
