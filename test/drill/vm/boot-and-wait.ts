/**
 * Child process of the VM tier's signal test: boots a VM from the cache folder in argv[2],
 * prints `qemu <pid>` and waits to be signalled: its cleanup registry kills qemu on SIGTERM or
 * SIGINT, the parent-death signal qemu was started with on SIGKILL.
 */
import { VirtualMachine } from "../../../lib/drill/vm/virtual-machine";

VirtualMachine.boot({ cacheDir: process.argv[2], modules: [] }).then(
  (vm) => {
    console.log(`qemu ${vm.pid}`);
    setInterval(() => undefined, 1_000);
  },
  (e: Error) => {
    console.error(e.message);
    process.exit(1);
  },
);
