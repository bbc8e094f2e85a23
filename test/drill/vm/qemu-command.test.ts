import { describe, expect, test } from "vitest";
import {
  kernelCommandLine,
  macFor,
  type QemuCommand,
  qemuArguments,
} from "../../../lib/drill/vm/qemu-command";
import { VmError } from "../../../lib/drill/vm/vm-error";

const BASE: QemuCommand = {
  kernel: "/cache/vmlinux",
  initrd: "/cache/initrd.cpio",
  memoryMb: 512,
  cpus: 1,
  modules: ["ip_vs", "ip_vs_mh"],
  nics: [],
  shares: [],
  hostname: "l4-a",
  consoleLog: "/run/x/console.log",
  controlSocket: "/run/x/control.sock",
};

function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] as string] : []));
}

describe("qemu command line", () => {
  test("an emulated CPU, no default devices and no network at all without nics", () => {
    const args = qemuArguments(BASE);
    expect(valuesOf(args, "-accel")).toEqual(["tcg"]);
    expect(args).toContain("-nodefaults");
    expect(valuesOf(args, "-nic")).toEqual(["none"]);
    expect(valuesOf(args, "-netdev")).toEqual([]);
    expect(args.join(" ")).not.toMatch(/\buser\b,|hostfwd|slirp/);
    expect(valuesOf(args, "-m")).toEqual(["512"]);
    expect(valuesOf(args, "-virtfs")[0]).toMatch(/^local,path=\/,mount_tag=hostroot,.*readonly=on/);
    expect(valuesOf(args, "-device")).toContain("virtserialport,chardev=ctl,name=ha.ctl");
  });

  test("a nic is a tap device with a fixed MAC; its address goes to the guest on the command line", () => {
    const c = { ...BASE, nics: [{ tap: "havm0", address: "198.18.9.2/30" }] };
    const args = qemuArguments(c);
    expect(valuesOf(args, "-nic")).toEqual([]);
    expect(valuesOf(args, "-netdev")).toEqual(["tap,id=net0,ifname=havm0,script=no,downscript=no"]);
    expect(valuesOf(args, "-device")).toContain(`virtio-net-pci,netdev=net0,mac=${macFor("havm0")}`);
    expect(macFor("havm0")).toMatch(/^52:54(:[0-9a-f]{2}){4}$/);
    expect(kernelCommandLine(c)).toBe(
      "console=ttyS0 quiet panic=-1 rdinit=/init ha.hostname=l4-a ha.modules=ip_vs,ip_vs_mh ha.net=eth0=198.18.9.2/30",
    );
  });

  test("a share is a 9p export, read-only unless told", () => {
    const c = {
      ...BASE,
      shares: [
        { hostPath: "/tmp/conf", guestPath: "/etc/ha" },
        { hostPath: "/tmp/out", guestPath: "/out", readOnly: false },
      ],
    };
    expect(valuesOf(qemuArguments(c), "-virtfs").slice(1)).toEqual([
      "local,path=/tmp/conf,mount_tag=share0,security_model=passthrough,readonly=on,id=share0",
      "local,path=/tmp/out,mount_tag=share1,security_model=passthrough,id=share1",
    ]);
    expect(kernelCommandLine(c)).toContain("ha.shares=share0:/etc/ha:ro,share1:/out:rw");
  });

  test("a disk is a raw virtio block device; the guest mounts it where it is told, in order", () => {
    const c = {
      ...BASE,
      disks: [
        { hostPath: "/cache/engine.img", guestPath: "/var/lib/ha-engine" },
        { hostPath: "/cache/other.img", guestPath: "/srv" },
      ],
    };
    const args = qemuArguments(c);
    expect(valuesOf(args, "-drive")).toEqual([
      "file=/cache/engine.img,if=none,id=disk0,format=raw,cache=writeback",
      "file=/cache/other.img,if=none,id=disk1,format=raw,cache=writeback",
    ]);
    expect(valuesOf(args, "-device")).toEqual(
      expect.arrayContaining(["virtio-blk-pci,drive=disk0", "virtio-blk-pci,drive=disk1"]),
    );
    expect(kernelCommandLine(c)).toContain("ha.disks=vda:/var/lib/ha-engine,vdb:/srv");
    expect(valuesOf(qemuArguments(BASE), "-drive")).toEqual([]);
    expect(kernelCommandLine(BASE)).not.toContain("ha.disks");
  });

  test.each<[string, Partial<QemuCommand>]>([
    ["memoryMb", { memoryMb: 64 }],
    ["cpus", { cpus: 0 }],
    ["hostname", { hostname: "a b" }],
    ["module", { modules: ["ip_vs,x"] }],
    ["tap", { nics: [{ tap: "a-name-far-too-long" }] }],
    ["address", { nics: [{ tap: "t0", address: "198.18.9.2" }] }],
    ["taps", { nics: [{ tap: "t0" }, { tap: "t0" }] }],
    ["share guestPath", { shares: [{ hostPath: "/tmp", guestPath: "/a b" }] }],
    ["disk hostPath", { disks: [{ hostPath: "/tmp/a,b.img", guestPath: "/d" }] }],
    ["disk guestPath", { disks: [{ hostPath: "/tmp/a.img", guestPath: "/" }] }],
  ])("a bad %s is refused, naming it", (what, change) => {
    expect(() => qemuArguments({ ...BASE, ...change })).toThrow(VmError);
    expect(() => qemuArguments({ ...BASE, ...change })).toThrow(`VM ${what} `);
  });
});
