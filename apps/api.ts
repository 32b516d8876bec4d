// The worker API: everything an ML program sees. The simulator and the TCP runtime both implement it, so an
// app written against it runs unchanged on either host.

import type { DenseValues, RowView } from "../core/rows.ts";
import type { RowKind, TableSpec, ValueType } from "../core/tables.ts";
import type { Random } from "./random.ts";

export type { RowView } from "../core/rows.ts";
export type { Random } from "./random.ts";

export interface WorkerApi {
  /** This worker's global rank in [0, workers). */
  readonly rank: number;
  /** Total number of logical workers in the job. */
  readonly workers: number;
  /** This worker's own seeded stream (for sampling, minibatches, …). */
  readonly random: Random;
  /**
   * The row as SSP allows this worker to see it at its current clock; waits when the cache is too stale.
   * The view is valid until this worker's next clock(): copy what you keep longer (`view.array()` into an
   * array of your own). A host may reuse the row's memory after that (the runtime reads later rows into it).
   */
  read(table: number, row: number): Promise<RowView>;
  /**
   * Reads several rows of one table with one wait: every missing row is requested at once, so the misses of
   * a clock cost one round trip rather than one each. Prefer it whenever the rows are known up front. The
   * views are valid until this worker's next clock(), as read's.
   */
  readMany(table: number, rows: readonly number[]): Promise<RowView[]>;
  inc(table: number, row: number, col: number, delta: number): void;
  incRow(table: number, row: number, deltas: ArrayLike<number>): void;
  /**
   * incRow without the copy, for long float rows pushed whole (ps-lite's zero-copy push): the host may send
   * `values` itself, so leave them unchanged until this worker's next clock() resolves, which waits for their
   * bytes to leave. Rows under 1 MB are copied (a copy costs less than that wait), and the simulator copies
   * every row. An array from core/rows.ts's newKernelDense is checked where it is, and a shorter one copied
   * in one pass.
   */
  lendRow(table: number, row: number, values: Float32Array | Float64Array): void;
  /** Ends this worker's clock (commits its updates). */
  clock(): Promise<void>;
  /**
   * Declares work done, in reference nanoseconds (what the work takes on the reference machine; see
   * apps/cost.ts). The simulator charges simulated time from the hardware profile; the runtime, none.
   */
  compute(units: number): Promise<void>;
}

/** A table as an app declares it; the host adds consistency and staleness from the run's configuration. */
export interface TableShape {
  id: number;
  name: string;
  width: number;
  rowKind?: RowKind;
  valueType?: ValueType;
  rows?: number;
  initRow?: (row: number, out: DenseValues) => void;
}

/** Read access to a consistent model (every update stamped < clock), for objectives. */
export interface ModelView {
  /** The row's values, or the table's initial row if no one has written it. */
  row(table: number, row: number): RowView;
}

export interface AppInstance {
  readonly name: string;
  /** What the objective measures and which way is better. */
  readonly objectiveName: string;
  readonly objectiveGoal: "minimize" | "maximize";
  tables(): TableShape[];
  /** One worker's program: `clocks` clocks of work, each ending with `api.clock()`. */
  run(api: WorkerApi, clocks: number): Promise<void>;
  /** The objective on a consistent model, evaluated outside the timed path. */
  objective(model: ModelView): number;
  /** Optional extra measures on the same consistent model (held-out RMSE, accuracy, …), also outside timing. */
  evaluate?(model: ModelView): Record<string, number>;
  /** A short description of the data and the run, for headers and reports. */
  describe(): Record<string, string | number>;
}

export interface AppContext {
  workers: number;
  seed: number;
  /** Clocks the run will last, when the host knows it up front. */
  clocks?: number;
}

/** Options come from the command line as strings, already split into name → value. */
export type AppOptions = Record<string, string>;

export interface AppOptionDoc {
  name: string;
  description: string;
  default: string;
}

export interface AppFactory {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly AppOptionDoc[];
  create(options: AppOptions, context: AppContext): AppInstance;
}

/** Re-exported so hosts can build full specs from shapes without importing two modules. */
export type { TableSpec };
