// A tiny app for testing the runtime end to end: every worker adds 1s to known cells and checks each read
// against SSP's window, so a lost, doubled or too-fresh update fails the run. Its objective is the number of
// increments in the final model; expectedCells() says what every cell must hold.

import type { AppFactory, AppInstance, ModelView, RowView, WorkerApi } from "../apps/api.ts";

interface Shape {
  workers: number;
  rows: number;
  width: number;
  /** Staleness to check reads against; null = ∞, undefined = do not check. */
  staleness: number | null | undefined;
}

/** Cells worker `p` increments during clock `c` (each by 1). */
function cellsOf(shape: Shape, p: number, c: number): Array<[number, number]> {
  return [
    [(p + c) % shape.rows, c % shape.width],
    [(p * 7 + 3) % shape.rows, (shape.width - 1 + p) % shape.width],
  ];
}

/** Increments to (row, col) stamped ≤ maxClock by worker q. */
function countBy(shape: Shape, q: number, row: number, col: number, maxClock: number): number {
  let n = 0;
  for (let c = 0; c <= maxClock; c++)
    for (const [r, k] of cellsOf(shape, q, c)) if (r === row && k === col) n++;
  return n;
}

function positiveInt(options: Record<string, string>, name: string, fallback: number): number {
  const text = options[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`indicator app: option ${name} must be a positive integer, got ${text}`);
  return n;
}

export const indicatorApp: AppFactory = {
  name: "indicator",
  summary: "test app: workers add 1s to known cells and check every read against the SSP window",
  options: [
    { name: "rows", description: "rows of the counts table", default: "16" },
    { name: "width", description: "columns per row", default: "4" },
    { name: "reads", description: "reads per worker per clock", default: "3" },
    {
      name: "check-staleness",
      description: "check reads against this staleness (integer or inf)",
      default: "off",
    },
  ],
  create(options, context): AppInstance {
    const check = options["check-staleness"];
    const shape: Shape = {
      workers: context.workers,
      rows: positiveInt(options, "rows", 16),
      width: positiveInt(options, "width", 4),
      staleness: check === undefined || check === "off" ? undefined : check === "inf" ? null : Number(check),
    };
    if (
      shape.staleness !== undefined &&
      shape.staleness !== null &&
      !(Number.isInteger(shape.staleness) && shape.staleness >= 0)
    ) {
      throw new Error(`indicator app: check-staleness must be an integer, inf or off, got ${check}`);
    }
    const reads = positiveInt(options, "reads", 3);
    const failWorker = options["fail-worker"] === undefined ? -1 : Number(options["fail-worker"]);
    return {
      name: "indicator",
      objectiveName: "increments applied",
      objectiveGoal: "maximize",
      tables: () => [{ id: 0, name: "counts", width: shape.width, rows: shape.rows, valueType: "int32" }],
      async run(api: WorkerApi, clocks: number) {
        for (let c = 0; c < clocks; c++) {
          if (c === 1 && api.rank === failWorker) {
            throw new Error(`indicator app: worker ${api.rank} fails on purpose (fail-worker option)`);
          }
          const views: Array<{ row: number; view: RowView }> = [];
          for (let j = 0; j < reads; j++) {
            const row = (api.rank + c * reads + j) % shape.rows;
            const view = await api.read(0, row);
            if (shape.staleness !== undefined)
              checkRead(shape, clocks, api.rank, c, row, (col) => view.get(col));
            views.push({ row, view });
          }
          for (const [row, col] of cellsOf(shape, api.rank, c)) api.inc(0, row, col, 1);
          await api.compute(1);
          // A view stays valid until this worker's clock(): rows that arrived since must not have changed it.
          if (shape.staleness !== undefined)
            for (const { row, view } of views)
              checkRead(shape, clocks, api.rank, c, row, (col) => view.get(col));
          await api.clock();
        }
      },
      objective(model: ModelView) {
        let found = 0;
        for (let row = 0; row < shape.rows; row++) {
          const view = model.row(0, row);
          for (let col = 0; col < shape.width; col++) found += view.get(col);
        }
        return found;
      },
      describe: () => ({ rows: shape.rows, width: shape.width, reads }),
    };
  },
};

/** What the counts table must hold after `clocks` clocks: "row,col" → count. */
export function expectedCells(workers: number, clocks: number, rows = 16, width = 4): Map<string, number> {
  const shape: Shape = { workers, rows, width, staleness: undefined };
  const out = new Map<string, number>();
  for (let q = 0; q < workers; q++) {
    for (let c = 0; c < clocks; c++) {
      for (const [r, k] of cellsOf(shape, q, c)) out.set(`${r},${k}`, (out.get(`${r},${k}`) ?? 0) + 1);
    }
  }
  return out;
}

/**
 * A read by p at clock c (before p's increments of clock c) must hold every update stamped ≤ c−s−1, all of
 * p's own, and none stamped after c+s−1.
 */
function checkRead(
  shape: Shape,
  clocks: number,
  p: number,
  c: number,
  row: number,
  get: (col: number) => number,
): void {
  const s = shape.staleness;
  for (let col = 0; col < shape.width; col++) {
    let low = countBy(shape, p, row, col, c - 1);
    let high = low;
    for (let q = 0; q < shape.workers; q++) {
      if (q === p) continue;
      if (s !== null && s !== undefined) low += countBy(shape, q, row, col, c - s - 1);
      high += countBy(shape, q, row, col, s === null || s === undefined ? clocks - 1 : c + s - 1);
    }
    const v = get(col);
    if (v < low || v > high) {
      throw new Error(
        `SSP violated: worker ${p} at clock ${c} read ${v} in row ${row} column ${col}; the window allows [${low}, ${high}]`,
      );
    }
  }
}
