// A synthetic workload with no math, for scale studies and for checking SSP itself: each clock a worker
// reads some rows, computes, increments what it read, and ends the clock.
//
// In check mode every increment is an indicator: worker w at clock c adds 1 to column w·C + c of each row
// it touches (C = clocks), and it reads every row before incrementing it, so any read's values decode into
// exactly the set of (worker, clock) updates it contains. The SSP checker relies on this.

import type { AppContext, AppFactory, AppInstance, AppOptions, TableShape, WorkerApi } from "./api.ts";

/** Up to this many rows per clock, repeats are found by scanning the rows chosen so far. */
const SCAN_MAX_ROWS = 32;

export interface SyntheticOptions {
  rows: number;
  width: number;
  rowsPerClock: number;
  computeUnits: number;
  check: boolean;
}

function parsePositiveInt(options: AppOptions, name: string, fallback: number): number {
  const text = options[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`synthetic: --${name} must be a positive integer, got "${text}"`);
  return n;
}

export const synthetic: AppFactory = {
  name: "synthetic",
  summary: "no math: rows read and incremented per clock, for scale studies and SSP checks",
  options: [
    { name: "rows", description: "rows in the table", default: "1000" },
    { name: "width", description: "values per row (ignored in check mode)", default: "16" },
    { name: "rows-per-clock", description: "rows each worker reads and increments per clock", default: "4" },
    { name: "compute-units", description: "work units each worker computes per clock", default: "1000000" },
    { name: "check", description: "1: indicator increments that the SSP checker decodes", default: "0" },
  ],
  create(options: AppOptions, context: AppContext): AppInstance {
    const check = options.check === "1" || options.check === "true";
    const opts: SyntheticOptions = {
      rows: parsePositiveInt(options, "rows", 1000),
      width: parsePositiveInt(options, "width", 16),
      rowsPerClock: parsePositiveInt(options, "rows-per-clock", 4),
      computeUnits: parsePositiveInt(options, "compute-units", 1_000_000),
      check,
    };
    if (opts.rowsPerClock > opts.rows) {
      throw new RangeError(`synthetic: rows-per-clock (${opts.rowsPerClock}) exceeds rows (${opts.rows})`);
    }
    if (check && context.clocks === undefined)
      throw new RangeError("synthetic check mode needs the run's clock count");
    return new SyntheticApp(opts, context);
  },
};

class SyntheticApp implements AppInstance {
  readonly name = "synthetic";
  readonly objectiveName = "none";
  readonly objectiveGoal = "minimize" as const;
  private readonly width: number;

  constructor(
    private readonly options: SyntheticOptions,
    context: AppContext,
  ) {
    this.width = options.check ? context.workers * (context.clocks ?? 1) : options.width;
  }

  tables(): TableShape[] {
    return [
      {
        id: 0,
        name: "synthetic",
        width: Math.max(1, this.width),
        valueType: this.options.check ? "int32" : "float64",
        rows: this.options.rows,
      },
    ];
  }

  async run(api: WorkerApi, clocks: number): Promise<void> {
    const { rows, rowsPerClock, computeUnits, check } = this.options;
    // Reused every clock: at thousands of simulated workers, a fresh array per clock was garbage. A few rows
    // are checked for repeats by a scan; a set's clear() allocated a new table every clock.
    const chosen = rowsPerClock > SCAN_MAX_ROWS ? new Set<number>() : null;
    const touched: number[] = [];
    for (let c = 0; c < clocks; c++) {
      chosen?.clear();
      touched.length = 0;
      while (touched.length < rowsPerClock) {
        const row = api.random.int(rows);
        if (chosen === null ? touched.includes(row) : chosen.has(row)) continue;
        chosen?.add(row);
        touched.push(row);
      }
      await api.readMany(0, touched);
      await api.compute(computeUnits);
      for (const row of touched) {
        if (check) api.inc(0, row, api.rank * clocks + c, 1);
        else api.inc(0, row, api.random.int(this.width), 1);
      }
      await api.clock();
    }
  }

  objective(): number {
    return Number.NaN;
  }

  describe(): Record<string, string | number> {
    const o = this.options;
    return {
      rows: o.rows,
      width: this.width,
      rowsPerClock: o.rowsPerClock,
      computeUnits: o.computeUnits,
      check: o.check ? 1 : 0,
    };
  }
}
