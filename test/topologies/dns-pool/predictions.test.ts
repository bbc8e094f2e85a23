import { describe, expect, test } from "vitest";
import { AllUnhealthy } from "../../../lib";
import type { HealthCheckedNameBinding } from "../../../lib/platforms/health-checked-name";
import { allUnhealthyBehaviour, memberPredictions } from "../../../lib/topologies/dns-pool/predictions";

const binding: HealthCheckedNameBinding = {
  fqdn: "www.pool.example.test",
  nameServers: [],
  servers: [],
  checker: "test checker",
  refusedRemoval: { ms: 1000, arithmetic: "one round 1 s" },
  silentRemoval: { ms: 2500, arithmetic: "round 1 s + timeout 1.5 s" },
  return: { ms: 2000, arithmetic: "round + probe" },
  notes: [],
};

describe("DNS pool predictions", () => {
  test("removal from the answers, and until clients move (plus the TTL)", () => {
    const p = memberPredictions(binding, 7, AllUnhealthy.answerNone());
    expect(p.map((x) => [x.fault, x.recoverySeconds, x.clientsMoveSeconds])).toEqual([
      ["member-proxy-death", 1, 8],
      ["member-blackhole", 2.5, 9.5],
      ["member-return", 2, undefined],
      ["all-members-down", 1, undefined],
    ]);
    expect(p[0]?.basis).toBe("out of every server's answers: one round 1 s; clients: + TTL 7 s");
    expect(p[3]?.failedRequests).toMatch(/^fail closed/);
  });

  test("names each all-unhealthy answer", () => {
    expect(allUnhealthyBehaviour(AllUnhealthy.answerAll())).toMatch(
      /^fail open: the name answers with every member/,
    );
    expect(allUnhealthyBehaviour(AllUnhealthy.answerNone())).toMatch(/^fail closed: .*negative TTL/);
    expect(allUnhealthyBehaviour(AllUnhealthy.fallback("198.18.9.9", "198.18.9.8"))).toBe(
      "fallback: the name answers with 198.18.9.9, 198.18.9.8 (not checked) until a member serves again",
    );
  });
});
