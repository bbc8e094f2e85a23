import { describe, expect, test } from "vitest";
import { parseResolvConf, serverWaits, worstCaseMs } from "../../../lib/drill/clients/resolv-conf";

describe("parseResolvConf", () => {
  test("reads the nameservers in order and the timeout, attempts and rotate options", () => {
    // GIVEN a resolv.conf as a container on the DNS pool's network gets it
    const text = [
      "# ha-drill: the container's dns setting",
      "nameserver 198.18.0.1",
      "nameserver 198.18.0.2 ; the second",
      "search pool.test",
      "options ndots:2 timeout:1 attempts:3 rotate",
      "",
    ].join("\n");
    // WHEN it is read
    // THEN the servers keep their order and the options are taken
    expect(parseResolvConf(text)).toEqual({
      nameservers: ["198.18.0.1", "198.18.0.2"],
      timeoutSeconds: 1,
      attempts: 3,
      rotate: true,
    });
  });

  test("falls back to glibc's defaults and limits", () => {
    // GIVEN files with no servers, too many servers, values above glibc's limits, and junk
    // WHEN they are read
    // THEN 127.0.0.1, 5 s and 2 attempts by default; at most 3 servers, 30 s and 5 attempts
    expect(parseResolvConf("")).toEqual({
      nameservers: ["127.0.0.1"],
      timeoutSeconds: 5,
      attempts: 2,
      rotate: false,
    });
    const many = ["1", "2", "3", "4"].map((n) => `nameserver 198.18.0.${n}`).join("\n");
    expect(parseResolvConf(`${many}\noptions timeout:99 attempts:9`)).toEqual({
      nameservers: ["198.18.0.1", "198.18.0.2", "198.18.0.3"],
      timeoutSeconds: 30,
      attempts: 5,
      rotate: false,
    });
    expect(
      parseResolvConf("nameserver ns1.pool.test\nnameserver 2001:2::53\noptions timeout:x attempts:0"),
    ).toEqual({ nameservers: ["2001:2::53"], timeoutSeconds: 5, attempts: 1, rotate: false });
  });
});

describe("serverWaits", () => {
  test.each([
    [["198.18.0.1"], 5, [5]],
    [["198.18.0.1", "198.18.0.2"], 1, [1, 1]],
    [["198.18.0.1", "198.18.0.2", "198.18.0.3"], 5, [5, 3, 6]],
    [["198.18.0.1", "198.18.0.2", "198.18.0.3"], 1, [1, 1, 1]],
    [["198.18.0.1", "198.18.0.2"], 0, [1, 1]],
  ])("waits as glibc does for servers %j with timeout %i: %j", (nameservers, timeoutSeconds, waits) => {
    // GIVEN servers and a timeout
    const conf = { nameservers, timeoutSeconds, attempts: 2, rotate: false };
    // WHEN the waits are computed
    // THEN they follow send_dg's arithmetic, and the worst case is every wait of both attempts
    expect(serverWaits(conf)).toEqual(waits);
    expect(worstCaseMs(conf)).toBe(waits.reduce((a, b) => a + b, 0) * 2 * 1000);
  });
});
