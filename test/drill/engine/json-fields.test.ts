import { describe, expect, test } from "vitest";
import { durationNs, literal, onlyKnown, reference } from "../../../lib/drill/engine/json-fields";

describe("json fields", () => {
  test.each([
    ["2s", 2e9],
    ["500ms", 5e8],
    ["1m30s", 90e9],
    ["1.5s", 1.5e9],
    ["0", 0],
  ])("reads the Go duration %s", (text, ns) => {
    expect(durationNs(text, "x")).toBe(ns);
  });

  test.each(["2", "s", "2 s", "2sx"])("throws for the duration %j", (text) => {
    expect(() => durationNs(text, "x")).toThrow(/not a duration/);
  });

  test("reads escaped Terraform literals and refuses real expressions", () => {
    expect(literal("a $${b} %%{c}", "x")).toBe("a ${b} %{c}");
    expect(() => literal("a ${b}", "where")).toThrow(/where holds the Terraform expression/);
  });

  test("recognizes references to the stack's resources only with the expected attributes", () => {
    expect(reference("${docker_network.n1.name}", "docker_network", ["name"])).toEqual({
      key: "n1",
      attribute: "name",
    });
    expect(reference("${docker_network.n1.driver}", "docker_network", ["name"])).toBeUndefined();
    expect(reference("net", "docker_network", ["name"])).toBeUndefined();
  });

  test("names the attribute it does not understand", () => {
    expect(() => onlyKnown({ a: 1, b: 2 }, ["a"], "docker_x.k")).toThrow(/docker_x\.k: attribute "b"/);
  });
});
