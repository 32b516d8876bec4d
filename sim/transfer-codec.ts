// The messages one partition thread hands another (partition-threads.ts), flattened into one Float64Array per
// window. Every field and value of every row type fits a float64 exactly (clocks, ids, int32 and float32
// values included), so a message is a run of numbers, copied in and out without checks: both ends are this
// process's own code. The runtime's wire codec does the same job with a byte layout and full validation,
// which took ~4× longer here (2.8 s against 0.7 s per partition on 30 clocks of the `ssp bench sim` job).

import type { BatchMessage, ReadMessage, RowDelta, RowMessage } from "../core/messages.ts";
import { newDense, type RowValues, SparseValues } from "../core/rows.ts";
import type { TableSpec } from "../core/tables.ts";
import { unboxed } from "../core/unboxed.ts";
import type { Transfer } from "./partition.ts";

const READ = 0;
const BATCH = 1;
const ROW = 2;
const DENSE = 0;
const SPARSE = 1;
/** sentNs, sentInEvent, order, key, fromMachine, toMachine, bytes, txStartNs, txEndNs, kind. */
const ENVELOPE = 10;

/**
 * Flattens transfers as they are sent, while their messages are still in the CPU cache: encoding a window's
 * worth at its end found every message cold again (~1.5 s of each thread's time in `ssp bench sim`).
 */
export class TransferWriter {
  private out = new Float64Array(1 << 12);
  private f = 0;

  /** Numbers written since the last take(). */
  get length(): number {
    return this.f;
  }

  /** Appends one transfer. */
  write(t: Transfer): void {
    this.reserve(ENVELOPE + 10);
    const out = this.out;
    let f = this.f;
    out[f++] = t.sentNs;
    out[f++] = t.sentInEvent;
    out[f++] = t.order;
    out[f++] = t.key;
    out[f++] = t.fromMachine;
    out[f++] = t.toMachine;
    out[f++] = t.bytes;
    out[f++] = t.txStartNs;
    out[f++] = t.txEndNs;
    if (t.toClient !== null) {
      const { client, message: m, gate } = t.toClient;
      out[f++] = ROW;
      out[f++] = client;
      out[f++] = gate === null ? 0 : 1;
      out[f++] = gate?.fromNs ?? 0;
      out[f++] = gate?.toNs ?? 0;
      out[f++] = m.shard;
      out[f++] = m.table;
      out[f++] = m.row;
      out[f++] = m.clock;
      out[f++] = m.version;
      out[f++] = m.pushed ? 1 : 0;
      this.f = f;
      this.putRow(m.values);
      return;
    }
    const { shard, message: m } = t.toShard!;
    if (m.type === "read") {
      out[f++] = READ;
      out[f++] = shard;
      out[f++] = m.client;
      out[f++] = m.table;
      out[f++] = m.row;
      out[f++] = m.requiredClock;
      out[f++] = m.subscribe ? 1 : 0;
      this.f = f;
      return;
    }
    out[f++] = BATCH;
    out[f++] = shard;
    out[f++] = m.client;
    out[f++] = m.version;
    out[f++] = m.clock;
    out[f++] = m.rows.length;
    this.f = f;
    for (const r of m.rows) {
      this.reserve(2);
      this.out[this.f++] = r.table;
      this.out[this.f++] = r.row;
      this.putRow(r.delta);
    }
  }

  /** What was written since the last take(), in a buffer of its own (for postMessage to transfer). */
  take(): Float64Array {
    const data = this.out.slice(0, this.f);
    this.f = 0;
    return data;
  }

  private putRow(values: RowValues): void {
    if (values instanceof SparseValues) {
      this.reserve(2 + 2 * values.entries.size);
      const out = this.out;
      out[this.f++] = SPARSE;
      out[this.f++] = values.entries.size;
      for (const [col, v] of values.entries) {
        out[this.f++] = col;
        out[this.f++] = v;
      }
      return;
    }
    this.reserve(2 + values.length);
    this.out[this.f++] = DENSE;
    this.out[this.f++] = values.length;
    this.out.set(values, this.f);
    this.f += values.length;
  }

  private reserve(n: number): void {
    if (this.f + n <= this.out.length) return;
    let capacity = this.out.length * 2;
    while (capacity < this.f + n) capacity *= 2;
    const grown = new Float64Array(capacity);
    grown.set(this.out.subarray(0, this.f));
    this.out = grown;
  }
}

/** The transfers a TransferWriter flattened, each row in memory of its own (a shard may keep a delta). */
export function decodeTransfers(data: Float64Array, tables: ReadonlyMap<number, TableSpec>): Transfer[] {
  const out: Transfer[] = [];
  let f = 0;
  const getRow = (table: number): RowValues => {
    const spec = tables.get(table);
    if (spec === undefined) throw new Error(`transfer codec: unknown table ${table}`);
    const kind = data[f++];
    const n = data[f++];
    if (kind === SPARSE) {
      const values = new SparseValues(spec.valueType);
      for (let i = 0; i < n; i++, f += 2) values.entries.set(unboxed(data[f]), data[f + 1]);
      return values;
    }
    const values = newDense(spec.valueType, n, true);
    for (let i = 0; i < n; i++) values[i] = data[f + i];
    f += n;
    return values;
  };
  while (f < data.length) {
    const t: Transfer = {
      sentNs: unboxed(data[f]),
      sentInEvent: unboxed(data[f + 1]),
      order: unboxed(data[f + 2]),
      key: unboxed(data[f + 3]),
      fromMachine: unboxed(data[f + 4]),
      toMachine: unboxed(data[f + 5]),
      bytes: unboxed(data[f + 6]),
      txStartNs: unboxed(data[f + 7]),
      txEndNs: unboxed(data[f + 8]),
      toShard: null,
      toClient: null,
    };
    const kind = data[f + 9];
    f += ENVELOPE;
    if (kind === ROW) {
      const client = unboxed(data[f]);
      const gate = data[f + 1] === 1 ? { fromNs: unboxed(data[f + 2]), toNs: unboxed(data[f + 3]) } : null;
      const shard = unboxed(data[f + 4]);
      const table = unboxed(data[f + 5]);
      const row = unboxed(data[f + 6]);
      const clock = unboxed(data[f + 7]);
      const version = unboxed(data[f + 8]);
      const pushed = data[f + 9] === 1;
      f += 10;
      const values = getRow(table);
      const message: RowMessage = { type: "row", shard, table, row, clock, version, values, pushed };
      t.toClient = { client, message, gate };
    } else if (kind === READ) {
      const message: ReadMessage = {
        type: "read",
        client: unboxed(data[f + 1]),
        table: unboxed(data[f + 2]),
        row: unboxed(data[f + 3]),
        requiredClock: unboxed(data[f + 4]),
        subscribe: data[f + 5] === 1,
      };
      t.toShard = { shard: unboxed(data[f]), message };
      f += 6;
    } else if (kind === BATCH) {
      const shard = unboxed(data[f]);
      const client = unboxed(data[f + 1]);
      const version = unboxed(data[f + 2]);
      const clock = unboxed(data[f + 3]);
      const count = data[f + 4];
      f += 5;
      const rows: RowDelta[] = [];
      for (let i = 0; i < count; i++) {
        const table = unboxed(data[f]);
        const row = unboxed(data[f + 1]);
        f += 2;
        rows.push({ table, row, delta: getRow(table) });
      }
      const message: BatchMessage = { type: "batch", client, version, clock, rows };
      t.toShard = { shard, message };
    } else {
      throw new Error(`transfer codec: unknown message kind ${kind}`);
    }
    out.push(t);
  }
  return out;
}
