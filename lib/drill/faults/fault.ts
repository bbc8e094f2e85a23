/**
 * A fault as injected into a lab host: what was done, when, and how to undo it. Faults speak only
 * to the `Lab` interface, so they work on any lab.
 */
export interface InjectedFault {
  /** What was done, in words. */
  readonly description: string;
  /** When it took effect, monotonic milliseconds (taken just before the first change). */
  readonly atMs: number;
  /** Undoes it: the link up, the partition healed, the lost node started afresh, ... */
  heal(): Promise<void>;
}
