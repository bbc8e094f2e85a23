/** Raised for a stack, a command line or a machine the drill cannot work with. */
export class DrillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrillError";
  }
}
