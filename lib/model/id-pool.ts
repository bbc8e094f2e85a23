import { type ErrorLocation, invalid } from "../errors";

/** A kind of numeric id that must be unique where it is used (per segment or per platform). */
export interface IdPoolSpec {
  /** Stable name of the pool, e.g. "vrrp-router-id". */
  readonly name: string;
  /** The prop that sets such an id, for error messages, e.g. "virtualRouterId". */
  readonly what: string;
  /** What the ids are, in words, e.g. "virtual router id". */
  readonly description: string;
  readonly min: number;
  readonly max: number;
  /**
   * Ids are given out from here up first, then from `min`: leaves the low ids to people who set
   * them by hand.
   * @default - `min`
   */
  readonly preferredFrom?: number;
}

/** VRRP virtual router ids: unique per L2 segment (RFC 5798), 1-255, handed out from 51 up. */
export const VRRP_ROUTER_IDS: IdPoolSpec = {
  name: "vrrp-router-id",
  what: "virtualRouterId",
  description: "virtual router id",
  min: 1,
  max: 255,
  preferredFrom: 51,
};

/** Ids of one pool in one place (a segment, a platform): who holds which. */
export class IdPool {
  private readonly holders = new Map<number, string>();

  constructor(
    public readonly spec: IdPoolSpec,
    /** Where the ids must be unique, for error messages, e.g. "segment stack/local/Network". */
    public readonly scopeName: string,
  ) {}

  /**
   * Reserves `id` for `owner`, or gives out the lowest free id (from `preferredFrom` up, then
   * from `min`). Throws a ValidationError at `where` for an id outside the range or taken.
   */
  public reserve(where: ErrorLocation, owner: string, id?: number): number {
    const { what, min, max } = this.spec;
    if (id !== undefined) {
      if (!Number.isInteger(id) || id < min || id > max) {
        invalid(where, what, id, `use a whole number from ${min} to ${max}`);
      }
      const holder = this.holders.get(id);
      if (holder !== undefined) {
        invalid(
          where,
          what,
          id,
          `id ${id} is already used on ${this.scopeName} by ${holder}; ids must be unique per ${this.scopeName.split(" ")[0]}`,
        );
      }
      this.holders.set(id, owner);
      return id;
    }
    const from = this.spec.preferredFrom ?? min;
    for (const [start, end] of [
      [from, max],
      [min, from - 1],
    ] as const) {
      for (let candidate = start; candidate <= end; candidate++) {
        if (!this.holders.has(candidate)) {
          this.holders.set(candidate, owner);
          return candidate;
        }
      }
    }
    return invalid(
      where,
      what,
      owner,
      `${this.scopeName} has no free ${this.spec.description} left (${min}-${max})`,
    );
  }

  /** Every id in use and its holder, sorted by id. */
  public get assignments(): Array<{ id: number; owner: string }> {
    return [...this.holders.entries()].sort((a, b) => a[0] - b[0]).map(([id, owner]) => ({ id, owner }));
  }
}

/** The id pools of one place (a segment, a platform), one per kind of id, made on first use. */
export class IdPools {
  private readonly pools = new Map<string, IdPool>();

  constructor(
    /** Where the ids must be unique, for error messages, e.g. "segment stack/local/Network". */
    public readonly scopeName: string,
  ) {}

  /** Reserves an id of `spec` (see IdPool.reserve). */
  public reserve(where: ErrorLocation, spec: IdPoolSpec, owner: string, id?: number): number {
    let pool = this.pools.get(spec.name);
    if (pool === undefined) {
      pool = new IdPool(spec, this.scopeName);
      this.pools.set(spec.name, pool);
    }
    return pool.reserve(where, owner, id);
  }
}
