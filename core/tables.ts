// Table declarations: what a table holds and how consistent its reads are.

export type ValueType = "float64" | "float32" | "int32";
export type RowKind = "dense" | "sparse";
export type Consistency = "bsp" | "ssp" | "async" | "essp";

export interface TableSpec {
  /** Small integer id, unique within a job; it is what travels on the wire. */
  readonly id: number;
  readonly name: string;
  readonly rowKind: RowKind;
  /** Number of columns. Dense rows store exactly this many values; sparse rows accept columns below it. */
  readonly width: number;
  readonly valueType: ValueType;
  readonly consistency: Consistency;
  /** Staleness s: 0 for BSP, Infinity for async, the configured bound for SSP and ESSP. */
  readonly staleness: number;
  /** Number of rows, when known; range placement needs it, the other placements ignore it. */
  readonly rows?: number;
  /**
   * Deterministic initial value of a dense row (e.g. small seeded factors for matrix factorisation). The
   * shard calls it when it first creates the row; without it rows start at zero.
   */
  readonly initRow?: (row: number, out: Float64Array | Float32Array | Int32Array) => void;
}

export interface TableOptions {
  id: number;
  name: string;
  rowKind?: RowKind;
  width: number;
  valueType?: ValueType;
  consistency?: Consistency;
  staleness?: number;
  rows?: number;
  initRow?: TableSpec["initRow"];
}

/** Builds a validated table spec; BSP forces s = 0 and async forces s = ∞ so the two can never disagree. */
export function defineTable(options: TableOptions): TableSpec {
  const consistency = options.consistency ?? "ssp";
  const staleness =
    consistency === "bsp" ? 0 : consistency === "async" ? Number.POSITIVE_INFINITY : (options.staleness ?? 0);
  const spec: TableSpec = {
    id: options.id,
    name: options.name,
    rowKind: options.rowKind ?? "dense",
    width: options.width,
    valueType: options.valueType ?? "float64",
    consistency,
    staleness,
    rows: options.rows,
    initRow: options.initRow,
  };
  validateTable(spec);
  return spec;
}

export function validateTable(spec: TableSpec): void {
  const where = `table ${JSON.stringify(spec.name)} (id ${spec.id})`;
  if (!Number.isInteger(spec.id) || spec.id < 0 || spec.id > 0xffff) {
    throw new RangeError(`${where}: id must be an integer in [0, 65535]`);
  }
  if (!Number.isInteger(spec.width) || spec.width < 1) {
    throw new RangeError(`${where}: width must be a positive integer, got ${spec.width}`);
  }
  if (
    !(spec.staleness >= 0) ||
    (!Number.isInteger(spec.staleness) && spec.staleness !== Number.POSITIVE_INFINITY)
  ) {
    throw new RangeError(
      `${where}: staleness must be a non-negative integer or Infinity, got ${spec.staleness}`,
    );
  }
  if (spec.consistency === "bsp" && spec.staleness !== 0) {
    throw new RangeError(`${where}: BSP means staleness 0, got ${spec.staleness}`);
  }
  if (spec.consistency === "async" && spec.staleness !== Number.POSITIVE_INFINITY) {
    throw new RangeError(`${where}: async means unbounded staleness, got ${spec.staleness}`);
  }
  if (spec.initRow !== undefined && spec.rowKind !== "dense") {
    throw new RangeError(`${where}: initRow needs dense rows`);
  }
  if (spec.rows !== undefined && (!Number.isInteger(spec.rows) || spec.rows < 1)) {
    throw new RangeError(`${where}: rows must be a positive integer when given, got ${spec.rows}`);
  }
}

/**
 * Tables already validated, by list: a simulation builds a client per machine and a shard per server from
 * one list, and one shared map stays in the CPU cache where a map per client was a cold lookup per message.
 */
const validated = new WeakMap<readonly TableSpec[], Map<number, TableSpec>>();

/** The tables by id, validated; read-only (the map may be shared with other users of the same list). */
export function validateTables(tables: readonly TableSpec[]): ReadonlyMap<number, TableSpec> {
  const known = validated.get(tables);
  if (known !== undefined && known.size === tables.length && tables.every((t) => known.get(t.id) === t)) {
    for (const t of tables) validateTable(t);
    return known;
  }
  const byId = new Map<number, TableSpec>();
  for (const t of tables) {
    validateTable(t);
    if (byId.has(t.id))
      throw new RangeError(`two tables share id ${t.id}: ${byId.get(t.id)!.name} and ${t.name}`);
    byId.set(t.id, t);
  }
  validated.set(tables, byId);
  return byId;
}
