/**
 * The tests that must not share this machine with one another, in one file: vitest runs a file's
 * suites one after another on one worker, while the other worker runs every other file
 * (the sequencer in `vitest.config.mts` starts this one first, as it is the longest). Each VM guest is an
 * emulated CPU that takes what it can get, and the PostgreSQL drills time failovers in seconds:
 * beside one another both slow past their bounds. `withVmSlot` still keeps other processes on
 * this machine (a second test run, a drill by hand) from overlapping them.
 *
 * One suite alone: `npx vitest run test/serial.test.ts -t "<suite name>"`.
 */
import "./drill/three-tier/drill.serial";
import "./drill/core/split-lab.serial";
import "./drill/replicated-postgres/drill.serial";
import "./drill/replicated-postgres/lab.serial";
// Last, when the other worker has usually finished: the three tiers' drill stack deployed on a
// Docker engine inside a VM (the deploy tier for a stack that needs IPVS), with the gateway's
// and BFD's timers an emulated CPU keeps. Alone: `npm run test:engine-vm`.
import "./deploy/docker-engine-vm.engine-vm";
