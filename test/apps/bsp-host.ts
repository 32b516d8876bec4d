// A minimal exact-BSP host for testing the apps before (and independently of) the simulator: every worker
// sees the model as of the last barrier plus its own updates; clock() is a barrier that merges everyone's.

import type { AppInstance, ModelView, WorkerApi } from "../../apps/api.ts";
import { stream } from "../../apps/random.ts";
import { addAt, type DenseValues, newDense, RowView } from "../../core/rows.ts";

export interface BspRun {
  objectives: number[];
  model: ModelView;
  computeUnits: number[];
}

/** `objectives: false` skips the per-clock objective (for timing); the final model is still returned. */
export async function runBsp(
  app: AppInstance,
  workers: number,
  clocks: number,
  seed: number,
  objectives = true,
): Promise<BspRun> {
  const shapes = new Map(app.tables().map((t) => [t.id, t]));
  const committed = new Map<string, DenseValues>();
  const pending: Map<string, DenseValues>[] = Array.from({ length: workers }, () => new Map());
  const computeUnits = new Array<number>(workers).fill(0);
  const fresh = (table: number, row: number): DenseValues => {
    const shape = shapes.get(table);
    if (shape === undefined) throw new Error(`no table ${table}`);
    const v = newDense(shape.valueType ?? "float64", shape.width);
    shape.initRow?.(row, v);
    return v;
  };
  const get = (map: Map<string, DenseValues>, table: number, row: number, create: boolean) => {
    const key = `${table}/${row}`;
    let v = map.get(key);
    if (v === undefined && create) map.set(key, (v = map === committed ? fresh(table, row) : fresh0(table)));
    return v;
  };
  const fresh0 = (table: number) =>
    newDense(shapes.get(table)!.valueType ?? "float64", shapes.get(table)!.width);
  const model: ModelView = {
    row: (table, row) =>
      new RowView(shapes.get(table)!.width, get(committed, table, row, false) ?? fresh(table, row)),
  };
  const samples: number[] = objectives ? [app.objective(model)] : [];
  let arrived = 0;
  let release: () => void = () => {};
  let barrier = new Promise<void>((r) => {
    release = r;
  });
  const readNow = (rank: number, table: number, row: number) => {
    const v = (get(committed, table, row, false) ?? fresh(table, row)).slice();
    const mine = get(pending[rank], table, row, false);
    if (mine !== undefined) for (let i = 0; i < v.length; i++) addAt(v, i, mine[i]);
    return new RowView(v.length, v);
  };
  const apis: WorkerApi[] = Array.from({ length: workers }, (_, rank) => ({
    rank,
    workers,
    random: stream(seed, `worker/${rank}`, "app"),
    read: async (table, row) => readNow(rank, table, row),
    readMany: async (table, rows) => rows.map((row) => readNow(rank, table, row)),
    inc: (table, row, col, delta) => addAt(get(pending[rank], table, row, true)!, col, delta),
    incRow: (table, row, deltas) => {
      const p = get(pending[rank], table, row, true)!;
      for (let i = 0; i < p.length; i++) addAt(p, i, deltas[i]);
    },
    lendRow: (table, row, values) => apis[rank].incRow(table, row, values),
    compute: async (units) => {
      computeUnits[rank] += units;
    },
    clock: async () => {
      const wait = barrier;
      if (++arrived === workers) {
        for (const p of pending) {
          for (const [key, delta] of p) {
            const [t, r] = key.split("/").map(Number);
            const target = get(committed, t, r, true)!;
            for (let i = 0; i < target.length; i++) addAt(target, i, delta[i]);
          }
          p.clear();
        }
        if (objectives) samples.push(app.objective(model));
        arrived = 0;
        const done = release;
        barrier = new Promise<void>((r) => {
          release = r;
        });
        done();
      }
      await wait;
    },
  }));
  await Promise.all(apis.map((api) => app.run(api, clocks)));
  return { objectives: samples, model, computeUnits };
}
