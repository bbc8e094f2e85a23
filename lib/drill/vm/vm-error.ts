/** Raised when a VM image cannot be made, a VM does not boot, or its command channel fails. */
export class VmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VmError";
  }
}
