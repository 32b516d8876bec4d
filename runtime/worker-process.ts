// A worker process: one ClientCore (the process cache) serving several logical workers that run an app
// through the WorkerApi. The host loop is etcd-raft style: feed the core (app calls, rows from servers), then
// drain it and carry out what it asks (send frames, resolve reads, write trace records).

import type { AppInstance, RowView, WorkerApi } from "../apps/api.ts";
import { stream } from "../apps/random.ts";
import { ClientCore } from "../core/client.ts";
import type { CoreEvent } from "../core/events.ts";
import type { ReadMessage } from "../core/messages.ts";
import type { Placement } from "../core/placement.ts";
import type { TableSpec } from "../core/tables.ts";
import { readRecord } from "../core/trace-format.ts";
import { makeStragglers, type StragglerModel } from "../sim/stragglers.ts";
import { jobClock } from "./clock.ts";
import {
  encodeBatchParts,
  encodeReads,
  type Frame,
  LEND_MIN_BYTES,
  messageShareBytes,
  readsPerFrame,
} from "./codec.ts";
import { Connection, DEFAULT_MAX_QUEUED_BYTES } from "./connection.ts";
import { type Assignment, joinJob, type WorkerStats } from "./control.ts";
import { releaseReceivedRow } from "./frame-decoder.ts";
import { joinPeer } from "./handshake.ts";
import {
  createApp,
  jobPlacement,
  jobSchema,
  jobTables,
  numShards,
  serverOfShard,
  workersOfProcess,
} from "./job.ts";
import { type Address, connectWithRetry, formatAddress } from "./net.ts";
import { TraceWriter } from "./trace-writer.ts";

export interface WorkerProcessOptions {
  coordinator: Address;
  token: string;
  rank: number;
  timeoutMs: number;
  log: (line: string) => void;
}

/** A worker that never waits yields to the event loop at least this often, in ns. */
const YIELD_EVERY_NS = 1_000_000;

interface Pending {
  resolve: (views: RowView[]) => void;
  reject: (e: Error) => void;
  t0: number;
  kind: "wait" | "comm";
  table: number;
  row: number;
}

interface Timing {
  /** When the worker last came back from a blocking call: the start of its current compute span. */
  since: number;
  computeNs: number;
  /** Compute time in the worker's current clock, for straggler injection. */
  clockComputeNs: number;
  waitNs: number;
  commNs: number;
}

/** Runs one worker process to the end of the job. Rejects with the reason if the job fails. */
export async function runWorkerProcess(options: WorkerProcessOptions): Promise<void> {
  const { conn, assignment } = await joinJob({
    coordinator: options.coordinator,
    token: options.token,
    role: "worker",
    rank: options.rank,
    timeoutMs: options.timeoutMs,
  });
  await runAssigned(conn, assignment, options);
}

/** The part after bootstrap: connect to the servers, run the workers, report, wait for shutdown. */
export async function runAssigned(
  coord: Connection,
  assignment: Assignment,
  options: WorkerProcessOptions,
): Promise<void> {
  let host: WorkerHost;
  try {
    host = new WorkerHost(assignment, options);
  } catch (e) {
    // Tell the coordinator and let go of it: an open connection would keep this process (and the job) alive.
    if (coord.isOpen) coord.sendControl({ t: "failed", message: (e as Error).message });
    await coord.drained();
    coord.close();
    throw e;
  }
  try {
    await host.connect();
    const stats = await host.run();
    coord.sendControl({ t: "done", stats });
  } catch (e) {
    if (coord.isOpen) coord.sendControl({ t: "failed", message: (e as Error).message });
    await coord.drained();
    await host.close();
    coord.close();
    throw e;
  }
  const frame = await coord.next(2_147_483_647, "shutdown").catch((e: Error) => e);
  await host.close();
  coord.close();
  if (frame instanceof Error) throw new Error(`lost the coordinator before shutdown: ${frame.message}`);
}

class WorkerHost {
  private readonly app: AppInstance;
  private readonly core: ClientCore;
  private readonly tables: Map<number, TableSpec>;
  private readonly placement: Placement;
  private readonly now: () => number;
  private readonly servers: Connection[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly timing = new Map<number, Timing>();
  /** Highest shard clock seen per shard, to tell waiting on stragglers from waiting on the network. */
  private readonly shardClock: Int32Array;
  private readonly staleness = new Map<number, number>();
  private reads = 0;
  private messages = 0;
  private bytes = 0;
  /** Written as `this.trace?.write({...})`: without a trace, the record is not even built. */
  private readonly trace: TraceWriter | null;
  private readonly stragglers: StragglerModel | null;
  private failure: Error | null = null;
  /** When the workers last let the event loop run (see clock). */
  private lastYieldNs = 0;
  /** clock() calls waiting for the core's lent rows to be sent (lentInFlight back to 0). */
  private readonly lentWaiters: Array<() => void> = [];
  /** Reads a frame may hold under the job's frame cap. */
  private readonly readsPerFrame: number;
  /** Per shard, the reads of the current pump not yet sent (see pump). */
  private readonly unsentReads: ReadMessage[][];

  constructor(
    private readonly assignment: Assignment,
    private readonly options: WorkerProcessOptions,
  ) {
    const { job, rank } = assignment;
    this.app = createApp(job);
    const tables = jobTables(this.app, job);
    this.tables = new Map(tables.map((t) => [t.id, t]));
    this.placement = jobPlacement(job);
    this.core = new ClientCore({
      client: rank,
      workers: workersOfProcess(job, rank),
      numShards: numShards(job),
      tables,
      placement: this.placement,
      // The ones onEvent uses: reads (staleness, trace), clocks (trace), blocks (wait or network).
      events: ["read", "workerClock", "blocked"],
      // A received row's frame (or copy) is nobody else's: its memory takes the next long frame.
      releaseRow: releaseReceivedRow,
      // Every batch goes back with release() once its bytes have left, and clock() waits for lent rows.
      releasesSentBatches: true,
    });
    this.now = jobClock(assignment.jobStart);
    this.shardClock = new Int32Array(numShards(job));
    this.readsPerFrame = readsPerFrame(job.maxFrameBytes);
    this.unsentReads = Array.from({ length: numShards(job) }, () => []);
    this.trace = assignment.tracePath === null ? null : new TraceWriter(assignment.tracePath);
    this.stragglers =
      job.stragglers === "none" ? null : makeStragglers(job.stragglers, job.workers, job.seed);
  }

  async connect(): Promise<void> {
    const { job, rank, servers } = this.assignment;
    const schema = jobSchema(job, jobTables(this.app, job));
    await Promise.all(
      servers.map(async (address, index) => {
        const socket = await connectWithRetry(address, `server ${index}`, this.options.timeoutMs);
        const conn = new Connection(socket, {
          label: `server ${index} at ${formatAddress(address)}`,
          schema,
          maxQueuedBytes: DEFAULT_MAX_QUEUED_BYTES,
          now: this.now,
        });
        await joinPeer(conn, this.options.token, { role: "worker", rank }, this.options.timeoutMs);
        conn.listen((frame) => this.onFrame(frame, index));
        conn.onClose((error) => {
          if (error !== null || this.pending.size > 0)
            this.fail(error ?? new Error(`${conn.label} closed the connection`));
        });
        this.servers[index] = conn;
      }),
    );
  }

  async run(): Promise<WorkerStats> {
    const { job } = this.assignment;
    const start = this.now();
    await Promise.all(
      this.core.workers.map((w) => {
        this.timing.set(w, { since: start, computeNs: 0, clockComputeNs: 0, waitNs: 0, commNs: 0 });
        return this.app.run(this.api(w), job.clocks);
      }),
    );
    await Promise.all(this.servers.map((c) => c.drained()));
    const endNs = this.now();
    const runNs = endNs - start;
    if (this.failure !== null) throw this.failure;
    let computeNs = 0;
    let waitNs = 0;
    let commNs = 0;
    for (const t of this.timing.values()) {
      computeNs += t.computeNs;
      waitNs += t.waitNs;
      commNs += t.commNs;
    }
    return {
      workers: this.core.workers.length,
      computeNs,
      waitNs,
      commNs,
      runNs,
      endNs,
      reads: this.reads,
      messages: this.messages,
      bytes: this.bytes,
      staleness: Object.fromEntries([...this.staleness].map(([k, v]) => [String(k), v])),
    };
  }

  async close(): Promise<void> {
    for (const c of this.servers) c?.close();
    await this.trace?.close();
  }

  private api(worker: number): WorkerApi {
    const { job } = this.assignment;
    const incRow = (table: number, row: number, deltas: ArrayLike<number>, lend: boolean): void => {
      this.check();
      this.core.incRow(worker, table, row, deltas, lend);
      if (job.checkMode) {
        for (let col = 0; col < deltas.length; col++) {
          if (deltas[col] !== 0) this.recordInc(worker, table, row, col, deltas[col]);
        }
      }
    };
    return {
      rank: worker,
      workers: job.workers,
      random: stream(job.seed, `worker/${worker}`, "app"),
      read: (table, row) => this.readMany(worker, table, [row]).then((views) => views[0]),
      readMany: (table, rows) => this.readMany(worker, table, rows),
      inc: (table, row, col, delta) => {
        this.check();
        this.core.inc(worker, table, row, col, delta);
        if (job.checkMode) this.recordInc(worker, table, row, col, delta);
      },
      incRow: (table, row, deltas) => incRow(table, row, deltas, false),
      lendRow: (table, row, values) => incRow(table, row, values, true),
      clock: () => this.clock(worker),
      compute: async () => {},
    };
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
  }

  private readMany(worker: number, table: number, rows: readonly number[]): Promise<RowView[]> {
    this.check();
    const views = this.core.readMany(worker, table, rows);
    if (views !== null) {
      this.pump();
      return Promise.resolve(views);
    }
    const t0 = this.now();
    this.endCompute(worker, t0);
    const promise = new Promise<RowView[]>((resolve, reject) => {
      this.pending.set(worker, { resolve, reject, t0, kind: "comm", table, row: rows[0] });
    });
    this.pump();
    return promise;
  }

  private async clock(worker: number): Promise<void> {
    this.check();
    this.endCompute(worker, this.now());
    // Not `await this.straggle()` when there is nothing to inject: an await costs a turn of the microtask queue.
    if (this.stragglers !== null) await this.straggle(worker);
    this.core.clock(worker);
    this.pump();
    for (const c of this.servers) if (c.congested) await c.drained();
    // The app may change the arrays it lent once clock() resolves: wait until their bytes have left.
    if (this.core.lentInFlight > 0) await new Promise<void>((resolve) => this.lentWaiters.push(resolve));
    // Let the sockets breathe: a worker whose reads all hit the cache would otherwise never yield. Not every
    // clock, though: a turn of the event loop per clock costs more than a small row's whole clock, and the
    // frames of the clocks in one turn leave in one writev (Connection.send).
    let t = this.now();
    if (t - this.lastYieldNs >= YIELD_EVERY_NS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.lastYieldNs = t = this.now();
    }
    this.check();
    this.timing.get(worker)!.since = t;
  }

  /**
   * Straggler injection with the simulator's models: the simulator stretches a clock's compute by the
   * model's factor and adds its pauses; here the worker really sleeps for the difference.
   */
  private async straggle(worker: number): Promise<void> {
    if (this.stragglers === null) return;
    const timing = this.timing.get(worker)!;
    const computeNs = timing.clockComputeNs;
    timing.clockComputeNs = 0;
    const clock = this.core.clockOf(worker);
    const extraNs =
      computeNs * (this.stragglers.slowdown(worker, clock) - 1) + this.stragglers.pauseNs(worker, computeNs);
    if (extraNs < 1e5) return;
    await new Promise((resolve) => setTimeout(resolve, extraNs / 1e6));
    this.endCompute(worker, this.now());
    timing.clockComputeNs = 0;
  }

  private endCompute(worker: number, t: number): void {
    const timing = this.timing.get(worker)!;
    if (t > timing.since) {
      timing.computeNs += t - timing.since;
      timing.clockComputeNs += t - timing.since;
      this.trace?.write({
        k: "span",
        w: worker,
        kind: "compute",
        t0: timing.since,
        t1: t,
        clock: this.core.clockOf(worker),
      });
    }
    timing.since = t;
  }

  private onFrame(frame: Frame, server: number): void {
    if (frame.kind !== "row") {
      throw new Error(
        `server ${server} sent a ${frame.kind === "control" ? `"${frame.body.t}" message` : `${frame.kind} frame`}, expected rows`,
      );
    }
    if (serverOfShard(this.assignment.job, frame.shard) !== server) {
      throw new Error(`server ${server} sent rows of shard ${frame.shard}, which it does not host`);
    }
    const { messages } = frame;
    const recv = this.trace === null ? 0 : this.now();
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      this.trace?.write({
        k: "msg",
        from: `s${m.shard}`,
        to: `c${this.core.client}`,
        sent: frame.sentNs,
        recv,
        bytes: messageShareBytes(frame.bytes, messages.length, i),
        kind: m.pushed ? "push" : "row",
      });
      if (m.clock > this.shardClock[m.shard]) this.shardClock[m.shard] = m.clock;
      this.core.receive(m);
    }
    this.messages += messages.length;
    this.bytes += frame.bytes;
    this.pump();
  }

  /** Sends what the core produced, resolves completed reads, and turns events into trace records. */
  private pump(): void {
    const ready = this.core.drain();
    const { job } = this.assignment;
    const t = this.now();
    for (const { shard, message } of ready.messages) {
      if (message.type === "read") {
        // Reads to one shard travel together, in order; a batch to the shard first sends the reads before it.
        const reads = this.unsentReads[shard];
        reads.push(message);
        if (reads.length === this.readsPerFrame) this.sendReads(shard, t);
        continue;
      }
      if (this.unsentReads[shard].length > 0) this.sendReads(shard, t);
      // Deltas of LEND_MIN_BYTES or more are sent from the core's own arrays: it never changes a drained batch.
      const server = this.servers[serverOfShard(job, shard)];
      const frame = encodeBatchParts(shard, message, t, LEND_MIN_BYTES);
      // The batch's long rows can be reused once its bytes have left (at once if none were lent).
      const release = (): void => {
        this.core.release(shard, message);
        if (this.core.lentInFlight === 0 && this.lentWaiters.length > 0)
          for (const wake of this.lentWaiters.splice(0)) wake();
      };
      if (frame.length > 1) server.send(frame, release);
      else {
        server.send(frame);
        release();
      }
      this.messages++;
      for (const part of frame) this.bytes += part.length;
    }
    for (let shard = 0; shard < this.unsentReads.length; shard++)
      if (this.unsentReads[shard].length > 0) this.sendReads(shard, t);
    for (const e of ready.events) this.onEvent(e, t);
    for (const c of ready.completions) {
      const p = this.pending.get(c.worker);
      if (p === undefined) continue;
      this.pending.delete(c.worker);
      const timing = this.timing.get(c.worker)!;
      const span = t - p.t0;
      if (p.kind === "wait") timing.waitNs += span;
      else timing.commNs += span;
      this.trace?.write({
        k: "span",
        w: c.worker,
        kind: p.kind,
        t0: p.t0,
        t1: t,
        clock: this.core.clockOf(c.worker),
        table: p.table,
        row: p.row,
      });
      timing.since = t;
      p.resolve(c.views);
    }
  }

  private sendReads(shard: number, t: number): void {
    const reads = this.unsentReads[shard];
    const frame = encodeReads(shard, reads, t);
    this.servers[serverOfShard(this.assignment.job, shard)].send(frame);
    this.messages += reads.length;
    this.bytes += frame.length;
    reads.length = 0;
  }

  private onEvent(e: CoreEvent, t: number): void {
    switch (e.type) {
      case "read":
        this.reads++;
        this.staleness.set(e.staleness, (this.staleness.get(e.staleness) ?? 0) + 1);
        this.trace?.write(readRecord(e, t, this.assignment.job.checkMode ? e.view.nonZeros() : undefined));
        break;
      case "workerClock":
        this.trace?.write({ k: "clock", w: e.worker, clock: e.clock, t });
        break;
      case "blocked": {
        // Parked at the shard (its clock is behind) is waiting on stragglers; otherwise it is the network.
        // A readMany blocks once per missing row; any row behind makes the whole wait a straggler wait.
        const spec = this.tables.get(e.table)!;
        const pending = this.pending.get(e.worker);
        if (pending !== undefined && e.requiredClock > this.shardClock[this.placement(spec, e.row)])
          pending.kind = "wait";
        break;
      }
      default:
        break;
    }
  }

  private recordInc(worker: number, table: number, row: number, col: number, delta: number): void {
    this.trace?.write({
      k: "inc",
      w: worker,
      t: this.now(),
      clock: this.core.clockOf(worker),
      table,
      row,
      col,
      delta,
    });
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    // A clock() waiting for lent rows goes on to its check(), which throws this failure.
    for (const wake of this.lentWaiters.splice(0)) wake();
    this.options.log(`worker process ${this.core.client}: ${error.message}`);
  }
}
