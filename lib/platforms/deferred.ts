import { type IResolvable, type IResolveContext, Token } from "cdktf";

/**
 * A value computed at synthesis, like cdktf's `Lazy`, without recording the call stack: `Lazy`
 * captures a full stack trace for every token, which for one container per host was the largest
 * cost of constructing big topologies (see bench/). Platforms use it for per-host values.
 */
class Deferred implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly produce: () => unknown) {}

  public resolve(_context: IResolveContext): unknown {
    return this.produce();
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/** A string known at synthesis. */
export function deferredString(produce: () => string): string {
  return Token.asString(new Deferred(produce));
}

/** Any value known at synthesis. */
export function deferredValue(produce: () => unknown): IResolvable {
  return new Deferred(produce);
}
