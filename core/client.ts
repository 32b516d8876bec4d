// A client: one per process, serving that process's logical workers from one shared process cache.
//
// The cache holds, per row, `base` = the row as a shard sent it + this client's committed batches that the
// shard's copy did not include yet. Uncommitted updates stay in the oplog, stamped by (clock, worker), and
// are added on every read: a reader sees all of its own updates, and other local workers' updates only
// within its window (timestamp ≤ c + s − 1), so a process cache never widens the paper's bound.

import { type CoreEvent, type CoreEventType, type EventFilter, eventFilter, NOTHING } from "./events.ts";
import { KeyedTable } from "./keyed-table.ts";
import { isRowId, keyRow, keyTable, rowKey } from "./keys.ts";
import {
  type BatchMessage,
  ProtocolError,
  type RowDelta,
  type RowMessage,
  type ServerMessage,
  type ToShard,
} from "./messages.ts";
import type { Placement } from "./placement.ts";
import {
  addAt,
  addRow,
  cloneRow,
  copyIfFinite,
  type DenseValues,
  denseArrayType,
  newDense,
  newKernelDense,
  newRow,
  type RowValues,
  RowView,
  recycleDense,
  SparseValues,
} from "./rows.ts";
import { simdAllFinite } from "./simd.ts";
import { type TableSpec, validateTables } from "./tables.ts";

export interface ClientConfig {
  /** Index of this client (process) among all clients of the job. */
  client: number;
  /** Global ranks of the logical workers this process hosts. */
  workers: readonly number[];
  numShards: number;
  tables: readonly TableSpec[];
  placement: Placement;
  /**
   * Most rows the process cache holds (default: no limit). Past it, the least recently refreshed row that
   * nobody is waiting for is dropped; a later read fetches it again. Bösen bounds its process cache too.
   */
  cacheCapacityRows?: number;
  /** Event types to report from drain() (default: all). */
  events?: readonly CoreEventType[];
  /**
   * Called with a cached row's values once the cache has let go of them (replaced, evicted, or copied before
   * a change) and no view of them handed to a worker can still be in use: a view is valid until its worker's
   * next clock(). A host whose rows arrive in buffers nobody else holds (the runtime's frames) recycles
   * them; without it, the garbage collector frees them. A host that hands a shard's own rows to the client
   * (the simulator) must leave it unset.
   */
  releaseRow?: (values: RowValues) => void;
  /**
   * The host gives every sent batch back with release() once its bytes have left the process, and hands
   * deltas to nobody who keeps them (the runtime; an in-process server may keep a delta as its row). Then:
   * - long float rows an app pushes whole (incRow) are copied into the SIMD kernels' memory
   *   (rows.newKernelDense), where the copy and its finite check take one pass instead of two;
   * - a lent row (incRow with `lend`) is sent from the app's own array, which the host must not let the
   *   worker change before lentInFlight is back to 0 (the runtime's clock() waits for it).
   * Without it, a lent row is copied like any other.
   */
  releasesSentBatches?: boolean;
}

/** A worker's read (or readMany) that waited is now complete: `views[i]` is the row `rows[i]`. */
export interface ReadCompletion {
  worker: number;
  table: number;
  rows: number[];
  views: RowView[];
  /** rows[0] and views[0]: the whole answer of a single-row read. */
  row: number;
  view: RowView;
}

export interface ClientReady {
  messages: readonly ToShard[];
  completions: readonly ReadCompletion[];
  events: readonly CoreEvent[];
}

/**
 * Everything the client knows about one row, in one place (a host touches many clients in turn, so each
 * visit finds their data cold in the CPU cache: one map lookup instead of several): its cached copy, whether
 * a request is on its way, the reads waiting for it, and its uncommitted updates.
 */
interface RowEntry {
  /** The row as a shard sent it + this client's committed batches it lacked; null while none is cached. */
  base: RowValues | null;
  /** Shard clock when the row was taken: it contains every update stamped < clock. */
  clock: number;
  /**
   * `base` may be referenced elsewhere (by a RowView handed to a worker, or by the shard that sent it), so
   * it is copied before any change. Reads then cost no copy: most of them add no uncommitted update.
   */
  shared: boolean;
  /** Highest worker clock at which a worker was handed a view of `base` itself; -1 if none was. */
  viewClock: number;
  /** A request for the row is on its way: one per row, however many workers wait for it. */
  inFlight: boolean;
  waiters: Waiter[] | null;
  /** Uncommitted updates to the row: the oldest timestamp's first writer (see RowUpdate); null if none. */
  updates: RowUpdate | null;
  /** Neighbours in the eviction order (cached rows only; oldest refresh first). */
  older: RowEntry | null;
  newer: RowEntry | null;
  key: number;
}

/** An entry with a cached row. */
type CachedRow = RowEntry & { base: RowValues };

/** The rows one blocked read (or readMany) still waits for. */
interface ReadGroup {
  worker: number;
  table: number;
  rows: number[];
  views: RowView[];
  missing: number;
}

interface Waiter {
  worker: number;
  requiredClock: number;
  group: ReadGroup;
  slot: number;
}

/**
 * One local worker's uncommitted delta to a row at one timestamp. A row's updates form two chains: its
 * timestamps, oldest first (`later`, on each timestamp's first writer), and each timestamp's writers in the
 * order they first wrote it (`nextWriter`). One object per delta: the usual row has one writer at one
 * timestamp, and lists per timestamp cost three objects more, all living until the flush.
 */
interface RowUpdate {
  readonly clock: number;
  readonly worker: number;
  delta: RowValues;
  nextWriter: RowUpdate | null;
  /** The first writer at the next later timestamp; set on a timestamp's first writer only. */
  later: RowUpdate | null;
}

/** A sent batch kept so that replies taken before the shard applied it can have it replayed on top. */
interface RetainedBatch {
  version: number;
  rows: readonly RowDelta[];
  /** Row key → delta, built on the first lookup in a long batch (most batches are never looked into). */
  index: Map<number, RowValues> | null;
}

/**
 * Shorter lent rows are copied: the host's clock() waits for a lent row's bytes to leave, and below this a copy
 * (of a row that fits the L2 cache) costs less than that wait. Pushes lent, against copied: 4 KB rows at half
 * the speed, 256 KB rows ~4% slower (medians of 4 runs), 4 MB rows a fifth faster.
 */
export const LEND_MIN_ROW_BYTES = 1 << 20;

/** Below this many rows a retained batch is searched in place rather than indexed. */
const RETAINED_SCAN_ROWS = 8;

function retainedDelta(batch: RetainedBatch, table: number, row: number): RowValues | undefined {
  const { rows } = batch;
  if (rows.length <= RETAINED_SCAN_ROWS) {
    for (const r of rows) if (r.row === row && r.table === table) return r.delta;
    return undefined;
  }
  batch.index ??= new Map(rows.map((r) => [rowKey(r.table, r.row), r.delta]));
  return batch.index.get(rowKey(table, row));
}

function newEntry(key: number): RowEntry {
  return {
    base: null,
    clock: 0,
    shared: false,
    viewClock: -1,
    inFlight: false,
    waiters: null,
    updates: null,
    older: null,
    newer: null,
    key,
  };
}

function isCached(entry: RowEntry): entry is CachedRow {
  return entry.base !== null;
}

export class ClientCore {
  readonly client: number;
  readonly workers: readonly number[];
  private readonly numShards: number;
  private readonly tables: ReadonlyMap<number, TableSpec>;
  private readonly placement: Placement;
  private readonly localIndex = new Map<number, number>();
  /**
   * workers[0] when the workers are consecutive ranks in order (as both hosts place them), else -1: then a
   * worker's index is a subtraction, not a lookup in a map that a host visiting many clients finds cold.
   */
  private readonly firstOfRun: number;
  private readonly workerClocks: Int32Array;
  private readonly blocked: Uint8Array;
  private procClock = 0;
  /**
   * Row key → entry. An entry without a cached row exists only while its row is requested, waited for, or
   * has uncommitted updates.
   */
  private readonly rows = new KeyedTable<RowEntry>();
  /**
   * Cached rows in the order they were last refreshed: the eviction order. A linked list, not the Map's own
   * order: moving a key to the end of a Map (delete, set) leaves holes that every later scan from the front
   * walks over, which made refreshing a row of a full cache cost microseconds.
   */
  private oldest: RowEntry | null = null;
  private newest: RowEntry | null = null;
  private cachedRows = 0;
  private readonly cacheCapacityRows: number;
  /**
   * Timestamp → the rows with uncommitted updates stamped so, in the order they were first written: what
   * the timestamp's batches will carry. The updates themselves are in the rows' entries.
   */
  private readonly oplog = new Map<number, RowEntry[]>();
  private readonly outstanding: Int32Array;
  private readonly subscriptions: Int32Array;
  private readonly subscribed = new Set<number>();
  private readonly retained: RetainedBatch[][];
  private outbox: ToShard[] = [];
  private completions: ReadCompletion[] = [];
  private events: CoreEvent[] = [];
  private readonly emits: EventFilter;
  private readonly releaseRow: ((values: RowValues) => void) | undefined;
  private readonly releasesSentBatches: boolean;
  /** Deltas that are an app's own arrays (incRow with `lend`), not copies: never changed, never recycled. */
  private readonly lent = new Set<RowValues>();
  private lentSent = 0;
  /** Rows the cache let go of while a view of them may still be in use, and the clock that view is valid in. */
  private released: Array<{ values: RowValues; viewClock: number }> = [];
  // Memo of the last delta written, because apps increment one row many times in a row.
  private memoKey = -1;
  private memoWorker = -1;
  private memoClock = -1;
  private memoDelta: RowValues | null = null;

  constructor(config: ClientConfig) {
    if (config.workers.length === 0) throw new RangeError(`client ${config.client} hosts no workers`);
    if (!Number.isInteger(config.numShards) || config.numShards < 1) {
      throw new RangeError(`client ${config.client}: need at least one shard, got ${config.numShards}`);
    }
    this.client = config.client;
    this.workers = [...config.workers];
    this.numShards = config.numShards;
    this.tables = validateTables(config.tables);
    this.placement = config.placement;
    this.cacheCapacityRows = config.cacheCapacityRows ?? Number.POSITIVE_INFINITY;
    this.emits = eventFilter(config.events);
    this.releaseRow = config.releaseRow;
    this.releasesSentBatches = config.releasesSentBatches ?? false;
    if (!(this.cacheCapacityRows >= 1)) {
      throw new RangeError(
        `client ${config.client}: cache capacity must be at least one row, got ${config.cacheCapacityRows}`,
      );
    }
    config.workers.forEach((w, i) => {
      if (this.localIndex.has(w)) throw new RangeError(`client ${config.client}: worker ${w} listed twice`);
      this.localIndex.set(w, i);
    });
    const first = config.workers[0];
    this.firstOfRun = config.workers.every((w, i) => w === first + i) ? first : -1;
    this.workerClocks = new Int32Array(config.workers.length);
    this.blocked = new Uint8Array(config.workers.length);
    this.outstanding = new Int32Array(config.numShards);
    this.subscriptions = new Int32Array(config.numShards);
    this.retained = Array.from({ length: config.numShards }, () => []);
  }

  /** Completed clocks of a local worker. */
  clockOf(worker: number): number {
    return this.workerClocks[this.indexOf(worker)];
  }

  /** The process clock: the minimum of the local workers' clocks. Batches are flushed as it advances. */
  get processClock(): number {
    return this.procClock;
  }

  isBlocked(worker: number): boolean {
    return this.blocked[this.indexOf(worker)] === 1;
  }

  /** The cached row with this client's committed updates replayed (no uncommitted ones), for tests. */
  cachedRow(table: number, row: number): { values: RowValues; clock: number } | undefined {
    const entry = this.rows.get(rowKey(table, row));
    return entry?.base == null ? undefined : { values: cloneRow(entry.base), clock: entry.clock };
  }

  /**
   * The host has sent this batch (from `drain()`, for `shard`) and its bytes have left the process: its long
   * rows go back for reuse (recycleDense), except those the client keeps to patch replies that predate
   * the batch. Optional: a host that never calls it only leaves more to the garbage collector. A host that
   * hands batches to an in-process server must not call it, since the server may keep a delta as its row.
   */
  release(shard: number, message: BatchMessage): void {
    for (const batch of this.retained[shard]) if (batch.version === message.version) return;
    for (const { delta } of message.rows) {
      if (this.lent.size > 0 && this.lent.delete(delta)) this.lentSent--;
      else if (!(delta instanceof SparseValues)) recycleDense(delta);
    }
  }

  /**
   * Lent rows (incRow with `lend`) in batches sent and not yet given back with release(): while it is above
   * 0, an app may not change an array it lent.
   */
  get lentInFlight(): number {
    return this.lentSent;
  }

  drain(): ClientReady {
    const ready: ClientReady = { messages: NOTHING, completions: NOTHING, events: NOTHING };
    if (this.outbox.length > 0) {
      ready.messages = this.outbox;
      this.outbox = [];
    }
    if (this.completions.length > 0) {
      ready.completions = this.completions;
      this.completions = [];
    }
    if (this.events.length > 0) {
      ready.events = this.events;
      this.events = [];
    }
    return ready;
  }

  /**
   * A read by `worker` at its current clock. Returns the row at once when the cache may serve it;
   * otherwise returns null, and the row arrives later as a completion from `drain()`.
   */
  read(worker: number, table: number, row: number): RowView | null {
    const views = this.readMany(worker, table, [row]);
    return views === null ? null : views[0];
  }

  /**
   * Reads several rows of one table at once: every missing row is requested before the worker waits, so a
   * clock's misses cost one round trip instead of one each (as a ps-lite Pull of many keys does). Returns
   * the rows at once when the cache serves them all; otherwise null, and one completion later.
   */
  readMany(worker: number, table: number, rows: readonly number[]): RowView[] | null {
    const index = this.activeIndex(worker, "read");
    const spec = this.tableOf(table);
    for (const row of rows) checkRow(spec, row);
    const clock = this.workerClocks[index];
    const required = requiredClock(spec, clock);
    const group: ReadGroup = { worker, table, rows: [...rows], views: new Array(rows.length), missing: 0 };
    for (let slot = 0; slot < rows.length; slot++) {
      const row = rows[slot];
      const key = rowKey(table, row);
      let entry = this.rows.get(key);
      if (entry !== undefined && isCached(entry) && entry.clock >= required) {
        if (spec.staleness === Number.POSITIVE_INFINITY && entry.clock < clock && !entry.inFlight) {
          // Async never waits, but it does not keep a row forever either: refresh it in the background.
          this.request(spec, entry, row, 0);
        }
        group.views[slot] = this.complete(worker, clock, spec, row, entry, "cache");
        continue;
      }
      group.missing++;
      if (entry === undefined) {
        entry = newEntry(key);
        this.rows.add(entry);
      }
      const waiter: Waiter = { worker, requiredClock: required, group, slot };
      if (entry.waiters === null) entry.waiters = [waiter];
      else entry.waiters.push(waiter);
      if (this.emits.blocked)
        this.emit({ type: "blocked", worker, table, row, clock, requiredClock: required });
      if (!entry.inFlight) this.request(spec, entry, row, this.requestClock(required, entry));
    }
    if (group.missing === 0) return group.views;
    this.blocked[index] = 1;
    return null;
  }

  inc(worker: number, table: number, row: number, col: number, delta: number): void {
    const index = this.activeIndex(worker, "inc");
    const spec = this.tableOf(table);
    checkRow(spec, row);
    checkColumn(spec, col);
    checkDeltaValue(spec, delta);
    addAt(this.deltaFor(worker, this.workerClocks[index], spec, rowKey(table, row)), col, delta);
  }

  /**
   * Adds a whole row of deltas (deltas.length must equal the table's width). With `lend`, and a host that
   * releases sent batches, a float row of the table's type, of LEND_MIN_ROW_BYTES or more, that is the row's
   * first delta this clock is kept and sent as it is, not copied: ps-lite's zero-copy push. The caller must
   * then leave `deltas` unchanged until the worker's clock() and lentInFlight is 0 (clock() copies it if it
   * is still unsent).
   */
  incRow(worker: number, table: number, row: number, deltas: ArrayLike<number>, lend = false): void {
    const index = this.activeIndex(worker, "incRow");
    const spec = this.tableOf(table);
    checkRow(spec, row);
    if (deltas.length !== spec.width) {
      throw new RangeError(
        `incRow on table ${spec.name}: ${deltas.length} deltas for a row of width ${spec.width}`,
      );
    }
    const n = deltas.length;
    const clock = this.workerClocks[index];
    const key = rowKey(table, row);
    if (
      spec.rowKind === "dense" &&
      spec.valueType !== "int32" &&
      this.findDelta(worker, clock, key) === null
    ) {
      // The row's first increment this clock (a whole-row push): lent, or a checked copy, not a zero row plus
      // an add. The row joins the oplog only if every value is finite.
      if (
        lend &&
        this.releasesSentBatches &&
        n * (spec.valueType === "float64" ? 8 : 4) >= LEND_MIN_ROW_BYTES &&
        deltas.constructor === denseArrayType(spec.valueType) &&
        !this.lent.has(deltas as Float32Array) &&
        simdAllFinite(deltas as Float32Array | Float64Array)
      ) {
        const kept = deltas as Float32Array | Float64Array;
        this.lent.add(kept);
        this.deltaFor(worker, clock, spec, key, kept);
        // A later inc of this row this clock must find the delta through deltaFor, which copies it first.
        this.memoDelta = null;
        return;
      }
      const fresh = this.releasesSentBatches
        ? newKernelDense(spec.valueType, n)
        : (newDense(spec.valueType, n, true) as Float32Array | Float64Array);
      if (copyIfFinite(fresh, deltas)) {
        this.deltaFor(worker, clock, spec, key, fresh);
        return;
      }
    }
    // Validate the whole row before touching the oplog, so a bad call changes nothing.
    let spoiled = 0;
    for (let i = 0; i < n; i++) spoiled += deltas[i] - deltas[i]; // NaN for any NaN or ±Infinity
    if (spoiled !== 0 || (spec.valueType === "int32" && !allIntegers(deltas))) {
      for (let i = 0; i < n; i++) checkDeltaValue(spec, deltas[i]);
    }
    const target = this.deltaFor(worker, clock, spec, key);
    if (target instanceof SparseValues) {
      for (let i = 0; i < n; i++) if (deltas[i] !== 0) addAt(target, i, deltas[i]);
    } else {
      for (let i = 0; i < n; i++) target[i] += deltas[i];
    }
  }

  /** Ends the worker's clock. When the process clock advances, the finished clock's updates are sent. */
  clock(worker: number): void {
    const index = this.activeIndex(worker, "clock");
    const next = ++this.workerClocks[index];
    if (this.emits.workerClock) this.emit({ type: "workerClock", worker, clock: next });
    let min = this.workerClocks[0];
    for (let i = 1; i < this.workerClocks.length; i++)
      if (this.workerClocks[i] < min) min = this.workerClocks[i];
    if (min > this.procClock) {
      this.flush(this.procClock);
      this.procClock = min;
      if (this.oldest !== null && this.cacheCapacityRows !== Number.POSITIVE_INFINITY) this.dropDeadRows();
      if (this.released.length > 0) this.releaseViewed();
      if (this.emits.processClock) this.emit({ type: "processClock", client: this.client, clock: min });
    } else if (this.lent.size > 0) {
      this.copyUnsentLent(worker, next - 1);
    }
  }

  /**
   * Copies the lent rows `worker` added at `clock` that are still in the oplog (another local worker holds
   * the process clock back), so that the app may change its arrays once clock() returns.
   */
  private copyUnsentLent(worker: number, clock: number): void {
    const entries = this.oplog.get(clock);
    if (entries === undefined) return;
    for (const entry of entries) {
      const update = writerAt(updatesAt(entry, clock), worker);
      if (update !== null && this.lent.delete(update.delta)) update.delta = cloneRow(update.delta);
    }
    this.memoDelta = null;
  }

  receive(message: ServerMessage): void {
    if (message.type !== "row") {
      throw new ProtocolError(
        `client ${this.client}: unexpected message ${(message as { type: string }).type}`,
      );
    }
    this.receiveRow(message);
  }

  private receiveRow(message: RowMessage): void {
    const spec = this.tables.get(message.table);
    if (spec === undefined) {
      throw new ProtocolError(
        `client ${this.client}: shard ${message.shard} sent unknown table ${message.table}`,
      );
    }
    checkRow(spec, message.row);
    const key = rowKey(message.table, message.row);
    const shard = this.placement(spec, message.row);
    if (shard !== message.shard) {
      throw new ProtocolError(
        `client ${this.client}: row ${message.row} of ${spec.name} came from shard ${message.shard}, but shard ${shard} owns it`,
      );
    }
    let entry = this.rows.get(key);
    if (!message.pushed && entry?.inFlight !== true) {
      throw new ProtocolError(
        `client ${this.client}: shard ${shard} answered row ${message.row} of ${spec.name} unasked`,
      );
    }
    if (entry !== undefined && isCached(entry) && message.clock < entry.clock) {
      throw new ProtocolError(
        `client ${this.client}: row ${message.row} of ${spec.name} went back from clock ${entry.clock} to ${message.clock}`,
      );
    }
    let base = message.values;
    let shared = true;
    const retained = this.retained[shard];
    if (retained.length > 0) {
      // Batches are kept in version order, and replies from one shard arrive in order with versions that
      // never decrease, so the batches this reply includes are a prefix, done with for good.
      let done = 0;
      while (done < retained.length && retained[done].version <= message.version) done++;
      if (done > 0) retained.splice(0, done);
      for (const batch of retained) {
        const delta = retainedDelta(batch, message.table, message.row);
        if (delta === undefined) continue;
        if (shared) {
          base = cloneRow(base);
          shared = false;
        }
        addRow(base, delta);
      }
    }
    if (!shared) this.letGo(message.values, -1);
    if (entry === undefined) {
      entry = newEntry(key);
      this.rows.add(entry);
    }
    if (entry.base === null) this.cachedRows++;
    else this.unlink(entry);
    // A host may hand the same values again (an in-process shard's unchanged row): still held, views too.
    if (entry.base !== base) {
      if (entry.base !== null) this.letGo(entry.base, entry.viewClock);
      entry.viewClock = -1;
    }
    entry.base = base;
    entry.clock = message.clock;
    entry.shared = shared;
    const cached = entry as CachedRow;
    this.linkNewest(cached);
    // Evicting before the request is marked done keeps this row (just refreshed, and maybe still wanted).
    if (this.cachedRows > this.cacheCapacityRows) this.evict();
    if (!message.pushed) {
      cached.inFlight = false;
      this.outstanding[shard]--;
    }
    const list = cached.waiters;
    if (list === null) return;
    let still: Waiter[] | null = null;
    for (const waiter of list) {
      if (cached.clock < waiter.requiredClock) {
        if (still === null) still = [waiter];
        else still.push(waiter);
        continue;
      }
      const { group } = waiter;
      const index = this.indexOf(waiter.worker);
      group.views[waiter.slot] = this.complete(
        waiter.worker,
        this.workerClocks[index],
        spec,
        message.row,
        cached,
        "server",
      );
      if (--group.missing === 0) {
        this.blocked[index] = 0;
        this.completions.push({
          worker: group.worker,
          table: group.table,
          rows: group.rows,
          views: group.views,
          row: group.rows[0],
          view: group.views[0],
        });
      }
    }
    if (still === null) {
      cached.waiters = null;
      return;
    }
    cached.waiters = still;
    if (!cached.inFlight) {
      let need = still[0].requiredClock;
      for (const w of still) need = Math.min(need, w.requiredClock);
      this.request(spec, cached, message.row, this.requestClock(need, cached));
    }
  }

  private complete(
    worker: number,
    clock: number,
    spec: TableSpec,
    row: number,
    cached: CachedRow,
    source: "cache" | "server",
  ): RowView {
    let values: RowValues | null = null;
    const window = clock + spec.staleness - 1;
    for (let stamp = cached.updates; stamp !== null; stamp = stamp.later) {
      for (let update: RowUpdate | null = stamp; update !== null; update = update.nextWriter) {
        if (update.worker !== worker && update.clock > window) continue;
        if (values === null) values = cloneRow(cached.base);
        addRow(values, update.delta);
      }
    }
    if (values === null) {
      cached.shared = true;
      if (clock > cached.viewClock) cached.viewClock = clock;
    }
    const view = new RowView(spec.width, values ?? cached.base);
    if (this.emits.read)
      this.emit({
        type: "read",
        worker,
        table: spec.id,
        row,
        clock,
        rowClock: cached.clock,
        staleness: clock - cached.clock,
        source,
        view,
      });
    return view;
  }

  /**
   * The clock to ask a shard for: the reader's need, unless a local reader that may join the request could
   * not wait for it. Reads of one row are merged into one request, and a shard reaches clock r only once
   * every local worker has completed r − 1: a request parked for a clock beyond a slower local worker's own
   * clock would deadlock that worker when it reads the same row. Every local worker's clock is at least the
   * process clock, and a reader the cache cannot serve needs more than the cached clock, so its clock is at
   * least cache clock + 1 too: asking for no more than max(cache clock + 1, process clock) is safe. (Not
   * process clock − s: that made a worker ahead of its process wait out up to s + 1 round trips, one shard
   * clock each, when one would do.) Asking for at least cache clock + 1 means a re-request waits for the next
   * shard clock instead of bouncing back at once.
   */
  private requestClock(need: number, entry: RowEntry): number {
    const floor = Math.max(isCached(entry) ? entry.clock + 1 : 0, this.procClock);
    return Math.min(need, floor);
  }

  /** Drops the least recently refreshed rows that no read is waiting for, down to capacity. */
  private evict(): void {
    let entry = this.oldest;
    while (entry !== null && this.cachedRows > this.cacheCapacityRows) {
      const newer = entry.newer;
      if (entry.waiters === null && !entry.inFlight) {
        this.drop(entry);
      }
      entry = newer;
    }
  }

  /**
   * Drops the cached rows no local read can take any more: every local worker's clock is at least the process
   * clock, so a row older than what a read at the process clock requires can only be fetched again. Keeping
   * them cost memory and, at thousands of simulated machines, time: every visit to a client found its data
   * cold in the CPU cache. The walk goes from the oldest refresh and stops at the first row still usable, so
   * it costs one step per dropped row; a dead row behind a live one goes at a later clock or by capacity.
   * What reads see does not change: a dead row would be requested again at the same clock either way.
   * Only in a cache of bounded capacity, where dead rows also take room from live ones. In an unbounded one
   * (the runtime's), an app that reads the same rows every clock would have each one dropped and made again
   * per clock: a BSP pull of 2,048 rows of 1 K floats a clock ran ~20% slower with the drops.
   */
  private dropDeadRows(): void {
    let entry = this.oldest;
    while (entry !== null) {
      const newer = entry.newer;
      const spec = this.tables.get(keyTable(entry.key)) as TableSpec;
      if (entry.clock >= requiredClock(spec, this.procClock)) return;
      if (entry.waiters === null && !entry.inFlight) {
        this.drop(entry);
      }
      entry = newer;
    }
  }

  /** Takes a cached row that no read waits for out of the cache (its entry stays while it has updates). */
  private drop(entry: RowEntry): void {
    this.unlink(entry);
    this.cachedRows--;
    this.letGo(entry.base as RowValues, entry.viewClock);
    entry.base = null;
    this.forgetIfIdle(entry);
  }

  /** Deletes the entry of a row that is not cached, if it is not requested, waited for, or updated either. */
  private forgetIfIdle(entry: RowEntry): void {
    if (entry.waiters === null && !entry.inFlight && entry.updates === null) this.rows.delete(entry.key);
  }

  /** The cache no longer holds `values`; a view handed out at viewClock may still be read until it ends. */
  private letGo(values: RowValues, viewClock: number): void {
    if (this.releaseRow === undefined) return;
    if (viewClock < this.procClock) this.releaseRow(values);
    else this.released.push({ values, viewClock });
  }

  /** Releases the rows whose views every local worker has clocked past. */
  private releaseViewed(): void {
    const still: Array<{ values: RowValues; viewClock: number }> = [];
    for (const r of this.released) {
      if (r.viewClock < this.procClock) this.releaseRow?.(r.values);
      else still.push(r);
    }
    this.released = still;
  }

  private linkNewest(entry: RowEntry): void {
    entry.older = this.newest;
    entry.newer = null;
    if (this.newest === null) this.oldest = entry;
    else this.newest.newer = entry;
    this.newest = entry;
  }

  private unlink(entry: RowEntry): void {
    if (entry.older === null) this.oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === null) this.newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = null;
    entry.newer = null;
  }

  private request(spec: TableSpec, entry: RowEntry, row: number, required: number): void {
    const shard = this.placement(spec, row);
    const subscribe = spec.consistency === "essp";
    const key = rowKey(spec.id, row);
    entry.inFlight = true;
    this.outstanding[shard]++;
    if (subscribe && !this.subscribed.has(key)) {
      this.subscribed.add(key);
      this.subscriptions[shard]++;
    }
    this.outbox.push({
      shard,
      message: { type: "read", client: this.client, table: spec.id, row, requiredClock: required, subscribe },
    });
    if (this.emits.request)
      this.emit({
        type: "request",
        client: this.client,
        shard,
        table: spec.id,
        row,
        requiredClock: required,
      });
  }

  /** The last delta looked up, if it is this worker's for this row and clock; else null. */
  private memoFor(worker: number, clock: number, key: number): RowValues | null {
    const hit = key === this.memoKey && worker === this.memoWorker && clock === this.memoClock;
    return hit ? this.memoDelta : null;
  }

  /** The worker's delta for this row and clock, if it has one. */
  private findDelta(worker: number, clock: number, key: number): RowValues | null {
    const memo = this.memoFor(worker, clock, key);
    if (memo !== null) return memo;
    const entry = this.rows.get(key);
    if (entry === undefined) return null;
    return writerAt(updatesAt(entry, clock), worker)?.delta ?? null;
  }

  /** The worker's delta for this row and clock; a new one is `initial` (a zero row if not given). */
  private deltaFor(
    worker: number,
    clock: number,
    spec: TableSpec,
    key: number,
    initial?: RowValues,
  ): RowValues {
    const memo = this.memoFor(worker, clock, key);
    if (memo !== null) return memo;
    let entry = this.rows.get(key);
    if (entry === undefined) {
      entry = newEntry(key);
      this.rows.add(entry);
    }
    const first = updatesAt(entry, clock);
    const own = writerAt(first, worker);
    let delta: RowValues;
    if (own !== null) {
      delta = own.delta;
      if (this.lent.size > 0 && this.lent.delete(delta)) own.delta = delta = cloneRow(delta);
    } else {
      delta = initial ?? newRow(spec);
      const update: RowUpdate = { clock, worker, delta, nextWriter: null, later: null };
      if (first !== null) {
        let last = first;
        while (last.nextWriter !== null) last = last.nextWriter;
        last.nextWriter = update;
      } else {
        addUpdates(entry, update);
        // A list made with its first element: an empty list's first push reserves room for 16.
        const stamped = this.oplog.get(clock);
        if (stamped === undefined) this.oplog.set(clock, [entry]);
        else stamped.push(entry);
      }
    }
    this.memoKey = key;
    this.memoWorker = worker;
    this.memoClock = clock;
    this.memoDelta = delta;
    return delta;
  }

  /** Sends every update stamped `t` as one batch per shard (empty batches too: they carry the clock). */
  private flush(t: number): void {
    const stamped = this.oplog.get(t);
    this.oplog.delete(t);
    this.memoDelta = null;
    // Each shard's list is made with its first row (an empty list's first push reserves room for 16); a shard
    // with none gets an empty batch, which still carries the clock.
    const perShard: Array<RowDelta[] | undefined> = new Array(this.numShards);
    if (stamped !== undefined) {
      for (const entry of stamped) {
        const { key } = entry;
        const oldest = takeOldestUpdates(entry, t);
        let sum = oldest.delta;
        if (oldest.nextWriter !== null && this.lent.size > 0 && this.lent.delete(sum)) sum = cloneRow(sum);
        for (let update = oldest.nextWriter; update !== null; update = update.nextWriter) {
          const { delta } = update;
          addRow(sum, delta);
          if (this.lent.size > 0 && this.lent.delete(delta)) continue;
          if (!(delta instanceof SparseValues)) recycleDense(delta as DenseValues);
        }
        if (this.lent.size > 0 && this.lent.has(sum)) this.lentSent++;
        const table = keyTable(key);
        const row = keyRow(key);
        const spec = this.tables.get(table)!;
        const shard = this.placement(spec, row);
        const delta: RowDelta = { table, row, delta: sum };
        const list = perShard[shard];
        if (list === undefined) perShard[shard] = [delta];
        else list.push(delta);
        // A row that no read from the next process clock on may take is only ever fetched again, so it is not
        // brought up to date: most rows are read at the edge of their window, and copying them here (they are
        // shared) was ~5% of a 10,000-worker simulation.
        if (isCached(entry) && entry.clock >= requiredClock(spec, t + 1)) {
          if (entry.shared) {
            const copy = cloneRow(entry.base);
            this.letGo(entry.base, entry.viewClock);
            entry.base = copy;
            entry.shared = false;
            entry.viewClock = -1;
          }
          addRow(entry.base, sum);
        } else if (entry.base === null) {
          this.forgetIfIdle(entry);
        }
      }
    }
    const version = t + 1;
    for (let shard = 0; shard < this.numShards; shard++) {
      const rows = perShard[shard] ?? [];
      if (rows.length > 0 && (this.outstanding[shard] > 0 || this.subscriptions[shard] > 0)) {
        // A retained batch outlives the send, and the app may change a lent array once the send is done.
        if (this.lentSent > 0) this.copyLent(rows);
        this.retained[shard].push({ version, rows, index: null });
      }
      this.outbox.push({ shard, message: { type: "batch", client: this.client, version, clock: t, rows } });
      if (this.emits.batchSent)
        this.emit({
          type: "batchSent",
          client: this.client,
          shard,
          version,
          clock: t,
          rows: rows.length,
        });
    }
  }

  /** Queues an event for drain(). A list is made with its first event: an empty list's push reserves 16. */
  private emit(event: CoreEvent): void {
    if (this.events.length === 0) this.events = [event];
    else this.events.push(event);
  }

  /** Replaces the lent deltas among `rows` by copies. */
  private copyLent(rows: RowDelta[]): void {
    for (let i = 0; i < rows.length; i++) {
      if (this.lent.delete(rows[i].delta)) {
        rows[i] = { ...rows[i], delta: cloneRow(rows[i].delta) };
        this.lentSent--;
      }
    }
  }

  private indexOf(worker: number): number {
    if (this.firstOfRun >= 0) {
      const at = worker - this.firstOfRun;
      if (at >>> 0 === at && at < this.workerClocks.length) return at;
    }
    const index = this.localIndex.get(worker);
    if (index === undefined)
      throw new RangeError(`worker ${worker} does not belong to client ${this.client}`);
    return index;
  }

  private activeIndex(worker: number, op: string): number {
    const index = this.indexOf(worker);
    if (this.blocked[index] === 1) {
      throw new Error(`worker ${worker} called ${op} while its read is still pending: await each read first`);
    }
    return index;
  }

  private tableOf(table: number): TableSpec {
    const spec = this.tables.get(table);
    if (spec === undefined) {
      throw new RangeError(`unknown table ${table}; declared tables: ${[...this.tables.keys()].join(", ")}`);
    }
    return spec;
  }
}

/** The shard clock a read at `clock` needs: every worker must have completed clock − s − 1. */
export function requiredClock(spec: TableSpec, clock: number): number {
  return spec.staleness === Number.POSITIVE_INFINITY ? 0 : Math.max(0, clock - spec.staleness);
}

function checkRow(spec: TableSpec, row: number): void {
  const ok = isRowId(row) && (spec.rows === undefined || row < spec.rows);
  if (!ok)
    throw new RangeError(`row ${row} is not a row of table ${spec.name} (rows: ${spec.rows ?? "2^32"})`);
}

function checkColumn(spec: TableSpec, col: number): void {
  if (!Number.isInteger(col) || col < 0 || col >= spec.width) {
    throw new RangeError(`column ${col} is outside table ${spec.name}'s width ${spec.width}`);
  }
}

function allIntegers(xs: ArrayLike<number>): boolean {
  for (let i = 0; i < xs.length; i++) if ((xs[i] | 0) !== xs[i]) return false;
  return true;
}

function checkDeltaValue(spec: TableSpec, delta: number): void {
  if (!Number.isFinite(delta))
    throw new RangeError(`increment ${delta} to table ${spec.name} is not a finite number`);
  if (spec.valueType === "int32" && !Number.isInteger(delta)) {
    throw new RangeError(`table ${spec.name} holds int32 counts; increment ${delta} is not an integer`);
  }
}

/** The row's uncommitted updates stamped `clock` (that timestamp's first writer), if any. */
function updatesAt(entry: RowEntry, clock: number): RowUpdate | null {
  let stamp = entry.updates;
  while (stamp !== null && stamp.clock !== clock) stamp = stamp.later;
  return stamp;
}

/** The worker's update among a timestamp's writers, if it wrote one. */
function writerAt(first: RowUpdate | null, worker: number): RowUpdate | null {
  let update = first;
  while (update !== null && update.worker !== worker) update = update.nextWriter;
  return update;
}

/**
 * Adds a timestamp's first writer to the row's updates, in clock order: a read adds them oldest first,
 * whatever order the local workers first wrote the timestamps in.
 */
function addUpdates(entry: RowEntry, first: RowUpdate): void {
  let before: RowUpdate | null = null;
  let after = entry.updates;
  while (after !== null && after.clock < first.clock) {
    before = after;
    after = after.later;
  }
  first.later = after;
  if (before === null) entry.updates = first;
  else before.later = first;
}

/** Takes the row's oldest updates, which flushing timestamp `clock` requires to be stamped `clock`. */
function takeOldestUpdates(entry: RowEntry, clock: number): RowUpdate {
  const oldest = entry.updates;
  if (oldest === null || oldest.clock !== clock) {
    throw new Error(`client oplog: row ${entry.key} has no updates stamped ${clock} to flush`);
  }
  entry.updates = oldest.later;
  oldest.later = null;
  return oldest;
}
