// A bare single-worker host for measuring an app's own work: the model lives in one Map, reads return the
// live rows (no copies, no messages), increments add in place, and compute() only counts. Whatever time a
// run takes here is the app's computation plus the least a host can add to it.

import type { AppInstance, WorkerApi } from "../../apps/api.ts";
import { stream } from "../../apps/random.ts";
import { rowKey } from "../../core/keys.ts";
import { type DenseValues, newDense, RowView } from "../../core/rows.ts";

export async function runLocally(
  app: AppInstance,
  clocks: number,
  seed: number,
): Promise<{ declaredUnits: number }> {
  const shapes = new Map(app.tables().map((t) => [t.id, t]));
  const rows = new Map<number, DenseValues>();
  const rowOf = (table: number, row: number): DenseValues => {
    const key = rowKey(table, row);
    let v = rows.get(key);
    if (v === undefined) {
      const shape = shapes.get(table);
      if (shape === undefined) throw new Error(`${app.name} used unknown table ${table}`);
      v = newDense(shape.valueType ?? "float64", shape.width);
      shape.initRow?.(row, v);
      rows.set(key, v);
    }
    return v;
  };
  let declaredUnits = 0;
  const api: WorkerApi = {
    rank: 0,
    workers: 1,
    random: stream(seed, "worker/0", "app"),
    read: async (table, row) => new RowView(shapes.get(table)!.width, rowOf(table, row)),
    readMany: async (table, list) =>
      list.map((row) => new RowView(shapes.get(table)!.width, rowOf(table, row))),
    inc: (table, row, col, delta) => {
      rowOf(table, row)[col] += delta;
    },
    incRow: (table, row, deltas) => {
      const v = rowOf(table, row);
      for (let i = 0; i < v.length; i++) v[i] += deltas[i];
    },
    lendRow: (table, row, values) => api.incRow(table, row, values),
    clock: async () => {},
    compute: async (units) => {
      declaredUnits += units;
    },
  };
  await app.run(api, clocks);
  return { declaredUnits };
}
