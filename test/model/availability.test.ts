import { describe, expect, test } from "vitest";
import {
  AvailabilityModel,
  type FailurePrediction,
  type RedundancyGroupRecord,
} from "../../lib/model/availability";
import { tinyModel } from "../support/availability";
import { validationErrorOf } from "../support/errors";

const prediction: FailurePrediction = {
  fault: "node-loss",
  recoverySeconds: 1,
  failedRequests: "none",
  basis: "b",
};

describe("AvailabilityModel platforms", () => {
  test("keeps every platform of a stack, and names them together", () => {
    // GIVEN
    const m = new AvailabilityModel();

    // WHEN
    m.addPlatform("docker", "s/local");
    m.addPlatform("aws", "s/cloud");
    m.addPlatform("docker", "s/lab");

    // THEN
    expect(m.platforms).toEqual([
      { id: "s/local", name: "docker" },
      { id: "s/cloud", name: "aws" },
      { id: "s/lab", name: "docker" },
    ]);
    expect(m.platform).toBe("aws+docker");
    expect(new AvailabilityModel().platform).toBe("unknown");
  });

  test("gives a failure domain to its named platform, or else to the platform added last", () => {
    // GIVEN
    const m = new AvailabilityModel();
    m.addPlatform("aws", "s/cloud");
    m.addPlatform("docker", "s/local");

    // WHEN
    m.addFailureDomain({ id: "docker-host:local", kind: "host", description: "d" });
    m.addFailureDomain({ id: "zone:a", kind: "zone", description: "a", platform: "s/cloud" });

    // THEN
    expect(m.failureDomainsOf("s/local")).toEqual(["docker-host:local"]);
    expect(m.failureDomainsOf("s/cloud")).toEqual(["zone:a"]);
    expect(m.platformsOfDomain("zone:a")).toEqual(["s/cloud"]);
  });

  test("lets two platforms on one Docker host share its failure domain", () => {
    // GIVEN
    const m = new AvailabilityModel();
    const domain = { id: "docker-host:local", kind: "host", description: "d" } as const;

    // WHEN
    m.addPlatform("docker", "s/a");
    m.addFailureDomain(domain);
    m.addPlatform("docker", "s/b");
    m.addFailureDomain(domain);

    // THEN
    expect([...m.failureDomains.keys()]).toEqual(["docker-host:local"]);
    expect(m.platformsOfDomain("docker-host:local")).toEqual(["s/a", "s/b"]);
  });

  test.each([
    [
      "throws for a platform recorded twice",
      (m: AvailabilityModel) => m.addPlatform("docker", "s/local"),
      /record each platform once/,
    ],
    [
      "throws for an empty platform name",
      (m: AvailabilityModel) => m.addPlatform("", "s/x"),
      /non-empty name/,
    ],
    [
      "throws for a domain of an unknown platform",
      (m: AvailabilityModel) =>
        m.addFailureDomain({ id: "z", kind: "zone", description: "z", platform: "s/nope" }),
      /add the platform first/,
    ],
  ])("%s", (_name, act, message) => {
    // GIVEN
    const m = new AvailabilityModel();
    m.addPlatform("docker", "s/local");

    // WHEN
    const error = validationErrorOf(() => act(m));

    // THEN
    expect(error.message).toMatch(message);
  });
});

describe("AvailabilityModel groups and predictions", () => {
  test("adds a prediction to another's group without touching the caller's array", () => {
    // GIVEN a group recorded with a prediction list its owner keeps
    const own: FailurePrediction[] = [];
    const m = tinyModel({ hosts: { a: "z" }, groups: [{ id: "s/web", members: ["a"], predictions: own }] });

    // WHEN
    m.addPrediction("s/web", { ...prediction, fault: "backend-process-death" });

    // THEN
    expect(m.group("s/web")?.predictions.map((p) => p.fault)).toEqual(["backend-process-death"]);
    expect(own).toEqual([]);
  });

  test("reads members at analysis: replicas added to the owner's list later count", () => {
    // GIVEN
    const members = ["a"];
    const m = tinyModel({ groups: [{ id: "s/web", members }] });

    // WHEN
    members.push("b");

    // THEN
    expect(m.group("s/web")?.members).toEqual(["a", "b"]);
  });

  test("throws for a prediction of an unknown group", () => {
    // GIVEN
    const m = new AvailabilityModel();

    // WHEN
    const error = validationErrorOf(() => m.addPrediction("s/nobody", prediction));

    // THEN
    expect(error.message).toMatch(/^s\/nobody: redundancy group "s\/nobody".*addGroup/);
  });

  test("throws for a group recorded twice, and a component id used twice", () => {
    // GIVEN
    const m = tinyModel({ hosts: { a: "z" }, groups: [{ id: "g", members: ["a"] }] });

    // WHEN
    const group = validationErrorOf(() => m.addGroup(m.group("g") as RedundancyGroupRecord));
    const component = validationErrorOf(() =>
      m.addManagedComponent({
        id: "a",
        service: "x",
        role: "r",
        topology: "t",
        failureDomains: ["z"],
        failover: [],
      }),
    );

    // THEN
    expect(group.message).toMatch(/record each group once/);
    expect(component.message).toMatch(/unique id/);
  });

  test.each([
    ["a negative RTO", { recoverySeconds: -1 }, /recoverySeconds -1/],
    ["both an RTO and a split-brain onset", { splitBrainAfterSeconds: 1 }, /exactly one of recoverySeconds/],
    [
      "neither an RTO nor a split-brain onset",
      { recoverySeconds: undefined },
      /exactly one of recoverySeconds/,
    ],
    [
      "a negative split-brain onset",
      { recoverySeconds: undefined, splitBrainAfterSeconds: -1 },
      /splitBrainAfterSeconds -1/,
    ],
    ["a negative RPO", { dataLoss: { seconds: -2, description: "x" } }, /dataLoss seconds -2/],
    ["a non-number RPO", { dataLoss: { seconds: Number.NaN, description: "x" } }, /dataLoss seconds null/],
    [
      "an RPO below one of its modes",
      {
        dataLoss: {
          seconds: 0,
          description: "x",
          modes: [
            { mode: "synchronous", seconds: 0, description: "none" },
            { mode: "asynchronous", seconds: 10, description: "up to 10 s of WAL" },
          ],
        },
      },
      /worst case over the modes \(10 s or more\)/,
    ],
  ])("throws for a prediction with %s", (_name, change, message) => {
    // GIVEN
    const m = tinyModel({ groups: [{ id: "g", members: [] }] });

    // WHEN
    const error = validationErrorOf(() => m.addPrediction("g", { ...prediction, ...change }));

    // THEN
    expect(error.message).toMatch(message);
  });

  test("accepts a replicated database's RPO: none when synchronous, seconds of WAL when asynchronous", () => {
    // GIVEN
    const m = tinyModel({ groups: [{ id: "s/db", members: [] }] });
    const dataLoss = {
      seconds: 10,
      description: "acknowledged writes: none in synchronous mode, up to 10 s of WAL in asynchronous mode",
      modes: [
        { mode: "synchronous", seconds: 0, description: "none: a commit waits for the standby" },
        { mode: "asynchronous", seconds: 10, description: "WAL not yet on the standby" },
      ],
    };

    // WHEN
    m.addPrediction("s/db", { ...prediction, fault: "primary-loss", dataLoss });

    // THEN
    expect(m.group("s/db")?.predictions[0]?.dataLoss).toEqual(dataLoss);
  });
});

describe("AvailabilityModel managed components and VRRP instances", () => {
  test("records a managed component with the cloud's figures", () => {
    // GIVEN
    const m = new AvailabilityModel();
    const rds = {
      id: "s/db/Resource",
      service: "Amazon RDS for PostgreSQL Multi-AZ",
      role: "database",
      topology: "s/db",
      failureDomains: ["zone:a", "zone:b"],
      failover: [
        {
          fault: "primary-instance-failure",
          recoverySeconds: 120,
          description: "failovers typically complete within 60-120 s",
          source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZSingleStandby.html",
        },
      ],
    };

    // WHEN
    m.addManagedComponent(rds);

    // THEN
    expect(m.managedComponents).toEqual([rds]);
    expect(m.components).toEqual([]);
  });

  test.each([
    ["no failure domain", { failureDomains: [] }, /name at least one failure domain/],
    [
      "a figure without a source",
      { failover: [{ fault: "f", recoverySeconds: 1, description: "d", source: "" }] },
      /cite the cloud's document/,
    ],
  ])("throws for a managed component with %s", (_name, change, message) => {
    // GIVEN
    const m = new AvailabilityModel();
    const base = { id: "s/lb", service: "x", role: "r", topology: "t", failureDomains: ["z"], failover: [] };

    // WHEN
    const error = validationErrorOf(() => m.addManagedComponent({ ...base, ...change }));

    // THEN
    expect(error.message).toMatch(message);
  });

  test.each([0, 256, 1.5])("throws for virtual router id %s", (id) => {
    // GIVEN
    const m = new AvailabilityModel();

    // WHEN
    const error = validationErrorOf(() =>
      m.addVrrpInstance({ segment: "n", virtualRouterId: id, owner: "s/vip" }),
    );

    // THEN
    expect(error.message).toMatch(/^s\/vip: virtualRouterId .*1 to 255/);
  });

  test("records a VRRP instance", () => {
    // GIVEN
    const m = new AvailabilityModel();

    // WHEN
    m.addVrrpInstance({
      segment: "s/local/Network",
      virtualRouterId: 51,
      owner: "s/local/edge/Vip",
      instance: "VI_51",
    });

    // THEN
    expect(m.vrrpInstances).toEqual([
      { segment: "s/local/Network", virtualRouterId: 51, owner: "s/local/edge/Vip", instance: "VI_51" },
    ]);
  });
});
