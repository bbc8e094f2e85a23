import { AnnotationMetadataEntryType, Annotations, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import type { Finding } from "./report-document";
import { Severity } from "./rules/rule";
import { addSuppression } from "./suppressions";

/** The annotation metadata types cdktf writes, by severity. */
const METADATA_TYPE: Record<Severity, AnnotationMetadataEntryType> = {
  [Severity.ERROR]: AnnotationMetadataEntryType.ERROR,
  [Severity.WARNING]: AnnotationMetadataEntryType.WARN,
  [Severity.INFO]: AnnotationMetadataEntryType.INFO,
};

/**
 * The HA rule pack as an Aspect (in the manner of cdk-nag). Every stack's `HaReport` adds one to
 * its stack; at synthesis it runs the rules over the stack's availability model and puts each
 * finding in force on the construct it names as an Annotation: an error fails synthesis, a
 * warning or info does not. The same findings are in `ha-report.json`.
 *
 * ```ts
 * HaRules.suppress(platform, "HA-SinglePointOfFailure", "a lab on one laptop: one Docker host is the point");
 * ```
 */
export class HaRules implements IAspect {
  /**
   * Suppresses the findings of `ruleId` on `construct` and every construct under it. `reason` is
   * required (a ValidationError otherwise) and is listed in the report's `suppressedFindings`.
   */
  public static suppress(construct: IConstruct, ruleId: string, reason: string): void {
    addSuppression(construct, ruleId, reason);
  }

  /**
   * @param root the stack whose findings this aspect annotates
   * @param findings the findings in force, computed when the aspect runs
   */
  constructor(
    private readonly root: IConstruct,
    private readonly findings: () => readonly Finding[],
  ) {}

  public visit(node: IConstruct): void {
    // Inherited by every construct of the stack; the work is done once, at the stack.
    if (node !== this.root) return;
    const byPath = new Map(this.root.node.findAll().map((c) => [c.node.path, c]));
    for (const f of this.findings()) annotate(this.nearest(byPath, f.constructPath), f);
  }

  /** The construct at `path`, or its nearest ancestor in the stack, or the stack. */
  private nearest(byPath: ReadonlyMap<string, IConstruct>, path: string): IConstruct {
    for (let p = path; p.length > 0; p = p.slice(0, Math.max(0, p.lastIndexOf("/")))) {
      const c = byPath.get(p);
      if (c) return c;
    }
    return this.root;
  }
}

/** The Annotation text of a finding: its rule id first, as cdk-nag writes it. */
export function annotationText(f: Finding): string {
  return `${f.ruleId}: ${f.message}`;
}

/** Annotates once: aspects run again on every synthesis of the same tree. */
function annotate(construct: IConstruct, f: Finding): void {
  const text = annotationText(f);
  const type = METADATA_TYPE[f.severity];
  if (construct.node.metadata.some((m) => m.type === type && m.data === text)) return;
  const a = Annotations.of(construct);
  if (f.severity === Severity.ERROR) a.addError(text);
  else if (f.severity === Severity.WARNING) a.addWarning(text);
  else a.addInfo(text);
}
