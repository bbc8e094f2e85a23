import { describe, expect, test } from "vitest";
import { loadOrder, moduleName, parseModuleIndex } from "../../../lib/drill/vm/kernel-modules";
import { VmError } from "../../../lib/drill/vm/vm-error";

const DEP = [
  "kernel/drivers/virtio/virtio_ring.ko:",
  "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko",
  "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko",
  "kernel/drivers/virtio/virtio_pci_legacy_dev.ko:",
  "kernel/net/9p/9pnet.ko:",
  "kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko",
  "kernel/fs/ip-vs-x.ko.xz:",
].join("\n");

describe("kernel modules", () => {
  test("a file's module name drops the folder, the suffix and dashes", () => {
    expect(moduleName("kernel/fs/ip-vs-x.ko.xz")).toBe("ip_vs_x");
    expect(moduleName("9pnet_virtio.ko")).toBe("9pnet_virtio");
  });

  test("dependencies load before what needs them, each once, in modprobe's order", () => {
    const index = parseModuleIndex(DEP);
    expect(loadOrder(index, ["virtio_pci", "9pnet_virtio"])).toEqual([
      "kernel/drivers/virtio/virtio_ring.ko",
      "kernel/drivers/virtio/virtio.ko",
      "kernel/drivers/virtio/virtio_pci_legacy_dev.ko",
      "kernel/drivers/virtio/virtio_pci.ko",
      "kernel/net/9p/9pnet.ko",
      "kernel/net/9p/9pnet_virtio.ko",
    ]);
  });

  test("built-in modules are left out; an unknown module is refused by name", () => {
    const index = parseModuleIndex(
      DEP,
      "kernel/drivers/virtio/virtio_ring.ko\nkernel/fs/overlayfs/overlay.ko\n",
    );
    expect(loadOrder(index, ["virtio", "overlay"])).toEqual(["kernel/drivers/virtio/virtio.ko"]);
    expect(() => loadOrder(index, ["ip_vs_nothing"])).toThrow(VmError);
    expect(() => loadOrder(index, ["ip_vs_nothing"])).toThrow(/no module ip_vs_nothing/);
  });
});
