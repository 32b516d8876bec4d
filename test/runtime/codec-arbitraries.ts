// fast-check arbitraries for wire messages over a fixed set of tables covering every row kind and value type.

import fc from "fast-check";
import type { BatchMessage, ReadMessage, RowMessage } from "../../core/messages.ts";
import { type RowValues, SparseValues } from "../../core/rows.ts";
import { defineTable, type TableSpec } from "../../core/tables.ts";
import type { WireSchema } from "../../runtime/codec.ts";

export const TABLES: TableSpec[] = [
  defineTable({ id: 0, name: "dense64", width: 5, valueType: "float64" }),
  defineTable({ id: 1, name: "dense32", width: 3, valueType: "float32", rows: 50 }),
  defineTable({ id: 2, name: "counts", width: 4, valueType: "int32" }),
  defineTable({ id: 7, name: "sparse64", width: 1000, rowKind: "sparse", valueType: "float64" }),
  defineTable({ id: 300, name: "sparse32", width: 64, rowKind: "sparse", valueType: "int32", rows: 10 }),
];

export const SCHEMA: WireSchema = {
  tables: new Map(TABLES.map((t) => [t.id, t])),
  numClients: 4,
  numShards: 3,
  maxFrameBytes: 1 << 20,
};

function finite(spec: TableSpec): fc.Arbitrary<number> {
  if (spec.valueType === "int32") return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  if (spec.valueType === "float32") return fc.float({ noNaN: true, noDefaultInfinity: true });
  return fc.double({ noNaN: true, noDefaultInfinity: true });
}

export function valuesFor(spec: TableSpec): fc.Arbitrary<RowValues> {
  if (spec.rowKind === "dense") {
    return fc.array(finite(spec), { minLength: spec.width, maxLength: spec.width }).map((xs) => {
      if (spec.valueType === "int32") return Int32Array.from(xs);
      if (spec.valueType === "float32") return Float32Array.from(xs);
      return Float64Array.from(xs);
    });
  }
  return fc
    .uniqueArray(fc.tuple(fc.integer({ min: 0, max: spec.width - 1 }), finite(spec)), {
      selector: ([col]) => col,
      maxLength: 12,
    })
    .map((pairs) => {
      const out = new SparseValues(spec.valueType);
      for (const [col, v] of pairs) if (v !== 0) out.entries.set(col, v);
      return out;
    });
}

const rowOf = (spec: TableSpec) => fc.integer({ min: 0, max: (spec.rows ?? 2 ** 32) - 1 });
const clock = fc.integer({ min: 0, max: 0x7fffffff });
const client = fc.integer({ min: 0, max: SCHEMA.numClients - 1 });
export const shard = fc.integer({ min: 0, max: SCHEMA.numShards - 1 });
const table = fc.constantFrom(...TABLES);

export const rowDelta = table.chain((spec) =>
  fc.record({ table: fc.constant(spec.id), row: rowOf(spec), delta: valuesFor(spec) }),
);

export const batchMessage: fc.Arbitrary<BatchMessage> = fc.record({
  type: fc.constant("batch" as const),
  client,
  version: fc.integer({ min: 1, max: 0x7fffffff }),
  clock,
  rows: fc.array(rowDelta, { maxLength: 6 }),
});

function readFrom(from: number): fc.Arbitrary<ReadMessage> {
  return table.chain((spec) =>
    fc.record({
      type: fc.constant("read" as const),
      client: fc.constant(from),
      table: fc.constant(spec.id),
      row: rowOf(spec),
      requiredClock: clock,
      subscribe: fc.boolean(),
    }),
  );
}

function rowFrom(of: number): fc.Arbitrary<RowMessage> {
  return table.chain((spec) =>
    fc.record({
      type: fc.constant("row" as const),
      shard: fc.constant(of),
      table: fc.constant(spec.id),
      row: rowOf(spec),
      clock,
      version: clock,
      values: valuesFor(spec),
      pushed: fc.boolean(),
    }),
  );
}

/** What one read frame carries: a shard and 1–5 reads from one client. */
export const readFrame: fc.Arbitrary<{ shard: number; messages: ReadMessage[] }> = fc
  .tuple(shard, client)
  .chain(([s, c]) =>
    fc.record({ shard: fc.constant(s), messages: fc.array(readFrom(c), { minLength: 1, maxLength: 5 }) }),
  );

/** What one row frame carries: a shard and 1–5 of its rows. */
export const rowFrame: fc.Arbitrary<{ shard: number; messages: RowMessage[] }> = shard.chain((s) =>
  fc.record({ shard: fc.constant(s), messages: fc.array(rowFrom(s), { minLength: 1, maxLength: 5 }) }),
);

/** A comparable form of row values: typed arrays and maps do not compare by content with toEqual's types. */
export function plain(values: RowValues): unknown {
  if (values instanceof SparseValues) {
    return { sparse: values.valueType, entries: [...values.entries].sort((a, b) => a[0] - b[0]) };
  }
  return { dense: values.constructor.name, values: Array.from(values) };
}
