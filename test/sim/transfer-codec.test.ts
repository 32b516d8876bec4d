// The numbers partition threads swap (transfer-codec.ts) carry every message kind and row type exactly.

import { describe, expect, it } from "vitest";
import type { RowValues } from "../../core/rows.ts";
import { SparseValues } from "../../core/rows.ts";
import { defineTable } from "../../core/tables.ts";
import type { Transfer } from "../../sim/partition.ts";
import { decodeTransfers, TransferWriter } from "../../sim/transfer-codec.ts";

const tables = new Map(
  [
    defineTable({ id: 0, name: "f64", width: 3, valueType: "float64" }),
    defineTable({ id: 1, name: "f32", width: 2, valueType: "float32" }),
    defineTable({ id: 2, name: "i32", width: 2, valueType: "int32" }),
    defineTable({ id: 3, name: "sparse", width: 1000, valueType: "float64", rowKind: "sparse" }),
  ].map((t) => [t.id, t]),
);

function sparse(entries: Array<[number, number]>): SparseValues {
  const s = new SparseValues("float64");
  for (const [col, v] of entries) s.entries.set(col, v);
  return s;
}

const envelope = (i: number) => ({
  sentNs: 1000 + i,
  sentInEvent: 7.5e12 + i,
  order: i,
  key: 123456789 + i,
  fromMachine: i,
  toMachine: 40 + i,
  bytes: 96 + i,
  txStartNs: 1008.25 + i,
  txEndNs: 1100.125 + i,
});

const transfers: Transfer[] = [
  {
    ...envelope(0),
    toShard: {
      shard: 3,
      message: { type: "read", client: 1, table: 3, row: 17, requiredClock: 5, subscribe: true },
    },
    toClient: null,
  },
  {
    ...envelope(1),
    toShard: {
      shard: 1,
      message: {
        type: "batch",
        client: 2,
        version: 9,
        clock: 8,
        rows: [
          { table: 0, row: 4, delta: Float64Array.of(0.1, -2e300, 5e-324) },
          { table: 1, row: 5, delta: Float32Array.of(Math.fround(1.1), -3) },
          { table: 2, row: 6, delta: Int32Array.of(-2147483648, 2147483647) },
          {
            table: 3,
            row: 7,
            delta: sparse([
              [999, 0.5],
              [2, -1],
            ]),
          },
        ],
      },
    },
    toClient: null,
  },
  {
    ...envelope(2),
    toShard: { shard: 0, message: { type: "batch", client: 0, version: 1, clock: 0, rows: [] } },
    toClient: null,
  },
  {
    ...envelope(3),
    toShard: null,
    toClient: {
      client: 4,
      gate: { fromNs: 10, toNs: 20.5 },
      message: {
        type: "row",
        shard: 2,
        table: 2,
        row: 1,
        clock: 12,
        version: 3,
        pushed: false,
        values: Int32Array.of(1, -1),
      },
    },
  },
  {
    ...envelope(4),
    toShard: null,
    toClient: {
      client: 5,
      gate: null,
      message: {
        type: "row",
        shard: 0,
        table: 3,
        row: 2,
        clock: 1,
        version: 0,
        pushed: true,
        values: sparse([[4, 2]]),
      },
    },
  },
];

/** Rows as plain data, so that value types and sparse entries (with their order) compare exactly. */
function plain(values: RowValues): unknown {
  return values instanceof SparseValues
    ? { sparse: values.valueType, entries: [...values.entries] }
    : { dense: values.constructor.name, values: [...values] };
}

function comparable(t: Transfer): unknown {
  const toShard =
    t.toShard === null
      ? null
      : t.toShard.message.type === "batch"
        ? {
            ...t.toShard,
            message: {
              ...t.toShard.message,
              rows: t.toShard.message.rows.map((r) => ({ ...r, delta: plain(r.delta) })),
            },
          }
        : t.toShard;
  const toClient =
    t.toClient === null
      ? null
      : { ...t.toClient, message: { ...t.toClient.message, values: plain(t.toClient.message.values) } };
  return { ...t, toShard, toClient };
}

/** The transfers, in order, as one array of numbers. */
function encodeTransfers(transfers: readonly Transfer[]): Float64Array {
  const writer = new TransferWriter();
  for (const t of transfers) writer.write(t);
  return writer.take();
}

describe("transfer codec", () => {
  it("round-trips reads, batches and rows of every row type, gates and envelopes included", () => {
    const decoded = decodeTransfers(encodeTransfers(transfers), tables);
    expect(decoded.map(comparable)).toEqual(transfers.map(comparable));
  });

  it("gives decoded rows memory of their own", () => {
    const data = encodeTransfers(transfers);
    const decoded = decodeTransfers(data, tables);
    data.fill(0);
    expect(decoded.map(comparable)).toEqual(transfers.map(comparable));
  });

  it("encodes nothing as an empty array", () => {
    expect(encodeTransfers([]).length).toBe(0);
    expect(decodeTransfers(new Float64Array(0), tables)).toEqual([]);
  });

  it("a writer grows past its first buffer and starts afresh after each take", () => {
    const writer = new TransferWriter();
    const many = Array.from({ length: 600 }, (_, i) => transfers[i % transfers.length]);
    for (const t of many) writer.write(t);
    const first = writer.take();
    expect(first.length).toBeGreaterThan(1 << 12);
    expect(decodeTransfers(first, tables).map(comparable)).toEqual(many.map(comparable));
    expect(writer.length).toBe(0);
    writer.write(transfers[1]);
    expect(decodeTransfers(writer.take(), tables).map(comparable)).toEqual([comparable(transfers[1])]);
    expect(writer.take().length).toBe(0);
  });

  it("names an unknown table", () => {
    expect(() =>
      decodeTransfers(encodeTransfers(transfers.slice(0, 2)), new Map([...tables].slice(0, 1))),
    ).toThrow(/unknown table 1/);
  });
});
