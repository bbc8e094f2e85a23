import type { HaReportDocument, ReportManagedComponent } from "./report-document";

function nodeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, "_");
}

/**
 * Text for a quoted Mermaid label: characters outside a plain set become Mermaid's numeric
 * entity codes (`#35;`), so no quote, bracket, markdown or line break in a name ends the label.
 */
export function label(text: string): string {
  return Array.from(text, (c) => (/^[A-Za-z0-9 ._:,/()+=@*-]$/.test(c) ? c : `#${c.codePointAt(0)};`)).join(
    "",
  );
}

function managedNode(m: ReportManagedComponent): string {
  return `${nodeId(m.id)}(["${label(`${m.service} (${m.role}) over ${m.failureDomains.join(", ")}`)}"])`;
}

/**
 * A Mermaid flowchart of the report: failure domains as subgraphs holding their hosts (and the
 * managed components that live in that domain alone), managed components that span several
 * domains outside them, groups and their dependencies, single points of failure outlined in red.
 */
export function renderDiagram(doc: HaReportDocument): string {
  const out = ["flowchart TB"];
  const spofIds = new Set(doc.singlePointsOfFailure.map((s) => s.id));
  const components = new Map(doc.components.map((c) => [c.id, c]));
  for (const d of doc.failureDomains) {
    out.push(`  subgraph ${nodeId(d.id)}["${label(`${d.kind}: ${d.id}`)}"]`);
    for (const cid of d.components) {
      const c = components.get(cid);
      if (!c) continue;
      const addr = c.address ? ` ${c.address}` : "";
      out.push(`    ${nodeId(c.id)}["${label(`${c.hostname}${addr} (${c.role})`)}"]`);
    }
    for (const m of doc.managedComponents) {
      if (m.failureDomains.length === 1 && m.failureDomains[0] === d.id) out.push(`    ${managedNode(m)}`);
    }
    out.push("  end");
  }
  for (const m of doc.managedComponents) if (m.failureDomains.length > 1) out.push(`  ${managedNode(m)}`);
  for (const g of doc.redundancyGroups) {
    const gid = `group_${nodeId(g.id)}`;
    out.push(`  ${gid}{{"${label(`${g.role}: ${g.mechanism}, tolerates ${g.toleratedFailures}`)}"}}`);
    for (const m of g.members) out.push(`  ${gid} --- ${nodeId(m)}`);
    for (const dep of g.dependsOn) out.push(`  ${gid} --> group_${nodeId(dep)}`);
  }
  for (const f of doc.floatingAddresses) {
    const fid = `vip_${nodeId(f.id)}`;
    out.push(`  ${fid}(("${label(`${f.address} (${f.mode}) port ${f.listenerPorts.join(", ")}`)}"))`);
    if (f.healthyOn) out.push(`  ${fid} -. healthy on .-> ${nodeId(f.healthyOn)}`);
    if (f.announcedBy) out.push(`  ${fid} -. announced by .-> group_${nodeId(f.announcedBy)}`);
  }
  for (const id of spofIds) out.push(`  style ${nodeId(id)} stroke:#d00,stroke-width:3px`);
  return `${out.join("\n")}\n`;
}
