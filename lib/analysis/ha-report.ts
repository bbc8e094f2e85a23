import * as fs from "node:fs";
import * as path from "node:path";
import { Aspects, type ISynthesisSession, TerraformStack } from "cdktf";
import { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer";
import { Construct, type IConstruct } from "constructs";
import { AvailabilityModel } from "../model/availability";
import { analyze } from "./analyze";
import { renderDiagram } from "./diagram";
import { HaRules } from "./ha-rules";
import type { HaReportDocument } from "./report-document";
import { suppressionsIn } from "./suppressions";

const REPORT_ID = "HaReport";

/** File names written beside each stack's `cdk.tf.json`. */
export const HA_REPORT_FILE = "ha-report.json";
export const HA_DIAGRAM_FILE = "ha-diagram.mmd";

/**
 * The per-stack HA report. It holds the stack's availability model (topologies record into it
 * through their platform) and, at synthesis, writes `ha-report.json` and a Mermaid diagram
 * beside the stack's `cdk.tf.json`. It adds no Terraform resources. It also adds the HA rule pack
 * (`HaRules`) to the stack as an Aspect, so that the report's findings are Annotations too.
 */
export class HaReport extends Construct {
  /** The report of the stack that contains `scope`, created on first use. */
  public static of(scope: IConstruct): HaReport {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(REPORT_ID);
    if (existing instanceof HaReport) return existing;
    return new HaReport(stack, REPORT_ID);
  }

  public readonly model = new AvailabilityModel();
  private readonly stack: TerraformStack;

  private constructor(stack: TerraformStack, id: string) {
    super(stack, id);
    this.stack = stack;
    addCustomSynthesis(this, { onSynthesize: (session) => this.write(session) });
    Aspects.of(stack).add(new HaRules(stack, () => this.document().findings));
  }

  /** The report as a document (what `ha-report.json` holds), with the stack's suppressions applied. */
  public document(): HaReportDocument {
    return analyze(this.stack.node.id, this.model, suppressionsIn(this.stack));
  }

  private write(session: ISynthesisSession): void {
    const manifest = session.manifest.forStack(this.stack);
    const dir = path.join(session.manifest.outdir, path.dirname(manifest.synthesizedStackPath));
    fs.mkdirSync(dir, { recursive: true });
    const doc = this.document();
    fs.writeFileSync(path.join(dir, HA_REPORT_FILE), `${JSON.stringify(doc, null, 2)}\n`);
    fs.writeFileSync(path.join(dir, HA_DIAGRAM_FILE), renderDiagram(doc));
  }
}
