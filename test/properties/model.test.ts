// Model-based test: random command sequences (read, inc, incRow, clock, deliver one channel's oldest
// message) run against MemoryCluster and the naive Oracle side by side. Every message, every read result
// and every clock must agree. Each increment writes 1 into its own column, so values decode into id sets.

import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import type { MemoryCluster as Cluster } from "../../core/memory-host.ts";
import { MemoryCluster } from "../../core/memory-host.ts";
import type { ClientMessage, ServerMessage } from "../../core/messages.ts";
import { makePlacement } from "../../core/placement.ts";
import { getAt, type RowValues } from "../../core/rows.ts";
import { type Consistency, defineTable, type RowKind, type ValueType } from "../../core/tables.ts";
import { Oracle, type OracleMessage } from "./oracle.ts";
import { propertyParams } from "./scenario.ts";

const TABLE = 0;
const WIDTH = 40;
const ROWS = 3;
const MAX_CLOCKS = 5;

interface Real {
  cluster: Cluster;
  nextId: number;
}

function decode(values: RowValues, upTo: number): number[] {
  const ids: number[] = [];
  for (let col = 0; col < upTo; col++) {
    const v = getAt(values, col);
    if (v !== 0 && v !== 1) throw new Error(`column ${col} holds ${v}: an update was counted twice`);
    if (v === 1) ids.push(col);
  }
  return ids;
}

function realMessage(message: ClientMessage | ServerMessage, upTo: number): OracleMessage {
  if (message.type === "batch") {
    const rows = new Map<number, number[]>();
    for (const r of message.rows) rows.set(r.row, decode(r.delta, upTo));
    return { type: "batch", client: message.client, version: message.version, clock: message.clock, rows };
  }
  if (message.type === "read") {
    const { client, row, requiredClock, subscribe } = message;
    return { type: "read", client, row, requiredClock, subscribe };
  }
  const { shard, row, clock, version, pushed } = message;
  return { type: "row", shard, row, clock, version, ids: decode(message.values, upTo), pushed };
}

function comparable(m: OracleMessage): unknown {
  if (m.type !== "batch") return m;
  return {
    ...m,
    rows: [...m.rows]
      .map(([row, ids]) => [row, [...ids].sort((a, b) => a - b)])
      .sort((a, b) => (a[0] as number) - (b[0] as number)),
  };
}

/** After every command: the same clocks, the same blocked workers, the same queue lengths. */
function expectSameState(model: Oracle, real: Real): void {
  const { cluster } = real;
  cluster.servers.forEach((s, shard) => {
    expect(s.clock, `shard ${shard} clock`).toBe(model.shards[shard].clock);
  });
  cluster.clients.forEach((c, k) => {
    expect(c.processClock, `client ${k} clock`).toBe(model.clients[k].procClock);
    for (const w of c.workers) {
      expect(c.clockOf(w), `worker ${w} clock`).toBe(model.workerClock[w]);
      expect(c.isBlocked(w), `worker ${w} blocked`).toBe(model.blocked[w]);
    }
  });
  expect(cluster.channels.map((ch) => ch.queue.length)).toEqual(model.queues.map((q) => q.length));
}

/** The rows read since event `from`, decoded, as the oracle lists them. */
function readEvents(r: Real, from: number): Array<{ worker: number; row: number; ids: number[] }> {
  const out: Array<{ worker: number; row: number; ids: number[] }> = [];
  for (const e of r.cluster.events.slice(from)) {
    if (e.type === "read") out.push({ worker: e.worker, row: e.row, ids: decode(e.view.array(), r.nextId) });
  }
  return out;
}

class ReadCommand implements fc.Command<Oracle, Real> {
  constructor(
    readonly worker: number,
    readonly rows: number[],
  ) {}
  check(m: Readonly<Oracle>): boolean {
    return this.worker < m.workerClock.length && !m.blocked[this.worker];
  }
  run(m: Oracle, r: Real): void {
    m.readEvents = [];
    const from = r.cluster.events.length;
    const expected = m.read(this.worker, this.rows);
    const client = r.cluster.client(this.worker);
    const views =
      this.rows.length === 1
        ? [client.read(this.worker, TABLE, this.rows[0])]
        : client.readMany(this.worker, TABLE, this.rows);
    r.cluster.pump();
    if (expected === null) expect(views === null || views[0] === null).toBe(true);
    else {
      expect(views).not.toBeNull();
      expect(views!.map((v) => decode(v!.array(), r.nextId))).toEqual(expected);
    }
    expect(readEvents(r, from)).toEqual(m.readEvents);
    expectSameState(m, r);
  }
  toString(): string {
    return `read(w${this.worker}, rows ${this.rows.join(" ")})`;
  }
}

class IncCommand implements fc.Command<Oracle, Real> {
  constructor(
    readonly worker: number,
    readonly row: number,
    readonly viaRow: boolean,
  ) {}
  check(m: Readonly<Oracle>): boolean {
    return this.worker < m.workerClock.length && !m.blocked[this.worker] && m.updates.length < WIDTH;
  }
  run(m: Oracle, r: Real): void {
    const id = r.nextId++;
    m.inc(this.worker, this.row, id);
    const client = r.cluster.client(this.worker);
    if (this.viaRow) {
      const deltas = new Array<number>(WIDTH).fill(0);
      deltas[id] = 1;
      client.incRow(this.worker, TABLE, this.row, deltas);
    } else client.inc(this.worker, TABLE, this.row, id, 1);
    r.cluster.pump();
    expectSameState(m, r);
  }
  toString(): string {
    return `${this.viaRow ? "incRow" : "inc"}(w${this.worker}, row ${this.row})`;
  }
}

class ClockCommand implements fc.Command<Oracle, Real> {
  constructor(readonly worker: number) {}
  check(m: Readonly<Oracle>): boolean {
    return (
      this.worker < m.workerClock.length && !m.blocked[this.worker] && m.workerClock[this.worker] < MAX_CLOCKS
    );
  }
  run(m: Oracle, r: Real): void {
    m.clock(this.worker);
    r.cluster.client(this.worker).clock(this.worker);
    r.cluster.pump();
    expectSameState(m, r);
  }
  toString(): string {
    return `clock(w${this.worker})`;
  }
}

class DeliverCommand implements fc.Command<Oracle, Real> {
  constructor(readonly pick: number) {}
  check(m: Readonly<Oracle>): boolean {
    return m.queues.some((q) => q.length > 0);
  }
  run(m: Oracle, r: Real): void {
    const busy = r.cluster.busyChannels();
    const index = busy[this.pick % busy.length];
    const head = r.cluster.channels[index].queue[0];
    expect(comparable(realMessage(head, r.nextId)), `message on channel ${index}`).toEqual(
      comparable(m.queues[index][0]),
    );
    m.completed = new Set();
    m.readEvents = [];
    const from = r.cluster.events.length;
    m.deliver(index);
    r.cluster.deliver(index);
    expect(new Set(r.cluster.completed.keys())).toEqual(m.completed);
    r.cluster.completed.clear();
    expect(readEvents(r, from)).toEqual(m.readEvents);
    expectSameState(m, r);
  }
  toString(): string {
    return `deliver(${this.pick})`;
  }
}

const setupArb = fc
  .record({
    workers: fc.integer({ min: 1, max: 4 }),
    clientsWanted: fc.integer({ min: 1, max: 3 }),
    shards: fc.integer({ min: 1, max: 3 }),
    consistency: fc.constantFrom<Consistency>("bsp", "ssp", "async", "essp"),
    staleness: fc.nat({ max: 2 }),
    rowKind: fc.constantFrom<RowKind>("dense", "sparse"),
    valueType: fc.constantFrom<ValueType>("float64", "float32", "int32"),
  })
  .map((o) => {
    const k = Math.min(o.clientsWanted, o.workers);
    // Contiguous blocks, as the simulator places workers.
    const clients = Array.from({ length: k }, () => [] as number[]);
    for (let w = 0; w < o.workers; w++) clients[Math.floor((w * k) / o.workers)].push(w);
    return { ...o, clients };
  });

const commandsArb = fc.commands(
  [
    fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: ROWS - 1 })).map(([w, row]) => new ReadCommand(w, [row])),
    fc
      .tuple(fc.nat({ max: 3 }), fc.shuffledSubarray([0, 1, 2], { minLength: 1 }))
      .map(([w, rows]) => new ReadCommand(w, rows)),
    fc
      .tuple(fc.nat({ max: 3 }), fc.nat({ max: ROWS - 1 }), fc.boolean())
      .map(([w, row, viaRow]) => new IncCommand(w, row, viaRow)),
    fc.nat({ max: 3 }).map((w) => new ClockCommand(w)),
    fc.nat().map((pick) => new DeliverCommand(pick)),
    fc.nat().map((pick) => new DeliverCommand(pick)),
  ],
  { maxCommands: 80, size: "max" },
);

describe("SSP core against a naive oracle", () => {
  test.prop([setupArb, commandsArb], propertyParams())(
    "model-based: client and server agree with the oracle on every message, read and clock",
    (setup, commands) => {
      const spec = defineTable({
        id: TABLE,
        name: "ids",
        rowKind: setup.rowKind,
        width: WIDTH,
        valueType: setup.valueType,
        consistency: setup.consistency,
        staleness: setup.staleness,
      });
      const placement = makePlacement("hash", setup.shards);
      fc.modelRun(
        () => ({
          model: new Oracle(spec, placement, setup.clients, setup.shards),
          real: {
            cluster: new MemoryCluster({
              tables: [spec],
              numShards: setup.shards,
              clients: setup.clients,
              placement,
            }),
            nextId: 0,
          },
        }),
        commands,
      );
    },
  );
});
