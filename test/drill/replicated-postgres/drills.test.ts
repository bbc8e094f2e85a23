/**
 * The replicated PostgreSQL drills and the stack in the drill lab, one suite after another in
 * one file: each runs a cluster whose failovers are timed in seconds, and two beside each other
 * would slow both past their bounds. The sequencer in `vitest.config.mts` starts this file first,
 * as it is the longest of those that run beside each other; the VM tier runs after all of them.
 *
 * One suite alone: `npx vitest run test/drill/replicated-postgres/drills.test.ts -t "<suite name>"`.
 */
import "./drill.serial";
import "./lab.serial";
