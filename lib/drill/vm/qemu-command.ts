/**
 * The qemu command line of a VM: an emulated CPU (TCG; this machine's KVM cannot run an
 * unmodified guest), no default devices and no network but the tap devices asked for (never
 * user-mode networking, which would reach the host's networks), the host's root as a read-only
 * 9p share, the console in a log file and the command channel on a virtio-serial port.
 */
import { CONTROL_PORT } from "./guest-agent";
import { HOST_ROOT_TAG } from "./guest-init";
import { VmError } from "./vm-error";

/** A network device of the guest: a tap device on the host, `eth<n>` in the guest. */
export interface VmNic {
  /** Name of the tap device on the host (at most 15 characters). */
  readonly tap: string;
  /** Network namespace the tap device is moved to once qemu made it; the host's when absent. */
  readonly namespace?: string;
  /** Address with prefix the guest gives its end, e.g. `198.18.9.2/24`. */
  readonly address?: string;
  /** MAC address of the guest's end. @default one derived from the tap's name */
  readonly mac?: string;
}

/** A host folder the guest mounts over 9p. */
export interface VmShare {
  readonly hostPath: string;
  readonly guestPath: string;
  /** @default true */
  readonly readOnly?: boolean;
}

/**
 * A raw disk image the guest mounts as ext4 (`/dev/vda`, `/dev/vdb`, ... in order): storage that
 * outlives the VM, for what must not live in the guest's memory or be made again each boot.
 */
export interface VmDisk {
  /** The image file on the host (made by `makeScratchDisk`). */
  readonly hostPath: string;
  /** Where the guest mounts it. */
  readonly guestPath: string;
}

/** Everything the command line depends on. */
export interface QemuCommand {
  readonly kernel: string;
  readonly initrd: string;
  readonly memoryMb: number;
  readonly cpus: number;
  readonly modules: readonly string[];
  readonly nics: readonly VmNic[];
  readonly shares: readonly VmShare[];
  /** @default none */
  readonly disks?: readonly VmDisk[];
  readonly hostname: string;
  readonly consoleLog: string;
  readonly controlSocket: string;
}

const WORD = /^[A-Za-z0-9_.-]+$/;
const PATH = /^\/[A-Za-z0-9_./-]*$/;
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function check(ok: boolean, what: string, value: unknown, allowed: string): void {
  if (!ok) throw new VmError(`VM ${what} ${JSON.stringify(value)} is not allowed: ${allowed}`);
}

/** A locally administered MAC address derived from `name`. */
export function macFor(name: string): string {
  let h = 0x811c9dc5;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  const bytes = [0x52, 0x54, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

function validate(c: QemuCommand): void {
  check(
    Number.isInteger(c.memoryMb) && c.memoryMb >= 128 && c.memoryMb <= 8192,
    "memoryMb",
    c.memoryMb,
    "128..8192",
  );
  check(Number.isInteger(c.cpus) && c.cpus >= 1 && c.cpus <= 8, "cpus", c.cpus, "1..8");
  check(WORD.test(c.hostname) && c.hostname.length <= 63, "hostname", c.hostname, "letters, digits, _ . -");
  for (const m of c.modules) check(WORD.test(m), "module", m, "a module name");
  for (const n of c.nics) {
    check(WORD.test(n.tap) && n.tap.length <= 15, "tap", n.tap, "an interface name of at most 15 characters");
    if (n.namespace !== undefined)
      check(WORD.test(n.namespace), "namespace", n.namespace, "a namespace name");
    if (n.address !== undefined)
      check(CIDR.test(n.address), "address", n.address, "an IPv4 address with prefix");
    if (n.mac !== undefined) check(MAC.test(n.mac), "mac", n.mac, "six lower-case hex pairs");
  }
  check(
    new Set(c.nics.map((n) => n.tap)).size === c.nics.length,
    "taps",
    c.nics.map((n) => n.tap),
    "distinct names",
  );
  for (const s of c.shares) {
    check(
      PATH.test(s.hostPath),
      "share hostPath",
      s.hostPath,
      "an absolute path of letters, digits, _ . - /",
    );
    check(
      PATH.test(s.guestPath),
      "share guestPath",
      s.guestPath,
      "an absolute path of letters, digits, _ . - /",
    );
  }
  const disks = c.disks ?? [];
  check(disks.length <= 8, "disks", disks.length, "at most 8");
  for (const d of disks) {
    check(PATH.test(d.hostPath), "disk hostPath", d.hostPath, "an absolute path of letters, digits, _ . - /");
    check(
      PATH.test(d.guestPath) && d.guestPath !== "/",
      "disk guestPath",
      d.guestPath,
      "an absolute path of letters, digits, _ . - / other than /",
    );
  }
}

/** The guest's name of the `i`th disk (`vda`, `vdb`, ...). */
export function diskDevice(i: number): string {
  return `vd${String.fromCharCode(97 + i)}`;
}

/** The kernel command line: console, panic ends the VM, and the `ha.*` options of stage 2. */
export function kernelCommandLine(c: QemuCommand): string {
  const words = ["console=ttyS0", "quiet", "panic=-1", "rdinit=/init", `ha.hostname=${c.hostname}`];
  if (c.modules.length) words.push(`ha.modules=${c.modules.join(",")}`);
  if (c.nics.length) {
    words.push(`ha.net=${c.nics.map((n, i) => (n.address ? `eth${i}=${n.address}` : `eth${i}`)).join(",")}`);
  }
  if (c.shares.length) {
    words.push(
      `ha.shares=${c.shares.map((s, i) => `share${i}:${s.guestPath}:${s.readOnly === false ? "rw" : "ro"}`).join(",")}`,
    );
  }
  const disks = c.disks ?? [];
  if (disks.length)
    words.push(`ha.disks=${disks.map((d, i) => `${diskDevice(i)}:${d.guestPath}`).join(",")}`);
  return words.join(" ");
}

/** The arguments of `qemu-system-x86_64` for `c`; throws VmError for a value it cannot pass. */
export function qemuArguments(c: QemuCommand): string[] {
  validate(c);
  const args = [
    ...["-accel", "tcg", "-m", String(c.memoryMb), "-smp", String(c.cpus)],
    ...["-nodefaults", "-no-user-config", "-display", "none", "-no-reboot", "-monitor", "none"],
    ...["-kernel", c.kernel, "-initrd", c.initrd, "-append", kernelCommandLine(c)],
    ...["-chardev", `file,id=console,path=${c.consoleLog}`, "-serial", "chardev:console"],
    "-virtfs",
    `local,path=/,mount_tag=${HOST_ROOT_TAG},security_model=passthrough,readonly=on,multidevs=remap,id=${HOST_ROOT_TAG}`,
    ...["-device", "virtio-serial-pci"],
    ...["-chardev", `socket,id=ctl,path=${c.controlSocket},server=on,wait=off`],
    ...["-device", `virtserialport,chardev=ctl,name=${CONTROL_PORT}`],
  ];
  c.shares.forEach((s, i) => {
    const ro = s.readOnly === false ? "" : ",readonly=on";
    args.push(
      "-virtfs",
      `local,path=${s.hostPath},mount_tag=share${i},security_model=passthrough${ro},id=share${i}`,
    );
  });
  (c.disks ?? []).forEach((d, i) => {
    // writeback: the guest's own flushes reach the file; what it never flushed may be lost.
    args.push("-drive", `file=${d.hostPath},if=none,id=disk${i},format=raw,cache=writeback`);
    args.push("-device", `virtio-blk-pci,drive=disk${i}`);
  });
  if (c.nics.length === 0) args.push("-nic", "none");
  c.nics.forEach((n, i) => {
    args.push("-netdev", `tap,id=net${i},ifname=${n.tap},script=no,downscript=no`);
    args.push("-device", `virtio-net-pci,netdev=net${i},mac=${n.mac ?? macFor(n.tap)}`);
  });
  return args;
}
