/** Raised for a stack the engine deployer cannot deploy faithfully, or an engine that fails. */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineError";
  }
}
