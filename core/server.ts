// A server shard: applies client batches in order, tracks client clocks, answers (or parks) row reads,
// and pushes rows to ESSP subscribers when its clock advances.
//
// Why early updates are kept apart: a client may run up to s+1 clocks ahead of the slowest one, so a
// shard holds batches stamped at or after its own clock. Folding them into the row at once would let a
// read at clock c see updates stamped c+s, one past the paper's window [c−s, c+s−1] (and would break exact
// BSP at s = 0). So `rows` holds every update stamped < clock, `early` holds the later ones by timestamp,
// and a reply to client k includes early updates up to k's own bound: known clock of k + s − 1.

import { type CoreEvent, type CoreEventType, type EventFilter, eventFilter, NOTHING } from "./events.ts";
import { keyRow, keyTable, rowKey } from "./keys.ts";
import {
  type BatchMessage,
  type ClientMessage,
  ProtocolError,
  type ReadMessage,
  type RowMessage,
  type ToClient,
} from "./messages.ts";
import { addRow, cloneRow, denseArrayType, initialRow, type RowValues, SparseValues } from "./rows.ts";
import { type TableSpec, validateTables } from "./tables.ts";

export interface ServerShardConfig {
  shard: number;
  numClients: number;
  tables: readonly TableSpec[];
  /** Event types to report from drain() (default: all). */
  events?: readonly CoreEventType[];
}

export interface ServerReady {
  messages: readonly ToClient[];
  events: readonly CoreEvent[];
}

export class ServerShard {
  readonly shard: number;
  readonly numClients: number;
  private readonly tables: ReadonlyMap<number, TableSpec>;
  /** Batches applied per client; equals the client's clock as this shard knows it. */
  private readonly applied: Int32Array;
  /** How many clients have applied exactly n batches, for each n at or above the server clock. */
  private readonly clientsAt = new Map<number, number>();
  private serverClock = 0;
  /** Every update with timestamp < serverClock, per row. */
  private readonly rows = new Map<number, RowValues>();
  /** Rows of `rows` sent out in replies without a copy: copied before their next change. */
  private readonly sharedRows = new Set<number>();
  /** Updates with timestamp ≥ serverClock: timestamp → row key → summed delta. */
  private readonly early = new Map<number, Map<number, RowValues>>();
  /** Reads waiting for the shard clock to reach their required clock. */
  private parked: ReadMessage[] = [];
  /** ESSP tables: row key → clients holding it. */
  private readonly subscribers = new Map<number, Set<number>>();
  /** Rows of ESSP tables changed since the last clock advance, for their pushes. */
  private readonly dirty = new Set<number>();
  private outbox: ToClient[] = [];
  private events: CoreEvent[] = [];
  private readonly emits: EventFilter;

  constructor(config: ServerShardConfig) {
    if (!Number.isInteger(config.numClients) || config.numClients < 1) {
      throw new RangeError(`a shard needs at least one client, got ${config.numClients}`);
    }
    this.shard = config.shard;
    this.numClients = config.numClients;
    this.tables = validateTables(config.tables);
    this.emits = eventFilter(config.events);
    this.applied = new Int32Array(config.numClients);
    this.clientsAt.set(0, config.numClients);
  }

  get clock(): number {
    return this.serverClock;
  }

  /** The client's clock as this shard knows it (the number of its batches applied here). */
  clientClock(client: number): number {
    return this.applied[client];
  }

  receive(message: ClientMessage): void {
    if (message.type === "batch") this.applyBatch(message);
    else if (message.type === "read") this.read(message);
    else
      throw new ProtocolError(
        `shard ${this.shard}: unknown message type ${(message as { type: string }).type}`,
      );
  }

  /** Takes what the shard produced since the last call. */
  drain(): ServerReady {
    const ready: ServerReady = { messages: NOTHING, events: NOTHING };
    if (this.outbox.length > 0) {
      ready.messages = this.outbox;
      this.outbox = [];
    }
    if (this.events.length > 0) {
      ready.events = this.events;
      this.events = [];
    }
    return ready;
  }

  /** The row with every update applied so far, early ones too: what the table will hold once all finish. */
  fullRow(table: number, row: number): RowValues | undefined {
    const key = rowKey(table, row);
    const spec = this.tables.get(table);
    if (spec === undefined) return undefined;
    const settled = this.rows.get(key);
    let out = settled === undefined ? undefined : cloneRow(settled);
    for (const byKey of this.early.values()) {
      const delta = byKey.get(key);
      if (delta === undefined) continue;
      if (out === undefined) out = initialRow(spec, row);
      addRow(out, delta);
    }
    return out;
  }

  /** Row keys this shard stores, in ascending order. */
  rowKeys(): Array<{ table: number; row: number }> {
    const keys = new Set<number>(this.rows.keys());
    for (const byKey of this.early.values()) for (const k of byKey.keys()) keys.add(k);
    return [...keys].sort((a, b) => a - b).map((k) => ({ table: keyTable(k), row: keyRow(k) }));
  }

  private checkClient(client: number, what: string): void {
    if (!Number.isInteger(client) || client < 0 || client >= this.numClients) {
      throw new ProtocolError(
        `shard ${this.shard}: ${what} from unknown client ${client} (job has ${this.numClients})`,
      );
    }
  }

  private tableFor(id: number, client: number): TableSpec {
    const spec = this.tables.get(id);
    if (spec === undefined)
      throw new ProtocolError(`shard ${this.shard}: client ${client} named unknown table ${id}`);
    return spec;
  }

  private applyBatch(batch: BatchMessage): void {
    const { client } = batch;
    this.checkClient(client, "batch");
    const expected = this.applied[client] + 1;
    if (batch.version !== expected) {
      const fault = batch.version < expected ? "duplicate" : "gap";
      throw new ProtocolError(
        `shard ${this.shard}: ${fault} in batches from client ${client}: got version ${batch.version}, expected ${expected}`,
      );
    }
    if (batch.clock !== this.applied[client]) {
      throw new ProtocolError(
        `shard ${this.shard}: batch ${batch.version} from client ${client} is stamped clock ${batch.clock}, expected ${this.applied[client]}`,
      );
    }
    for (const { table, row, delta } of batch.rows) {
      const spec = this.tableFor(table, client);
      checkDelta(spec, row, delta, this.shard, client);
    }
    for (const { table, row, delta } of batch.rows) {
      const spec = this.tables.get(table)!;
      const key = rowKey(table, row);
      if (spec.staleness === Number.POSITIVE_INFINITY) {
        // Async reads include everything, so there is nothing to hold back.
        addRow(this.settledRow(key, spec), delta);
      } else {
        let byKey = this.early.get(batch.clock);
        if (byKey === undefined) this.early.set(batch.clock, (byKey = new Map()));
        this.addInto(byKey, key, delta);
      }
      if (spec.consistency === "essp") this.dirty.add(key);
    }
    this.applied[client] = expected;
    this.clientsAt.set(expected - 1, this.clientsAt.get(expected - 1)! - 1);
    this.clientsAt.set(expected, (this.clientsAt.get(expected) ?? 0) + 1);
    if (this.emits.batchApplied)
      this.events.push({
        type: "batchApplied",
        shard: this.shard,
        client,
        version: batch.version,
        clock: batch.clock,
        rows: batch.rows.length,
      });
    this.maybeAdvance();
  }

  /** map[key] += delta. The first delta is copied (a messages's values are never kept or changed). */
  private addInto(map: Map<number, RowValues>, key: number, delta: RowValues): void {
    const target = map.get(key);
    if (target === undefined) map.set(key, cloneRow(delta));
    else addRow(target, delta);
  }

  /** The settled row, ready to be changed: created if new, copied if a reply still holds it. */
  private settledRow(key: number, spec: TableSpec): RowValues {
    let row = this.rows.get(key);
    if (row === undefined) this.rows.set(key, (row = initialRow(spec, keyRow(key))));
    else if (this.sharedRows.delete(key)) this.rows.set(key, (row = cloneRow(row)));
    return row;
  }

  /** Rows holding every update stamped < clock: the consistent model at this shard's clock. Read-only. */
  settledRows(): IterableIterator<[number, RowValues]> {
    return this.rows.entries();
  }

  /** Server clock = min of the clients' clocks, kept in O(1) per batch by counting clients per clock. */
  private maybeAdvance(): void {
    if ((this.clientsAt.get(this.serverClock) ?? 0) > 0) return;
    let min = this.serverClock;
    while ((this.clientsAt.get(min) ?? 0) === 0) this.clientsAt.delete(min++);
    for (let t = this.serverClock; t < min; t++) {
      const byKey = this.early.get(t);
      if (byKey === undefined) continue;
      for (const [key, delta] of byKey) {
        const spec = this.tables.get(keyTable(key))!;
        // Early rows are the shard's own: a row with no settled value and no initial value is moved, not added.
        if (!this.rows.has(key) && spec.initRow === undefined) this.rows.set(key, delta);
        else addRow(this.settledRow(key, spec), delta);
      }
      this.early.delete(t);
    }
    this.serverClock = min;
    if (this.emits.serverClock) this.events.push({ type: "serverClock", shard: this.shard, clock: min });
    this.answerParked();
    this.pushSubscribed();
  }

  private read(request: ReadMessage): void {
    this.checkClient(request.client, "read");
    const spec = this.tableFor(request.table, request.client);
    checkRowId(spec, request.row, this.shard, request.client);
    if (!Number.isInteger(request.requiredClock) || request.requiredClock < 0) {
      throw new ProtocolError(
        `shard ${this.shard}: client ${request.client} sent required clock ${request.requiredClock}; it must be a non-negative integer`,
      );
    }
    const key = rowKey(request.table, request.row);
    // Only ESSP tables push; a subscription to any other table is ignored, so their rows need no dirty marks.
    if (request.subscribe && spec.consistency === "essp") {
      let subs = this.subscribers.get(key);
      if (subs === undefined) this.subscribers.set(key, (subs = new Set()));
      subs.add(request.client);
    }
    if (request.requiredClock <= this.serverClock) this.reply(request.client, spec, key, false);
    else this.parked.push(request);
  }

  private answerParked(): void {
    if (this.parked.length === 0) return;
    const still: ReadMessage[] = [];
    for (const request of this.parked) {
      if (request.requiredClock <= this.serverClock) {
        this.reply(
          request.client,
          this.tables.get(request.table)!,
          rowKey(request.table, request.row),
          false,
        );
      } else {
        still.push(request);
      }
    }
    this.parked = still;
  }

  private pushSubscribed(): void {
    if (this.dirty.size === 0) return;
    const keys = [...this.dirty].sort((a, b) => a - b);
    this.dirty.clear();
    for (const key of keys) {
      const subs = this.subscribers.get(key);
      if (subs === undefined) continue;
      const spec = this.tables.get(keyTable(key))!;
      for (const client of [...subs].sort((a, b) => a - b)) this.reply(client, spec, key, true);
    }
  }

  /** The row as client `client` may see it: settled updates plus early ones within its staleness bound. */
  /**
   * Replies are read-only for their receivers, so a row with no early updates to add is sent as it is (and
   * copied before the shard next changes it): most replies then cost no copy.
   */
  private viewFor(client: number, spec: TableSpec, key: number): RowValues {
    const settled = this.rows.get(key);
    let view: RowValues | null = null;
    if (spec.staleness !== Number.POSITIVE_INFINITY) {
      const bound = this.applied[client] + spec.staleness - 1;
      for (let t = this.serverClock; t <= bound; t++) {
        const delta = this.early.get(t)?.get(key);
        if (delta === undefined) continue;
        if (view === null) view = settled === undefined ? initialRow(spec, keyRow(key)) : cloneRow(settled);
        addRow(view, delta);
      }
    }
    if (view !== null) return view;
    if (settled === undefined) return initialRow(spec, keyRow(key));
    this.sharedRows.add(key);
    return settled;
  }

  private reply(client: number, spec: TableSpec, key: number, pushed: boolean): void {
    const message: RowMessage = {
      type: "row",
      shard: this.shard,
      table: spec.id,
      row: keyRow(key),
      clock: this.serverClock,
      version: this.applied[client],
      values: this.viewFor(client, spec, key),
      pushed,
    };
    this.outbox.push({ client, message });
    if (this.emits.rowSent)
      this.events.push({
        type: "rowSent",
        shard: this.shard,
        client,
        table: message.table,
        row: message.row,
        clock: message.clock,
        version: message.version,
        pushed,
      });
  }
}

function checkRowId(spec: TableSpec, row: number, shard: number, client: number): void {
  const limit = spec.rows ?? 4294967296;
  if (!Number.isInteger(row) || row < 0 || row >= limit) {
    throw new ProtocolError(
      `shard ${shard}: client ${client} named row ${row} of table ${spec.name}, outside [0, ${limit})`,
    );
  }
}

function deltaFault(
  spec: TableSpec,
  row: number,
  shard: number,
  client: number,
  what: string,
): ProtocolError {
  return new ProtocolError(`shard ${shard}: client ${client}, table ${spec.name}, row ${row}: ${what}`);
}

function checkDelta(spec: TableSpec, row: number, delta: RowValues, shard: number, client: number): void {
  checkRowId(spec, row, shard, client);
  // The message is built only to throw: a string per delta was 4% of a large simulation's allocation.
  if (delta instanceof SparseValues) {
    if (spec.rowKind !== "sparse")
      throw deltaFault(spec, row, shard, client, "sparse delta for a dense table");
    for (const col of delta.entries.keys()) {
      if (!Number.isInteger(col) || col < 0 || col >= spec.width) {
        throw deltaFault(spec, row, shard, client, `column ${col} outside [0, ${spec.width})`);
      }
    }
    return;
  }
  if (spec.rowKind !== "dense") throw deltaFault(spec, row, shard, client, "dense delta for a sparse table");
  if (delta.length !== spec.width)
    throw deltaFault(spec, row, shard, client, `delta has width ${delta.length}, table has ${spec.width}`);
  if (!(delta instanceof denseArrayType(spec.valueType))) {
    throw deltaFault(
      spec,
      row,
      shard,
      client,
      `delta is ${delta.constructor.name}, table holds ${spec.valueType}`,
    );
  }
}
