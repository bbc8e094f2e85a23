import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { analyze } from "../../lib/analysis/analyze";
import { label, renderDiagram } from "../../lib/analysis/diagram";
import { tinyModel } from "../support/availability";
import { hostileString } from "../support/template-values";

describe("renderDiagram", () => {
  test("draws domains as subgraphs, groups with their members and dependencies, and outlines single points", () => {
    // GIVEN a pair over two zones in front of a lone database
    const m = tinyModel({
      platforms: { "s/cloud": ["z1", "z2"] },
      groups: [
        { id: "s/lb", members: ["s/lb/a", "s/lb/b"], dependsOn: ["s/db"] },
        { id: "s/db", members: ["s/db/0"] },
      ],
    });
    m.addComponent({
      id: "s/lb/a",
      hostname: "lb-a",
      role: "lb",
      topology: "s/lb",
      failureDomain: "z1",
      address: () => "198.18.0.2",
    });
    m.addComponent({ id: "s/lb/b", hostname: "lb-b", role: "lb", topology: "s/lb", failureDomain: "z2" });
    m.addComponent({ id: "s/db/0", hostname: "db-0", role: "db", topology: "s/db", failureDomain: "z2" });

    // WHEN
    const text = renderDiagram(analyze("s", m));

    // THEN
    expect(text).toBe(
      [
        "flowchart TB",
        '  subgraph z1["zone: z1"]',
        '    s_lb_a["lb-a 198.18.0.2 (lb)"]',
        "  end",
        '  subgraph z2["zone: z2"]',
        '    s_lb_b["lb-b (lb)"]',
        '    s_db_0["db-0 (db)"]',
        "  end",
        '  group_s_lb{{"r: m, tolerates 1"}}',
        "  group_s_lb --- s_lb_a",
        "  group_s_lb --- s_lb_b",
        "  group_s_lb --> group_s_db",
        '  group_s_db{{"r: m, tolerates 0"}}',
        "  group_s_db --- s_db_0",
        "  style z2 stroke:#d00,stroke-width:3px",
        "  style s_db_0 stroke:#d00,stroke-width:3px",
        "",
      ].join("\n"),
    );
  });

  test("draws a managed component in its one domain, or beside the domains it spans", () => {
    // GIVEN
    const m = tinyModel({ platforms: { "s/cloud": ["z1", "z2"] } });
    const base = { role: "lb", topology: "s", failover: [] };
    m.addManagedComponent({ ...base, id: "s/nlb", service: "AWS NLB", failureDomains: ["z1", "z2"] });
    m.addManagedComponent({ ...base, id: "s/rds", service: "Amazon RDS", failureDomains: ["z2"] });

    // WHEN
    const text = renderDiagram(analyze("s", m));

    // THEN
    expect(text.split("\n")).toEqual([
      "flowchart TB",
      '  subgraph z1["zone: z1"]',
      "  end",
      '  subgraph z2["zone: z2"]',
      '    s_rds(["Amazon RDS (lb) over z2"])',
      "  end",
      '  s_nlb(["AWS NLB (lb) over z1, z2"])',
      "",
    ]);
  });

  test("writes quotes and angle brackets of user names as Mermaid entity codes", () => {
    // GIVEN
    const m = tinyModel({ platforms: { p: ["z"] } });
    m.addComponent({ id: "s/x", hostname: 'a"<b>', role: "r", topology: "t", failureDomain: "z" });

    // WHEN
    const text = renderDiagram(analyze("s", m));

    // THEN
    expect(text).toContain('    s_x["a#34;#60;b#62; (r)"]');
  });

  test("no text leaves its quoted label, whatever it holds", () => {
    fc.assert(
      fc.property(hostileString, (text) => {
        // GIVEN any text WHEN it becomes a label
        const out = label(text);
        // THEN it holds no quote, bracket, backtick, line break or bare '#', and decodes back
        expect(out).not.toMatch(/["'`<>[\]{}|\n\r\u2028\u2029\p{Cc}]/u);
        expect(out.replace(/#\d+;/g, "")).not.toContain("#");
        expect(out.replace(/#(\d+);/g, (_m, n) => String.fromCodePoint(Number(n)))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
