import { describe, expect, test } from "vitest";
import { analyze } from "../../lib/analysis/analyze";
import { HA_REPORT_SCHEMA_VERSION } from "../../lib/analysis/report-document";
import { tinyModel } from "../support/availability";

function pairOnOneHost() {
  return tinyModel({
    platforms: { "s/local": ["docker-host:local"] },
    hosts: { "s/local/lb/a": "docker-host:local", "s/local/lb/b": "docker-host:local" },
    groups: [
      {
        id: "s/local/lb",
        members: ["s/local/lb/a", "s/local/lb/b"],
        predictions: [{ fault: "node-loss", recoverySeconds: 0.72, failedRequests: "some", basis: "vrrp" }],
      },
    ],
  });
}

describe("analyze", () => {
  test("writes the current schema version with platforms, domains, groups and single points of failure", () => {
    // GIVEN
    const m = pairOnOneHost();

    // WHEN
    const doc = analyze("s", m);

    // THEN
    expect(doc.schemaVersion).toBe(HA_REPORT_SCHEMA_VERSION);
    expect(HA_REPORT_SCHEMA_VERSION).toBe(5);
    expect(doc.platform).toBe("test");
    expect(doc.platforms).toEqual([{ id: "s/local", name: "test", failureDomains: ["docker-host:local"] }]);
    expect(doc.failureDomains).toEqual([
      {
        id: "docker-host:local",
        kind: "zone",
        description: "docker-host:local",
        platforms: ["s/local"],
        components: ["s/local/lb/a", "s/local/lb/b"],
        managedComponents: [],
      },
    ]);
    expect(doc.redundancyGroups[0]).toMatchObject({
      toleratedFailures: 1,
      failureDomains: ["docker-host:local"],
    });
    expect(doc.singlePointsOfFailure.map((s) => s.id)).toEqual(["docker-host:local"]);
  });

  test("gives every prediction its data loss: none for a stateless tier, the figures where given", () => {
    // GIVEN
    const m = pairOnOneHost();
    m.addGroup({
      id: "s/local/db",
      role: "database",
      topology: "s/local/db",
      members: [],
      minimumHealthy: 1,
      mechanism: "Patroni streaming replication",
      dependsOn: [],
      predictions: [
        {
          fault: "primary-loss",
          recoverySeconds: 30,
          failedRequests: "writes during the failover",
          basis: "ttl 30 s",
          dataLoss: {
            seconds: 5,
            description:
              "acknowledged writes: none in synchronous mode, up to 5 s of WAL in asynchronous mode",
            basis: "maximum_lag_on_failover 5 s",
            modes: [
              { mode: "synchronous", seconds: 0, description: "none" },
              { mode: "asynchronous", seconds: 5, description: "WAL not yet on the standby" },
            ],
          },
        },
      ],
    });

    // WHEN
    const doc = analyze("s", m);

    // THEN the drill's fields stay where they were, the RPO sits beside them
    expect(doc.redundancyGroups[0]?.predictions).toEqual([
      {
        fault: "node-loss",
        recoverySeconds: 0.72,
        failedRequests: "some",
        basis: "vrrp",
        dataLossSeconds: 0,
        dataLoss: "none: the tier keeps no state",
      },
    ]);
    expect(doc.redundancyGroups[1]?.predictions[0]).toMatchObject({
      fault: "primary-loss",
      recoverySeconds: 30,
      dataLossSeconds: 5,
      dataLossBasis: "maximum_lag_on_failover 5 s",
      dataLossModes: [
        { mode: "synchronous", seconds: 0 },
        { mode: "asynchronous", seconds: 5 },
      ],
    });
  });

  test("lists managed components apart from hosts, in the domains they span", () => {
    // GIVEN
    const m = tinyModel({
      platforms: { "s/cloud": ["z1", "z2"] },
      groups: [{ id: "s/lb", members: ["s/lb/Nlb"] }],
    });
    const failover = [
      {
        fault: "zone-loss",
        recoverySeconds: 60,
        description: "the unhealthy zone's address leaves DNS",
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html",
      },
    ];
    m.addManagedComponent({
      id: "s/lb/Nlb",
      service: "AWS Network Load Balancer",
      role: "load-balancer",
      topology: "s/lb",
      failureDomains: ["z1", "z2"],
      failover,
    });

    // WHEN
    const doc = analyze("s", m);

    // THEN
    expect(doc.components).toEqual([]);
    expect(doc.managedComponents).toEqual([
      {
        id: "s/lb/Nlb",
        service: "AWS Network Load Balancer",
        role: "load-balancer",
        topology: "s/lb",
        failureDomains: ["z1", "z2"],
        failover,
      },
    ]);
    expect(doc.failureDomains.map((d) => d.managedComponents)).toEqual([["s/lb/Nlb"], ["s/lb/Nlb"]]);
    expect(doc.redundancyGroups[0]?.failureDomains).toEqual(["z1", "z2"]);
    expect(doc.singlePointsOfFailure).toEqual([]);
  });

  test("reports the rules' results, the findings in force and the suppressed ones with their reason", () => {
    // GIVEN
    const m = pairOnOneHost();
    m.addVrrpInstance({ segment: "n", virtualRouterId: 51, owner: "s/local/lb/Vip" });

    // WHEN
    const doc = analyze("s", m, [
      { scope: "s/local", ruleId: "HA-SinglePointOfFailure", reason: "a lab on one host" },
    ]);

    // THEN
    expect(doc.rules.map((r) => [r.id, r.compliance])).toEqual([
      ["HA-SinglePointOfFailure", "non-compliant"],
      ["HA-VridClash", "compliant"],
      ["HA-OneFailureDomain", "not-applicable"],
    ]);
    expect(doc.findings).toEqual([]);
    expect(doc.suppressedFindings).toEqual([
      expect.objectContaining({
        ruleId: "HA-SinglePointOfFailure",
        constructPath: "s/local",
        suppression: { scope: "s/local", reason: "a lab on one host" },
      }),
    ]);
    expect(doc.vrrpInstances).toEqual([{ segment: "n", virtualRouterId: 51, owner: "s/local/lb/Vip" }]);
  });

  test("reads addresses and members at analysis", () => {
    // GIVEN a host whose address is leased later, and a group that grows
    const members = ["a"];
    let address = "";
    const m = tinyModel({ groups: [{ id: "g", members }] });
    m.addComponent({
      id: "a",
      hostname: "a",
      role: "r",
      topology: "t",
      failureDomain: "z",
      address: () => address,
    });

    // WHEN
    address = "198.18.0.5";
    members.push("b");
    const doc = analyze("s", m);

    // THEN
    expect(doc.components[0]?.address).toBe("198.18.0.5");
    expect(doc.redundancyGroups[0]).toMatchObject({ members: ["a", "b"], failureDomains: ["unknown", "z"] });
  });
});
