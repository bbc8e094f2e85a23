import type { HaReportDocument } from "./analyze";

function nodeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, "_");
}

function label(text: string): string {
  return text.replace(/["<>]/g, "");
}

/** A Mermaid flowchart of the report: failure domains as subgraphs, groups and their dependencies. */
export function renderDiagram(doc: HaReportDocument): string {
  const out = ["flowchart TB"];
  const spofIds = new Set(doc.singlePointsOfFailure.map((s) => s.id));
  for (const d of doc.failureDomains) {
    out.push(`  subgraph ${nodeId(d.id)}["${label(`${d.kind}: ${d.id}`)}"]`);
    for (const cid of d.components) {
      const c = doc.components.find((x) => x.id === cid);
      if (!c) continue;
      const addr = c.address ? ` ${c.address}` : "";
      out.push(`    ${nodeId(c.id)}["${label(`${c.hostname}${addr} (${c.role})`)}"]`);
    }
    out.push("  end");
  }
  for (const g of doc.redundancyGroups) {
    const gid = `group_${nodeId(g.id)}`;
    out.push(`  ${gid}{{"${label(`${g.role}: ${g.mechanism}, tolerates ${g.toleratedFailures}`)}"}}`);
    for (const m of g.members) out.push(`  ${gid} --- ${nodeId(m)}`);
    for (const dep of g.dependsOn) out.push(`  ${gid} --> group_${nodeId(dep)}`);
  }
  for (const id of spofIds) out.push(`  style ${nodeId(id)} stroke:#d00,stroke-width:3px`);
  return `${out.join("\n")}\n`;
}
