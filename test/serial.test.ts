/**
 * The VM tier, in one file: vitest runs a file's suites one after another, and `vitest.config.mts`
 * runs this file in a project of its own after every other file has finished, so that its guests
 * have the machine to themselves. Each VM guest is an emulated CPU that takes what it can get:
 * beside other drills (as it once ran, on the second of two workers) guests starved past their
 * drills' bounds, and their qemu slowed the other drills and timed checks past theirs.
 * `withVmSlot` still keeps other processes on this machine (a second test run, a drill by hand)
 * from overlapping them.
 *
 * One suite alone: `npx vitest run test/serial.test.ts -t "<suite name>"`.
 */
import "./drill/three-tier/drill.serial";
import "./drill/core/split-lab.serial";
// The three tiers' drill stack deployed on a Docker engine inside a VM (the deploy tier for a
// stack that needs IPVS), with the gateway's and BFD's timers an emulated CPU keeps. Alone:
// `npm run test:engine-vm`.
import "./deploy/docker-engine-vm.engine-vm";
