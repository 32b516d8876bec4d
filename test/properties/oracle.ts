// A naive oracle of the whole SSP system for the model-based test. Values are sets of update ids instead
// of sums, the server keeps a flat list of applied updates and filters it by timestamp on every reply, and
// a client replays every one of its committed batches newer than a reply (no retention bookkeeping, no
// memo, no early/settled split). It follows the same protocol, so its messages must equal the real ones.

import type { Placement } from "../../core/placement.ts";
import type { TableSpec } from "../../core/tables.ts";

export interface OracleUpdate {
  id: number;
  worker: number;
  client: number;
  clock: number;
  row: number;
}

export type OracleMessage =
  | { type: "batch"; client: number; version: number; clock: number; rows: Map<number, number[]> }
  | { type: "read"; client: number; row: number; requiredClock: number; subscribe: boolean }
  | {
      type: "row";
      shard: number;
      row: number;
      clock: number;
      version: number;
      ids: number[];
      pushed: boolean;
    };

interface OracleClient {
  workers: number[];
  procClock: number;
  cache: Map<number, { clock: number; ids: Set<number> }>;
  inFlight: Set<number>;
  waiters: Map<number, Array<{ worker: number; required: number; group: { missing: number } }>>;
  /** Every batch this client committed, per shard. */
  committed: Array<Array<{ version: number; rows: Map<number, number[]> }>>;
}

interface OracleShard {
  applied: number[];
  clock: number;
  updates: OracleUpdate[];
  parked: Array<{ client: number; row: number; requiredClock: number }>;
  subscribers: Map<number, Set<number>>;
  dirty: Set<number>;
}

export class Oracle {
  readonly workerClock: number[];
  readonly blocked: boolean[];
  readonly updates: OracleUpdate[] = [];
  readonly clients: OracleClient[];
  readonly shards: OracleShard[];
  /** Same layout as MemoryCluster.channels: client→shard first, then shard→client. */
  readonly queues: OracleMessage[][];
  readonly clientOf = new Map<number, number>();
  /** Workers whose whole read completed during the last delivery. */
  completed = new Set<number>();
  /** Every row read, in order: what the client reports as "read" events. */
  readEvents: Array<{ worker: number; row: number; ids: number[] }> = [];

  constructor(
    readonly spec: TableSpec,
    readonly placement: Placement,
    clients: number[][],
    readonly numShards: number,
  ) {
    const workers = clients.flat().length;
    this.workerClock = new Array(workers).fill(0);
    this.blocked = new Array(workers).fill(false);
    this.clients = clients.map((ws, k) => {
      for (const w of ws) this.clientOf.set(w, k);
      return {
        workers: ws,
        procClock: 0,
        cache: new Map(),
        inFlight: new Set(),
        waiters: new Map(),
        committed: Array.from({ length: numShards }, () => []),
      };
    });
    this.shards = Array.from({ length: numShards }, () => ({
      applied: new Array(clients.length).fill(0),
      clock: 0,
      updates: [],
      parked: [],
      subscribers: new Map(),
      dirty: new Set(),
    }));
    this.queues = Array.from({ length: 2 * clients.length * numShards }, () => []);
  }

  private get s(): number {
    return this.spec.staleness;
  }

  private required(clock: number): number {
    return this.s === Number.POSITIVE_INFINITY ? 0 : Math.max(0, clock - this.s);
  }

  queueIndex(toServer: boolean, client: number, shard: number): number {
    return (toServer ? 0 : this.clients.length * this.numShards) + client * this.numShards + shard;
  }

  /** The ids a read by `worker` sees: the cached row plus uncommitted local updates within its window. */
  private view(worker: number, row: number): number[] {
    const k = this.clientOf.get(worker)!;
    const client = this.clients[k];
    const ids = new Set(client.cache.get(row)!.ids);
    const window = this.workerClock[worker] + this.s - 1;
    for (const u of this.updates) {
      if (u.client !== k || u.row !== row || u.clock < client.procClock) continue;
      if (u.worker === worker || u.clock <= window) ids.add(u.id);
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** Reads rows in order; returns the ids of each, or null when the worker now waits for some of them. */
  read(worker: number, rows: number[]): number[][] | null {
    const k = this.clientOf.get(worker)!;
    const client = this.clients[k];
    const clock = this.workerClock[worker];
    const required = this.required(clock);
    const group = { missing: 0 };
    const views: number[][] = [];
    for (const row of rows) {
      const cached = client.cache.get(row);
      if (cached !== undefined && cached.clock >= required) {
        if (this.s === Number.POSITIVE_INFINITY && cached.clock < clock && !client.inFlight.has(row)) {
          this.request(k, row, 0);
        }
        const ids = this.view(worker, row);
        this.readEvents.push({ worker, row, ids });
        views.push(ids);
        continue;
      }
      group.missing++;
      const list = client.waiters.get(row) ?? [];
      list.push({ worker, required, group });
      client.waiters.set(row, list);
      if (!client.inFlight.has(row)) this.request(k, row, this.requestClock(k, row, required));
    }
    if (group.missing === 0) return views;
    this.blocked[worker] = true;
    return null;
  }

  /** Never more than a reader the cache cannot serve may need (see ClientCore.requestClock for why). */
  private requestClock(k: number, row: number, need: number): number {
    const cached = this.clients[k].cache.get(row);
    const floor = Math.max(cached === undefined ? 0 : cached.clock + 1, this.clients[k].procClock);
    return Math.min(need, floor);
  }

  private request(k: number, row: number, requiredClock: number): void {
    this.clients[k].inFlight.add(row);
    const shard = this.placement(this.spec, row);
    const subscribe = this.spec.consistency === "essp";
    this.queues[this.queueIndex(true, k, shard)].push({
      type: "read",
      client: k,
      row,
      requiredClock,
      subscribe,
    });
  }

  inc(worker: number, row: number, id: number): void {
    const client = this.clientOf.get(worker)!;
    this.updates.push({ id, worker, client, clock: this.workerClock[worker], row });
  }

  clock(worker: number): void {
    this.workerClock[worker]++;
    const k = this.clientOf.get(worker)!;
    const client = this.clients[k];
    const min = Math.min(...client.workers.map((w) => this.workerClock[w]));
    if (min <= client.procClock) return;
    const t = client.procClock;
    const perShard = Array.from({ length: this.numShards }, () => new Map<number, number[]>());
    for (const u of this.updates) {
      if (u.client !== k || u.clock !== t) continue;
      const rows = perShard[this.placement(this.spec, u.row)];
      rows.set(u.row, [...(rows.get(u.row) ?? []), u.id]);
      client.cache.get(u.row)?.ids.add(u.id);
    }
    perShard.forEach((rows, shard) => {
      client.committed[shard].push({ version: t + 1, rows });
      this.queues[this.queueIndex(true, k, shard)].push({
        type: "batch",
        client: k,
        version: t + 1,
        clock: t,
        rows,
      });
    });
    client.procClock = min;
  }

  /** Delivers the head of queue `index`; completions of waiting reads land in `completions`. */
  deliver(index: number): void {
    const message = this.queues[index].shift()!;
    const half = this.clients.length * this.numShards;
    const shard = (index % half) % this.numShards;
    if (message.type === "row") this.clientReceive(Math.floor((index - half) / this.numShards), message);
    else if (message.type === "batch") this.shardBatch(shard, message);
    else this.shardRead(shard, message);
  }

  private clientReceive(k: number, message: Extract<OracleMessage, { type: "row" }>): void {
    const client = this.clients[k];
    const ids = new Set(message.ids);
    for (const batch of client.committed[message.shard]) {
      if (batch.version > message.version) for (const id of batch.rows.get(message.row) ?? []) ids.add(id);
    }
    client.cache.set(message.row, { clock: message.clock, ids });
    if (!message.pushed) client.inFlight.delete(message.row);
    const list = client.waiters.get(message.row);
    if (list === undefined) return;
    const still = list.filter((w) => w.required > message.clock);
    for (const w of list) {
      if (w.required > message.clock) continue;
      this.readEvents.push({ worker: w.worker, row: message.row, ids: this.view(w.worker, message.row) });
      if (--w.group.missing === 0) {
        this.blocked[w.worker] = false;
        this.completed.add(w.worker);
      }
    }
    if (still.length === 0) {
      client.waiters.delete(message.row);
      return;
    }
    client.waiters.set(message.row, still);
    if (!client.inFlight.has(message.row)) {
      const need = Math.min(...still.map((w) => w.required));
      this.request(k, message.row, this.requestClock(k, message.row, need));
    }
  }

  private shardBatch(shard: number, batch: Extract<OracleMessage, { type: "batch" }>): void {
    const state = this.shards[shard];
    state.applied[batch.client]++;
    for (const [row, ids] of batch.rows) {
      for (const id of ids) state.updates.push(this.updates.find((u) => u.id === id)!);
      state.dirty.add(row);
    }
    const min = Math.min(...state.applied);
    if (min <= state.clock) return;
    state.clock = min;
    const parked = state.parked;
    state.parked = [];
    for (const p of parked) {
      if (p.requiredClock <= min) this.reply(shard, p.client, p.row, false);
      else state.parked.push(p);
    }
    const dirty = [...state.dirty].sort((a, b) => a - b);
    state.dirty.clear();
    for (const row of dirty) {
      const subs = [...(state.subscribers.get(row) ?? [])].sort((a, b) => a - b);
      for (const client of subs) this.reply(shard, client, row, true);
    }
  }

  private shardRead(shard: number, read: Extract<OracleMessage, { type: "read" }>): void {
    const state = this.shards[shard];
    if (read.subscribe) {
      const subs = state.subscribers.get(read.row) ?? new Set();
      subs.add(read.client);
      state.subscribers.set(read.row, subs);
    }
    if (read.requiredClock <= state.clock) this.reply(shard, read.client, read.row, false);
    else state.parked.push({ client: read.client, row: read.row, requiredClock: read.requiredClock });
  }

  private reply(shard: number, client: number, row: number, pushed: boolean): void {
    const state = this.shards[shard];
    const bound =
      this.s === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : state.applied[client] + this.s - 1;
    const ids = state.updates
      .filter((u) => u.row === row && (u.clock < state.clock || u.clock <= bound))
      .map((u) => u.id)
      .sort((a, b) => a - b);
    this.queues[this.queueIndex(false, client, shard)].push({
      type: "row",
      shard,
      row,
      clock: state.clock,
      version: state.applied[client],
      ids,
      pushed,
    });
  }
}
