// ClientCore on its own: argument checks, protocol checks, merging, batching, events.

import { describe, expect, it } from "vitest";
import { ClientCore, requiredClock } from "../../core/client.ts";
import { MemoryCluster } from "../../core/memory-host.ts";
import { ProtocolError, type RowMessage } from "../../core/messages.ts";
import { makePlacement } from "../../core/placement.ts";
import { defineTable } from "../../core/tables.ts";

const ssp = defineTable({ id: 1, name: "ssp", width: 3, consistency: "ssp", staleness: 1, rows: 8 });
const counts = defineTable({ id: 2, name: "counts", width: 2, valueType: "int32", consistency: "bsp" });
const async = defineTable({ id: 3, name: "async", width: 2, consistency: "async" });
const essp = defineTable({ id: 4, name: "essp", width: 2, consistency: "essp", staleness: 1 });
const tables = [ssp, counts, async, essp];

/** Row r lives on shard r mod numShards, whatever the table, so tests can say where a row is. */
function client(workers = [0, 1], numShards = 2) {
  return new ClientCore({
    client: 0,
    workers,
    numShards,
    tables,
    placement: (_t, r) => r % Math.max(1, numShards),
  });
}

function row(values: Float64Array, extra: Partial<RowMessage> = {}): RowMessage {
  return { type: "row", shard: 0, table: 1, row: 0, clock: 0, version: 0, values, pushed: false, ...extra };
}

describe("ClientCore", () => {
  it("validates its configuration", () => {
    expect(() => client([])).toThrow(/client 0 hosts no workers/);
    expect(() => client([0], 0)).toThrow(/need at least one shard, got 0/);
    expect(() => client([0, 0])).toThrow(/worker 0 listed twice/);
    const one = { client: 0, workers: [0], numShards: 1, tables, placement: () => 0 };
    expect(() => new ClientCore({ ...one, cacheCapacityRows: 1 })).not.toThrow();
    expect(() => new ClientCore({ ...one, cacheCapacityRows: 0.5 })).toThrow(
      /cache capacity must be at least one row/,
    );
  });

  it("checks every operation's arguments", () => {
    const c = client();
    expect(() => c.read(7, 1, 0)).toThrow(/worker 7 does not belong to client 0/);
    expect(() => c.read(0, 9, 0)).toThrow(/unknown table 9; declared tables: 1, 2, 3, 4/);
    expect(() => c.read(0, 1, 8)).toThrow(/row 8 is not a row of table ssp \(rows: 8\)/);
    expect(() => c.read(0, 3, -1)).toThrow(/row -1 is not a row of table async \(rows: 2\^32\)/);
    expect(() => c.inc(0, 1, 0, 3, 1)).toThrow(/column 3 is outside table ssp's width 3/);
    expect(() => c.inc(0, 1, 0, -1, 1)).toThrow(/column -1/);
    expect(() => c.inc(0, 1, 0, 0.5, 1)).toThrow(/column 0.5/);
    expect(() => c.inc(0, 1, 0, 0, Number.NaN)).toThrow(/increment NaN to table ssp is not a finite number/);
    expect(() => c.inc(0, 1, 0, 0, Number.POSITIVE_INFINITY)).toThrow(/not a finite number/);
    expect(() => c.inc(0, 2, 0, 0, 0.5)).toThrow(/holds int32 counts; increment 0.5 is not an integer/);
    expect(() => c.incRow(0, 1, 0, [1, 2])).toThrow(/2 deltas for a row of width 3/);
    expect(() => c.incRow(0, 2, 0, [1, 0.5])).toThrow(/not an integer/);
    expect(() => c.incRow(0, 1, 0, [1, Number.NaN, 0])).toThrow(
      /increment NaN to table ssp is not a finite number/,
    );
    expect(() => c.incRow(0, 1, 0, [Number.NEGATIVE_INFINITY, 0, 0])).toThrow(/not a finite number/);
    expect(c.workers).toEqual([0, 1]);
    // Fractions are fine for float tables, integers for int32 ones.
    expect(() => c.inc(0, 1, 0, 0, 0.5)).not.toThrow();
    expect(() => c.inc(0, 2, 0, 1, -3)).not.toThrow();
    expect(() => c.clockOf(9)).toThrow(/worker 9/);
    expect(c.drain()).toEqual({ messages: [], completions: [], events: [] });
  });

  it("a row's first incRow of a clock stores exactly what adding it to zero would, or nothing if it fails", () => {
    const c = client([0], 1);
    expect(() => c.incRow(0, 3, 0, [1, Number.NaN])).toThrow(/not a finite number/);
    c.clock(0);
    const first = c.drain().messages;
    expect(first).toHaveLength(1);
    expect(first[0].message.type === "batch" && first[0].message.rows).toEqual([]);
    c.incRow(0, 3, 0, [-0, 2.5]);
    c.incRow(0, 3, 1, new Float32Array([0.1, -0]));
    c.incRow(0, 3, 1, [1, 1]);
    c.clock(0);
    const [{ message }] = c.drain().messages;
    if (message.type !== "batch") throw new Error("expected a batch");
    const [r0, r1] = message.rows;
    // 0 + −0 is +0: the copy must not keep the sign of a negative zero.
    expect(Object.is(r0.delta instanceof Float64Array && r0.delta[0], 0)).toBe(true);
    expect(Array.from(r0.delta as Float64Array)).toEqual([0, 2.5]);
    expect(Array.from(r1.delta as Float64Array)).toEqual([Math.fround(0.1) + 1, 1]);
  });

  it("a first incRow keeps every value in its place, for odd and even widths and both float types", () => {
    /** What one first incRow of `deltas` sends, from a one-worker client with one table of that width. */
    const pushed = (valueType: "float64" | "float32", deltas: number[]): number[] => {
      const table = defineTable({ id: 9, name: "wide", width: deltas.length, valueType });
      const c = new ClientCore({
        client: 0,
        workers: [0],
        numShards: 1,
        tables: [table],
        placement: () => 0,
      });
      c.incRow(0, 9, 0, deltas);
      c.clock(0);
      const [{ message }] = c.drain().messages;
      if (message.type !== "batch") throw new Error("expected a batch");
      return Array.from(message.rows[0].delta as Float64Array);
    };
    for (const valueType of ["float64", "float32"] as const) {
      for (const width of [1, 4, 5, 8]) {
        // −0 everywhere but index 0: every slot of the copy loop (pairs, and an odd tail) must store +0.
        const signs = Array.from({ length: width }, (_, i) => (i === 0 ? 1 : -0));
        const stored = pushed(valueType, signs);
        expect(stored.every((v, i) => Object.is(v, signs[i] === 1 ? 1 : 0))).toBe(true);
        const deltas = Array.from({ length: width }, (_, i) => (i + 1) * 1.5 - (i % 2) * 7);
        expect(pushed(valueType, deltas), `${valueType} width ${width}`).toEqual(
          deltas.map((d) => (valueType === "float32" ? Math.fround(d) : d)),
        );
      }
    }
  });

  it("refuses operations by a worker whose read is pending", () => {
    const c = client();
    expect(c.read(0, 1, 0)).toBeNull();
    expect(c.isBlocked(0)).toBe(true);
    expect(c.isBlocked(1)).toBe(false);
    expect(() => c.read(0, 1, 1)).toThrow(/worker 0 called read while its read is still pending/);
    expect(() => c.inc(0, 1, 0, 0, 1)).toThrow(/called inc/);
    expect(() => c.incRow(0, 1, 0, [0, 0, 0])).toThrow(/called incRow/);
    expect(() => c.clock(0)).toThrow(/called clock/);
  });

  it("merges concurrent reads of one row into one request and completes them together", () => {
    const c = client();
    expect(c.read(0, 1, 2)).toBeNull();
    expect(c.read(1, 1, 2)).toBeNull();
    const out = c.drain();
    expect(out.messages).toEqual([
      {
        shard: 0,
        message: { type: "read", client: 0, table: 1, row: 2, requiredClock: 0, subscribe: false },
      },
    ]);
    expect(out.events).toEqual([
      { type: "blocked", worker: 0, table: 1, row: 2, clock: 0, requiredClock: 0 },
      { type: "request", client: 0, shard: 0, table: 1, row: 2, requiredClock: 0 },
      { type: "blocked", worker: 1, table: 1, row: 2, clock: 0, requiredClock: 0 },
    ]);
    c.receive(row(Float64Array.of(4, 5, 6), { row: 2, clock: 0 }));
    const done = c.drain();
    expect(done.completions.map((x) => [x.worker, x.table, x.row, x.view.get(1)])).toEqual([
      [0, 1, 2, 5],
      [1, 1, 2, 5],
    ]);
    expect(done.events[0]).toMatchObject({
      type: "read",
      worker: 0,
      table: 1,
      row: 2,
      clock: 0,
      rowClock: 0,
      staleness: 0,
      source: "server",
    });
    expect(c.isBlocked(0)).toBe(false);
    expect(c.isBlocked(1)).toBe(false);
    // Served from the cache now.
    expect(c.read(0, 1, 2)?.get(2)).toBe(6);
    const cachedEvents = c.drain().events;
    expect(cachedEvents).toHaveLength(1);
    expect(cachedEvents[0]).toMatchObject({
      type: "read",
      worker: 0,
      table: 1,
      row: 2,
      clock: 0,
      rowClock: 0,
      staleness: 0,
      source: "cache",
    });
  });

  it("rejects replies nobody asked for, from the wrong shard, for unknown tables, or going back in time", () => {
    const c = client();
    expect(() => c.receive(row(new Float64Array(3)))).toThrow(/shard 0 answered row 0 of ssp unasked/);
    expect(() => c.receive(row(new Float64Array(3), { row: 1 }))).toThrow(
      /row 1 of ssp came from shard 0, but shard 1 owns it/,
    );
    expect(() => c.receive(row(new Float64Array(3), { table: 9 }))).toThrow(/shard 0 sent unknown table 9/);
    expect(() => c.receive({ type: "batch" } as unknown as RowMessage)).toThrow(/unexpected message batch/);
    expect(() => c.receive(row(new Float64Array(3), { row: 99 }))).toThrow(RangeError);
    c.read(0, 1, 0);
    c.receive(row(new Float64Array(3), { clock: 3, pushed: true }));
    expect(() => c.receive(row(new Float64Array(3), { clock: 2 }))).toThrow(ProtocolError);
    expect(() => c.receive(row(new Float64Array(3), { clock: 2 }))).toThrow(/went back from clock 3 to 2/);
    expect(new ProtocolError("x").name).toBe("ProtocolError");
  });

  it("flushes one batch per shard when the process clock advances, empty ones too", () => {
    const c = client();
    c.inc(0, 1, 0, 0, 1);
    c.inc(0, 1, 0, 0, 2);
    c.inc(0, 1, 2, 1, 4);
    c.inc(0, 1, 0, 2, 8); // back to row 0 after row 2: the same delta row must keep both
    c.inc(1, 1, 0, 1, 5);
    c.incRow(1, 1, 2, [0, 0, 7]);
    c.clock(0);
    expect(c.processClock).toBe(0);
    expect(c.drain().messages).toEqual([]);
    c.clock(1);
    expect(c.processClock).toBe(1);
    expect(c.clockOf(0)).toBe(1);
    const out = c.drain();
    expect(
      out.messages.map((m) => [m.shard, m.message.type, (m.message as { version: number }).version]),
    ).toEqual([
      [0, "batch", 1],
      [1, "batch", 1],
    ]);
    const batch = out.messages[0].message as {
      rows: Array<{ row: number; delta: Float64Array }>;
      clock: number;
    };
    expect(batch.clock).toBe(0);
    expect(batch.rows.map((r) => [r.row, [...r.delta]])).toEqual([
      [0, [3, 5, 8]],
      [2, [0, 4, 7]],
    ]);
    expect(out.events.filter((e) => e.type !== "workerClock")).toEqual([
      { type: "batchSent", client: 0, shard: 0, version: 1, clock: 0, rows: 2 },
      { type: "batchSent", client: 0, shard: 1, version: 1, clock: 0, rows: 0 },
      { type: "processClock", client: 0, clock: 1 },
    ]);
  });

  it("stamps each update with its worker's clock even while the process clock lags", () => {
    const c = client([0, 1], 1);
    c.inc(0, 1, 0, 0, 1);
    c.clock(0);
    // Worker 0 is at clock 1, worker 1 still at 0: clock 0 is not flushed, and this update is stamped 1.
    c.inc(0, 1, 0, 0, 10);
    c.clock(1);
    const first = c.drain().messages.map((m) => m.message) as Array<{
      clock: number;
      rows: { delta: Float64Array }[];
    }>;
    expect(first.map((b) => [b.clock, [...b.rows[0].delta]])).toEqual([[0, [1, 0, 0]]]);
    c.clock(0);
    c.clock(1);
    const second = c.drain().messages.map((m) => m.message) as Array<{
      clock: number;
      rows: { delta: Float64Array }[];
    }>;
    expect(second.map((b) => [b.clock, [...b.rows[0].delta]])).toEqual([[1, [10, 0, 0]]]);
  });

  it("requires shard clock c − s, and 0 for async", () => {
    expect(requiredClock(ssp, 0)).toBe(0);
    expect(requiredClock(ssp, 1)).toBe(0);
    expect(requiredClock(ssp, 5)).toBe(4);
    expect(requiredClock(counts, 5)).toBe(5);
    expect(requiredClock(async, 5)).toBe(0);
  });

  it("async reads never wait once cached, and refresh a stale row in the background", () => {
    const c = client([0], 1);
    expect(c.read(0, 3, 0)).toBeNull();
    c.drain();
    c.receive(row(Float64Array.of(1, 1), { table: 3, clock: 0 }));
    c.drain();
    c.clock(0);
    c.drain();
    // Row clock 0 < reader clock 1: served at once, and one refresh goes out (not two).
    expect(c.read(0, 3, 0)?.get(0)).toBe(1);
    expect(c.read(0, 3, 0)?.get(0)).toBe(1);
    const out = c.drain();
    expect(out.messages).toEqual([
      {
        shard: 0,
        message: { type: "read", client: 0, table: 3, row: 0, requiredClock: 0, subscribe: false },
      },
    ]);
    expect(out.events.filter((e) => e.type === "read").map((e) => e.type === "read" && e.staleness)).toEqual([
      1, 1,
    ]);
  });

  it("replays its committed batches on ESSP pushes that predate them", () => {
    const c = client([0], 1);
    expect(c.read(0, 4, 1)).toBeNull();
    c.receive(row(Float64Array.of(1, 1), { table: 4, row: 1, clock: 0 }));
    c.inc(0, 4, 1, 0, 10);
    c.clock(0);
    c.drain();
    // No read is outstanding, but the row is subscribed: a push taken before the shard applied batch 1
    // must get batch 1 replayed, and a push that includes it must not.
    c.receive(row(Float64Array.of(2, 2), { table: 4, row: 1, clock: 0, version: 0, pushed: true }));
    expect(c.cachedRow(4, 1)?.values).toEqual(Float64Array.of(12, 2));
    c.receive(row(Float64Array.of(13, 2), { table: 4, row: 1, clock: 1, version: 1, pushed: true }));
    expect(c.cachedRow(4, 1)?.values).toEqual(Float64Array.of(13, 2));
  });

  it("subscribes ESSP rows once and accepts pushes", () => {
    const c = client([0], 1);
    expect(c.read(0, 4, 1)).toBeNull();
    const first = c.drain().messages;
    expect(first[0].message).toMatchObject({ type: "read", subscribe: true, requiredClock: 0 });
    c.receive(row(Float64Array.of(1, 2), { table: 4, row: 1, clock: 0 }));
    c.receive(row(Float64Array.of(3, 4), { table: 4, row: 1, clock: 1, pushed: true }));
    expect(c.cachedRow(4, 1)).toEqual({ values: Float64Array.of(3, 4), clock: 1 });
    expect(c.cachedRow(4, 2)).toBeUndefined();
  });

  it("replays its own committed batches the reply lacks, and only those", () => {
    const cluster = new MemoryCluster({
      tables,
      numShards: 1,
      clients: [[0], [1]],
      placement: makePlacement("modulo", 1),
    });
    const a = cluster.client(0);
    expect(a.read(0, 3, 0)).toBeNull();
    cluster.pump();
    cluster.settle();
    cluster.completed.clear();
    a.clock(0);
    // At clock 1 the cached async row (clock 0) serves at once and a background refresh goes out.
    expect(a.read(0, 3, 0)?.get(0)).toBe(0);
    a.inc(0, 3, 0, 0, 1);
    a.clock(0);
    cluster.pump();
    // Channel 0 (client 0 → shard 0) holds batch 1, the refresh, batch 2: the reply will include batch 1 only.
    expect(cluster.channels[0].queue.map((m) => m.type)).toEqual(["batch", "read", "batch"]);
    expect(a.cachedRow(3, 0)?.values).toEqual(Float64Array.of(1, 0));
    cluster.deliver(0);
    cluster.deliver(0);
    const reply = cluster.channels[2].queue[0] as RowMessage;
    expect(reply).toMatchObject({ type: "row", version: 1 });
    expect([...(reply.values as Float64Array)]).toEqual([0, 0]);
    cluster.deliver(2);
    expect(a.cachedRow(3, 0)?.values).toEqual(Float64Array.of(1, 0));
    // Once the shard has batch 2, a later reply carries it and nothing is replayed twice.
    cluster.settle();
    a.clock(0);
    expect(a.read(0, 3, 0)?.get(0)).toBe(1);
    cluster.pump();
    cluster.settle();
    expect(a.cachedRow(3, 0)?.values).toEqual(Float64Array.of(1, 0));
  });
});

describe("event filter", () => {
  it("reports only the event types the host names, and every type by default", () => {
    const types = (events?: Array<"read" | "blocked">) => {
      const c = new ClientCore({ client: 0, workers: [0], numShards: 1, tables, placement: () => 0, events });
      c.read(0, 1, 0);
      c.receive(row(new Float64Array(3)));
      c.clock(0);
      return [...new Set(c.drain().events.map((e) => e.type))].sort();
    };
    expect(types()).toEqual(["batchSent", "blocked", "processClock", "read", "request", "workerClock"]);
    expect(types(["read"])).toEqual(["read"]);
    expect(types(["blocked", "read"])).toEqual(["blocked", "read"]);
    expect(types([])).toEqual([]);
  });
});

describe("ClientCore.releaseRow: a row goes back once every view of it has expired", () => {
  /** Two workers of one process, one shard, a one-row cache; `released` lists what went back, in order. */
  function setup() {
    const released: unknown[] = [];
    const core = new ClientCore({
      client: 0,
      workers: [0, 1],
      numShards: 1,
      tables: [async],
      placement: () => 0,
      cacheCapacityRows: 1,
      releaseRow: (values) => released.push(values),
    });
    const reply = (rowId: number, values: Float64Array) =>
      core.receive({
        type: "row",
        shard: 0,
        table: async.id,
        row: rowId,
        clock: 0,
        version: 0,
        values,
        pushed: false,
      });
    return { core, released, reply };
  }

  it("holds a replaced row until the last worker that read it clocks, then gives it back once", () => {
    const { core, released, reply } = setup();
    const v0 = new Float64Array([1, 2]);
    expect(core.read(0, async.id, 0)).toBeNull();
    reply(0, v0);
    expect(core.drain().completions[0].view.array()).toBe(v0);
    core.clock(0);
    // Worker 0 reads it again at clock 1 (async: from the cache, refreshing it behind the read), then
    // worker 1 at clock 0: the later read's lower clock must not make the row go back sooner.
    expect(core.read(0, async.id, 0)?.array()).toBe(v0);
    expect(core.drain().messages.some((m) => m.message.type === "read")).toBe(true);
    expect(core.read(1, async.id, 0)?.array()).toBe(v0);
    reply(0, new Float64Array([3, 4]));
    // Replaced while worker 0's view from clock 1 and worker 1's from clock 0 may still be read.
    expect(released).toEqual([]);
    // Worker 1 has clocked (the process clock is now 1), but worker 0 still reads at clock 1.
    core.clock(1);
    expect(released).toEqual([]);
    // Once the process clock passes 1, every view of it has expired.
    core.clock(0);
    core.clock(1);
    expect(released).toHaveLength(1);
    expect(released[0]).toBe(v0);
  });

  it("keeps a row, and what it knows of its views, when a refresh brings the same values again", () => {
    const { core, released, reply } = setup();
    const v0 = new Float64Array([1, 2]);
    expect(core.read(0, async.id, 0)).toBeNull();
    reply(0, v0);
    core.clock(0);
    core.clock(1);
    expect(core.read(0, async.id, 0)?.array()).toBe(v0);
    core.drain();
    // The refresh is the same array (as an in-process shard may send when the row has not changed).
    reply(0, v0);
    expect(released).toEqual([]);
    // Evicted by row 1 while worker 0 still reads it at clock 1.
    expect(core.read(1, async.id, 1)).toBeNull();
    reply(1, new Float64Array([5, 6]));
    expect(released).toEqual([]);
    core.clock(0);
    core.clock(1);
    expect(released).toHaveLength(1);
    expect(released[0]).toBe(v0);
  });

  it("gives back at once a row nobody read (here evicted from a full cache)", () => {
    const { core, released, reply } = setup();
    expect(core.read(0, async.id, 0)).toBeNull();
    const read = new Float64Array([1, 2]);
    reply(0, read);
    core.drain();
    core.clock(0);
    // Refreshed behind worker 0's read at clock 1; nobody reads the refresh.
    core.read(0, async.id, 0);
    core.drain();
    const unread = new Float64Array([3, 4]);
    reply(0, unread);
    // Row 1 fills the one-row cache: row 0's unread copy goes back at once, the copy read at clock 1 not yet.
    expect(core.read(0, async.id, 1)).toBeNull();
    reply(1, new Float64Array([5, 6]));
    expect(released).toHaveLength(1);
    expect(released[0]).toBe(unread);
  });

  it("gives back at once a reply the cache only copies (it predates a batch the client kept)", () => {
    const { core, released, reply } = setup();
    expect(core.read(0, async.id, 0)).toBeNull();
    reply(0, new Float64Array([0, 0]));
    core.clock(0);
    core.clock(1);
    // A read at clock 1 refreshes the row behind it; the batch of clock 1 leaves while the refresh is on its way.
    core.read(0, async.id, 0);
    core.inc(0, async.id, 0, 0, 1);
    core.clock(0);
    core.clock(1);
    core.drain();
    released.length = 0;
    // The reply (version 0) predates that batch, so the cache keeps a copy with the batch added, and the
    // reply's own values are nobody's.
    const predating = new Float64Array([1, 2]);
    reply(0, predating);
    expect(released[0]).toBe(predating);
    expect(core.cachedRow(async.id, 0)?.values).toEqual(new Float64Array([2, 2]));
  });
});
