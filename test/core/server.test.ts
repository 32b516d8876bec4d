// ServerShard on its own: batch order and validation, parking, replies, ESSP pushes, events.

import { describe, expect, it } from "vitest";
import { rowKey } from "../../core/keys.ts";
import { type BatchMessage, ProtocolError, type ReadMessage } from "../../core/messages.ts";
import { SparseValues } from "../../core/rows.ts";
import { ServerShard } from "../../core/server.ts";
import { defineTable } from "../../core/tables.ts";

const dense = defineTable({ id: 1, name: "dense", width: 3, consistency: "ssp", staleness: 1, rows: 10 });
const sparse = defineTable({ id: 2, name: "sparse", width: 5, rowKind: "sparse", consistency: "bsp" });
const counts = defineTable({ id: 3, name: "counts", width: 2, valueType: "int32", consistency: "async" });
const pushed = defineTable({ id: 4, name: "pushed", width: 2, consistency: "essp", staleness: 0 });

function shard(numClients = 2) {
  return new ServerShard({ shard: 0, numClients, tables: [dense, sparse, counts, pushed] });
}

function batch(client: number, version: number, rows: BatchMessage["rows"] = []): BatchMessage {
  return { type: "batch", client, version, clock: version - 1, rows };
}

function read(
  client: number,
  table: number,
  row: number,
  requiredClock: number,
  subscribe = false,
): ReadMessage {
  return { type: "read", client, table, row, requiredClock, subscribe };
}

describe("ServerShard", () => {
  it("needs at least one client", () => {
    expect(() => new ServerShard({ shard: 0, numClients: 0, tables: [dense] })).toThrow(
      /at least one client/,
    );
    expect(() => new ServerShard({ shard: 0, numClients: 1.5, tables: [dense] })).toThrow(RangeError);
  });

  it("never keeps or changes a batch's deltas (the TCP server decodes them into a buffer it reuses)", () => {
    // Both clients send clocks 0 and 1, and every batch's deltas are overwritten right after delivery, as
    // the runtime's join buffer would be. Early (held back) and settled rows, of every kind, must not notice.
    const s = shard();
    const deltas: Float64Array[] = [];
    for (const version of [1, 2]) {
      for (const client of [0, 1]) {
        const d = Float64Array.of(1, 2, 3);
        const sp = new SparseValues("float64");
        sp.entries.set(4, 5);
        s.receive(
          batch(client, version, [
            { table: 1, row: 0, delta: d },
            { table: 2, row: 0, delta: sp },
            { table: 3, row: 0, delta: Int32Array.of(7, 8) },
          ]),
        );
        d.fill(1000);
        sp.entries.set(4, 1000);
        deltas.push(d);
      }
    }
    expect(s.clock).toBe(2);
    expect(Array.from(s.fullRow(1, 0) as Float64Array)).toEqual([4, 8, 12]);
    expect([...(s.fullRow(2, 0) as SparseValues).entries]).toEqual([[4, 20]]);
    expect(Array.from(s.fullRow(3, 0) as Int32Array)).toEqual([28, 32]);
    // And the shard wrote nothing into them.
    for (const d of deltas) expect(Array.from(d)).toEqual([1000, 1000, 1000]);
  });

  it("rejects gaps, duplicates and wrongly stamped batches", () => {
    const s = shard();
    expect(() => s.receive(batch(0, 2))).toThrow(/gap in batches from client 0: got version 2, expected 1/);
    s.receive(batch(0, 1));
    expect(() => s.receive(batch(0, 1))).toThrow(
      /duplicate in batches from client 0: got version 1, expected 2/,
    );
    expect(() => s.receive({ ...batch(0, 2), clock: 0 })).toThrow(/stamped clock 0, expected 1/);
    expect(() => s.receive(batch(0, 2))).not.toThrow();
    expect(s.clientClock(0)).toBe(2);
    expect(s.clientClock(1)).toBe(0);
  });

  it("rejects unknown clients, tables, rows and malformed deltas, and applies nothing of a bad batch", () => {
    const s = shard();
    expect(() => s.receive(batch(2, 1))).toThrow(ProtocolError);
    expect(() => s.receive(batch(2, 1))).toThrow(/batch from unknown client 2/);
    expect(() => s.receive(batch(-1, 1))).toThrow(/unknown client -1 \(job has 2\)/);
    expect(() => s.receive(batch(0.5, 1))).toThrow(/unknown client 0.5/);
    expect(() => s.receive(batch(0, 1, [{ table: 9, row: 0, delta: new Float64Array(3) }]))).toThrow(
      /unknown table 9/,
    );
    expect(() => s.receive(batch(0, 1, [{ table: 1, row: 10, delta: new Float64Array(3) }]))).toThrow(
      /row 10 of table dense, outside \[0, 10\)/,
    );
    expect(() => s.receive(batch(0, 1, [{ table: 1, row: 1.5, delta: new Float64Array(3) }]))).toThrow(
      ProtocolError,
    );
    expect(() => s.receive(batch(0, 1, [{ table: 1, row: 0, delta: new Float64Array(2) }]))).toThrow(
      /delta has width 2, table has 3/,
    );
    expect(() => s.receive(batch(0, 1, [{ table: 1, row: 0, delta: new Float32Array(3) }]))).toThrow(
      /delta is Float32Array, table holds float64/,
    );
    expect(() => s.receive(batch(0, 1, [{ table: 3, row: 0, delta: new Float64Array(2) }]))).toThrow(
      /table holds int32/,
    );
    expect(() => s.receive(batch(0, 1, [{ table: 1, row: 0, delta: new SparseValues("float64") }]))).toThrow(
      /sparse delta for a dense table/,
    );
    expect(() => s.receive(batch(0, 1, [{ table: 2, row: 0, delta: new Float64Array(5) }]))).toThrow(
      /dense delta for a sparse table/,
    );
    const badColumn = new SparseValues("float64");
    badColumn.entries.set(5, 1);
    expect(() => s.receive(batch(0, 1, [{ table: 2, row: 0, delta: badColumn }]))).toThrow(
      /column 5 outside \[0, 5\)/,
    );
    const edges = new SparseValues("float64");
    edges.entries.set(0, 1);
    edges.entries.set(4, 2);
    const floats = defineTable({ id: 6, name: "floats", width: 2, valueType: "float32" });
    const f = new ServerShard({ shard: 0, numClients: 1, tables: [sparse, floats] });
    f.receive(
      batch(0, 1, [
        { table: 2, row: 0, delta: edges },
        { table: 6, row: 0, delta: Float32Array.of(0.5, 1) },
      ]),
    );
    expect([...(f.fullRow(2, 0) as SparseValues).entries]).toEqual([
      [0, 1],
      [4, 2],
    ]);
    expect(() => f.receive(batch(0, 2, [{ table: 6, row: 0, delta: Float64Array.of(1, 1) }]))).toThrow(
      /shard 0: client 0, table floats, row 0: delta is Float64Array, table holds float32/,
    );
    const negative = new SparseValues("float64");
    negative.entries.set(-1, 1);
    expect(() => s.receive(batch(0, 1, [{ table: 2, row: 0, delta: negative }]))).toThrow(/column -1/);
    // A good row before a bad one must not be applied either.
    const good = { table: 1, row: 0, delta: Float64Array.of(1, 2, 3) };
    expect(() => s.receive(batch(0, 1, [good, { table: 9, row: 0, delta: new Float64Array(3) }]))).toThrow();
    expect(s.fullRow(1, 0)).toBeUndefined();
    expect(s.clientClock(0)).toBe(0);
    expect(() => s.receive({ type: "nonsense" } as unknown as BatchMessage)).toThrow(
      /unknown message type nonsense/,
    );
  });

  it("rejects bad reads", () => {
    const s = shard();
    expect(() => s.receive(read(5, 1, 0, 0))).toThrow(/read from unknown client 5/);
    expect(() => s.receive(read(0, 9, 0, 0))).toThrow(/unknown table 9/);
    expect(() => s.receive(read(0, 1, 11, 0))).toThrow(/outside \[0, 10\)/);
    expect(() => s.receive(read(0, 1, -1, 0))).toThrow(/named row -1 of table dense/);
    expect(() => s.receive(read(0, 1, 0, -1))).toThrow(
      /required clock -1; it must be a non-negative integer/,
    );
    expect(() => s.receive(read(0, 1, 0, 0.5))).toThrow(/required clock 0.5/);
    expect(s.drain().messages).toEqual([]);
  });

  it("advances its clock to the minimum client clock and reports it", () => {
    const s = shard(3);
    s.receive(batch(0, 1));
    s.receive(batch(0, 2));
    s.receive(batch(1, 1));
    expect(s.clock).toBe(0);
    s.receive(batch(2, 1));
    expect(s.clock).toBe(1);
    s.receive(batch(1, 2));
    s.receive(batch(2, 2));
    expect(s.clock).toBe(2);
    const events = s.drain().events;
    expect(events.filter((e) => e.type === "serverClock")).toEqual([
      { type: "serverClock", shard: 0, clock: 1 },
      { type: "serverClock", shard: 0, clock: 2 },
    ]);
    expect(events[0]).toEqual({ type: "batchApplied", shard: 0, client: 0, version: 1, clock: 0, rows: 0 });
    expect(s.drain()).toEqual({ messages: [], events: [] });
  });

  it("parks a read until its clock, then answers with the clock and the client's version", () => {
    const s = shard();
    s.receive(batch(0, 1, [{ table: 1, row: 4, delta: Float64Array.of(1, 0, 0) }]));
    s.receive(read(0, 1, 4, 1));
    expect(s.drain().messages).toEqual([]);
    s.receive(batch(1, 1, [{ table: 1, row: 4, delta: Float64Array.of(0, 2, 0) }]));
    const { messages, events } = s.drain();
    expect(messages).toHaveLength(1);
    const reply = messages[0];
    expect(reply.client).toBe(0);
    expect(reply.message).toMatchObject({
      type: "row",
      shard: 0,
      table: 1,
      row: 4,
      clock: 1,
      version: 1,
      pushed: false,
    });
    expect([...(reply.message.values as Float64Array)]).toEqual([1, 2, 0]);
    expect(events.at(-1)).toEqual({
      type: "rowSent",
      shard: 0,
      client: 0,
      table: 1,
      row: 4,
      clock: 1,
      version: 1,
      pushed: false,
    });
    // A read whose clock is reached is answered at once; a parked one for a later clock stays parked.
    s.receive(read(1, 1, 4, 1));
    s.receive(read(1, 1, 5, 2));
    s.receive(read(1, 1, 6, 3));
    expect(s.drain().messages.map((m) => m.message.row)).toEqual([4]);
    // Clock 2 answers the read for 2 and keeps the one for 3 parked.
    s.receive(batch(0, 2));
    s.receive(batch(1, 2));
    expect(s.drain().messages.map((m) => [m.message.row, m.message.clock])).toEqual([[5, 2]]);
    s.receive(batch(0, 3));
    s.receive(batch(1, 3));
    expect(s.drain().messages.map((m) => [m.message.row, m.message.clock])).toEqual([[6, 3]]);
  });

  it("shows a client early updates only up to its own clock + s − 1", () => {
    const s = shard();
    // Client 0 runs ahead: clocks 0 and 1 done; client 1 has done nothing.
    s.receive(batch(0, 1, [{ table: 1, row: 0, delta: Float64Array.of(1, 0, 0) }]));
    s.receive(batch(0, 2, [{ table: 1, row: 0, delta: Float64Array.of(0, 1, 0) }]));
    s.receive(read(0, 1, 0, 0));
    s.receive(read(1, 1, 0, 0));
    const replies = s.drain().messages;
    // s = 1: client 0 (clock 2) may see stamps ≤ 2; client 1 (clock 0) stamps ≤ 0 only.
    expect([...(replies[0].message.values as Float64Array)]).toEqual([1, 1, 0]);
    expect(replies[0].message.version).toBe(2);
    expect([...(replies[1].message.values as Float64Array)]).toEqual([1, 0, 0]);
    expect(replies[1].message.version).toBe(0);
    // fullRow holds everything, settled or early; settledRows only stamps below the clock.
    expect([...(s.fullRow(1, 0) as Float64Array)]).toEqual([1, 1, 0]);
    expect([...s.settledRows()]).toEqual([]);
    s.receive(batch(1, 1));
    expect(new Map(s.settledRows()).get(rowKey(1, 0))).toEqual(Float64Array.of(1, 0, 0));
    expect(s.rowKeys()).toEqual([{ table: 1, row: 0 }]);
    // fullRow is a copy: asked twice with an early update on top of a settled one, it changes nothing.
    expect([...(s.fullRow(1, 0) as Float64Array)]).toEqual([1, 1, 0]);
    expect([...(s.fullRow(1, 0) as Float64Array)]).toEqual([1, 1, 0]);
    expect(new Map(s.settledRows()).get(rowKey(1, 0))).toEqual(Float64Array.of(1, 0, 0));
    s.receive(batch(1, 2, [{ table: 1, row: 3, delta: Float64Array.of(0, 0, 5) }]));
    expect(new Map(s.settledRows()).get(rowKey(1, 0))).toEqual(Float64Array.of(1, 1, 0));
    expect(s.rowKeys()).toEqual([
      { table: 1, row: 0 },
      { table: 1, row: 3 },
    ]);
  });

  it("lists its rows in key order and builds full rows from the early updates of each row only", () => {
    const s = shard();
    s.receive(
      batch(0, 1, [
        { table: 1, row: 5, delta: Float64Array.of(1, 0, 0) },
        { table: 1, row: 2, delta: Float64Array.of(2, 0, 0) },
      ]),
    );
    s.receive(batch(0, 2, [{ table: 1, row: 9, delta: Float64Array.of(3, 0, 0) }]));
    expect(s.rowKeys()).toEqual([
      { table: 1, row: 2 },
      { table: 1, row: 5 },
      { table: 1, row: 9 },
    ]);
    expect([...(s.fullRow(1, 2) as Float64Array)]).toEqual([2, 0, 0]);
    expect([...(s.fullRow(1, 9) as Float64Array)]).toEqual([3, 0, 0]);
    expect(s.fullRow(1, 3)).toBeUndefined();
  });

  it("keeps no early updates for async tables: a read sees everything applied", () => {
    const s = shard();
    s.receive(batch(0, 1, [{ table: 3, row: 7, delta: Int32Array.of(2, 3) }]));
    s.receive(batch(0, 2, [{ table: 3, row: 7, delta: Int32Array.of(1, 1) }]));
    s.receive(read(1, 3, 7, 0));
    expect([...(s.drain().messages[0].message.values as Int32Array)]).toEqual([3, 4]);
    expect(new Map(s.settledRows()).get(rowKey(3, 7))).toEqual(Int32Array.of(3, 4));
  });

  it("pushes changed rows to ESSP subscribers when its clock advances, sorted by row and client", () => {
    const s = shard();
    s.receive(read(1, 4, 8, 0, true));
    s.receive(read(0, 4, 8, 0, true));
    s.receive(read(0, 4, 3, 0, true));
    s.receive(read(0, 4, 5, 0, false));
    expect(s.drain().messages).toHaveLength(4);
    s.receive(batch(0, 1, [{ table: 4, row: 8, delta: Float64Array.of(1, 1) }]));
    expect(s.drain().messages).toEqual([]);
    s.receive(
      batch(1, 1, [
        { table: 4, row: 5, delta: Float64Array.of(2, 2) },
        { table: 4, row: 3, delta: Float64Array.of(3, 3) },
      ]),
    );
    const pushes = s.drain().messages;
    expect(pushes.map((m) => [m.message.row, m.client, m.message.pushed, m.message.clock])).toEqual([
      [3, 0, true, 1],
      [8, 0, true, 1],
      [8, 1, true, 1],
    ]);
    expect([...(pushes[1].message.values as Float64Array)]).toEqual([1, 1]);
    // Nothing changed since: the next advance pushes nothing.
    s.receive(batch(0, 2));
    s.receive(batch(1, 2));
    expect(s.drain().messages).toEqual([]);
  });

  it("pushes only ESSP tables' rows: a subscription to any other table is ignored", () => {
    const s = shard();
    s.receive(read(0, 1, 2, 0, true));
    s.receive(read(1, 3, 2, 0, true));
    expect(s.drain().messages.map((m) => m.message.pushed)).toEqual([false, false]);
    for (const client of [0, 1]) {
      s.receive(
        batch(client, 1, [
          { table: 1, row: 2, delta: Float64Array.of(1, 1, 1) },
          { table: 3, row: 2, delta: Int32Array.of(1, 1) },
        ]),
      );
    }
    expect(s.clock).toBe(1);
    expect(s.drain().messages).toEqual([]);
  });

  it("creates rows from the table's initial value", () => {
    const init = defineTable({
      id: 5,
      name: "init",
      width: 2,
      consistency: "ssp",
      staleness: 0,
      initRow: (row, out) => {
        out[0] = row;
        out[1] = 1;
      },
    });
    const s = new ServerShard({ shard: 0, numClients: 1, tables: [init] });
    s.receive(read(0, 5, 6, 0));
    expect([...(s.drain().messages[0].message.values as Float64Array)]).toEqual([6, 1]);
    s.receive(batch(0, 1, [{ table: 5, row: 2, delta: Float64Array.of(1, 1) }]));
    expect([...(s.fullRow(5, 2) as Float64Array)]).toEqual([3, 2]);
    s.receive(batch(0, 2, [{ table: 5, row: 9, delta: Float64Array.of(1, 1) }]));
    expect([...(s.fullRow(5, 9) as Float64Array)]).toEqual([10, 2]);
    expect(s.fullRow(5, 1)).toBeUndefined();
    expect(s.fullRow(77, 1)).toBeUndefined();
  });
});

describe("ServerShard event filter", () => {
  it("reports only the event types the host names", () => {
    const types = (events?: Array<"serverClock" | "rowSent">) => {
      const s = new ServerShard({ shard: 0, numClients: 1, tables: [dense], events });
      s.receive(batch(0, 1));
      s.receive(read(0, 1, 0, 1));
      return [...new Set(s.drain().events.map((e) => e.type))].sort();
    };
    expect(types()).toEqual(["batchApplied", "rowSent", "serverClock"]);
    expect(types(["serverClock"])).toEqual(["serverClock"]);
    expect(types(["rowSent"])).toEqual(["rowSent"]);
  });
});
