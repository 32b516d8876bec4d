// The simulated host: runs the real core (one ClientCore per machine, one ServerShard per server) and the
// real app code on simulated machines. Every message crosses the network model; every compute() is charged
// simulated time from the hardware profile and the straggler models.
//
// Apps are async functions. A worker runs (in microtasks) until it blocks on a simulated operation: a read
// that misses the cache, or compute(). The engine counts running workers; after an event that resumed some,
// it stops until the last of them blocks, which queues its next step as a microtask. So app code always acts
// at the simulated time of the event that resumed it, and the interleaving is fixed by the event order alone.
//
// Every event gets a tie key from the entity that schedules it (a machine's client or a shard) and that
// entity's count of events so far, and simultaneous events run in key order. The order therefore does not
// depend on when events were pushed, which is what lets a run be split into partitions of machines, each
// with its own queue (see partition.ts), and still run every event in the order one queue would.

import type { AppInstance, WorkerApi } from "../apps/api.ts";
import type { ModelRow } from "../apps/objective-sampler.ts";
import { stream } from "../apps/random.ts";
import { ClientCore, type ReadCompletion } from "../core/client.ts";
import type { CoreEvent } from "../core/events.ts";
import { keyRow, keyTable, rowKey } from "../core/keys.ts";
import type { ClientMessage, ServerMessage, ToClient, ToShard } from "../core/messages.ts";
import type { Placement } from "../core/placement.ts";
import { cloneRow, type RowValues, RowView } from "../core/rows.ts";
import { ServerShard } from "../core/server.ts";
import type { TableSpec } from "../core/tables.ts";
import { objectiveDue } from "../core/trace-format.ts";
import { unboxed } from "../core/unboxed.ts";
import { EventQueue } from "./event-queue.ts";
import { messageBytes, messageValues } from "./message-size.ts";
import { Network } from "./network.ts";
import { mergeTransfers, type PartitionLink, partitionOf, type Transfer } from "./partition.ts";
import type { HardwareProfile } from "./profiles.ts";
import { type ActivityTotals, StalenessHistogram } from "./stats.ts";
import type { StragglerModel } from "./stragglers.ts";
import type { TraceRecorder } from "./trace-recorder.ts";
import { TransferWriter } from "./transfer-codec.ts";

/**
 * Bumped whenever the same settings give other results (a change of a model, or of the event order), so that
 * a sweep does not reuse results from before (experiments/sweep/grid.ts). 2: tie keys from entities, and
 * objective samples timed by the latest shard.
 */
export const SIM_RESULTS_VERSION = 2;

export interface HostConfig {
  app: AppInstance;
  tables: TableSpec[];
  workers: number;
  machines: number;
  servers: number;
  clocks: number;
  seed: number;
  profile: HardwareProfile;
  stragglers: StragglerModel;
  placement: Placement;
  objectiveEvery: number;
  /** Gets each shard's settled rows at the sampled clocks (see apps/objective-sampler.ts). */
  onSnapshot?: (shard: number, clock: number, tNs: number, rows: ModelRow[]) => void;
  recorder: TraceRecorder;
  /** Record increments, read values and final rows, so the checker can verify read contents. */
  checkMode: boolean;
  /** Reorder simultaneous events with this seed. */
  shuffleTies?: number;
  /** Process-cache capacity per machine, in rows (default: no limit). */
  cacheRows?: number;
  /** Called now and then with the fraction of worker-clocks done (of this partition's workers). */
  progress?: (fraction: number) => void;
  /** Run only one partition of the machines, swapping messages with the others through this link. */
  partition?: PartitionLink;
}

export interface HostResult {
  simTimeNs: number;
  /** computeUnits: the sum over workers in rank order, so that it does not depend on the event order. */
  totals: ActivityTotals;
  /** Work units each worker declared (0 for the workers of other partitions). */
  computeUnitsByWorker: Float64Array;
  staleness: StalenessHistogram;
  messages: number;
  bytes: number;
  events: number;
}

/** A shard's view of when a read was parked, so the worker's blocked time splits into wait and comm. */
interface Gate {
  fromNs: number;
  toNs: number;
}

/** A reply on its way to a client, with what the client's blocked workers learn from it. */
export interface ToClientInTransit {
  client: number;
  message: ServerMessage;
  gate: Gate | null;
}

/** What an operation that completes at once returns: one settled promise serves them all. */
const DONE: Promise<void> = Promise.resolve();

/** The machine of each worker: workers are spread over machines in contiguous blocks. */
export function workerMachines(workers: number, machines: number): Int32Array {
  const machineOf = new Int32Array(workers);
  for (let w = 0; w < workers; w++) machineOf[w] = Math.floor((w * machines) / workers);
  return machineOf;
}

export class SimHost {
  private readonly queue: EventQueue;
  private readonly network: Network;
  /** Indexed by machine and by shard; only this partition's are present. */
  private readonly clients: ClientCore[];
  private readonly shards: ServerShard[];
  private readonly machineOf: Int32Array;
  private readonly serverMachine: Int32Array;
  private readonly computeNsPerUnit: Float64Array;
  private readonly tablesById: Map<number, TableSpec>;
  private now = 0;
  private running = 0;
  /** Whether the engine waits for the running workers to block: the last one to do so runs it again. */
  private engineWaits = false;
  private windowEndNs = 0;
  /** The promise run() returned. */
  private settle!: { resolve: (result: HostResult) => void; reject: (e: unknown) => void };
  private failure: Error | null = null;
  private readonly resolvers: Array<((views: RowView[]) => void) | null>;
  /** Rows a blocked worker waits for, and the union of their shard parking, to split wait from comm. */
  private readonly blockedTable: Int32Array;
  private readonly blockedRows: Array<number[] | null>;
  /**
   * Per blocked worker, bit (row mod 32) set for each row it waits for; 0 when not blocked. A reply's gate is
   * matched against a machine's workers for each reply, and this flat array rules most of them out without
   * touching their (cold) row lists.
   */
  private readonly blockedRowBits: Int32Array;
  private readonly blockedGate: Array<Gate | null>;
  private readonly blockedAt: Float64Array;
  private readonly workerClock: Int32Array;
  private readonly doneAt: Float64Array;
  private workerClocksDone = 0;
  /** Workers on this partition's machines (all of them without partitions). */
  private ownedWorkers = 0;
  /** When each shard is done with every message that has reached it. */
  private readonly shardFreeNs: Float64Array;
  /**
   * client → row key → time the row's shard parked that client's read of it (a row lives on one shard). A
   * client's map is made at its first parked read and dropped once empty: most replies find none to look in.
   */
  private readonly parkedAt: Array<Map<number, number> | undefined>;
  private readonly totals: ActivityTotals = { computeUnits: 0, computeNs: 0, waitNs: 0, commNs: 0 };
  private readonly staleness = new StalenessHistogram();
  private readonly computeUnitsByWorker: Float64Array;
  private eventsRun = 0;
  /** Events each entity has scheduled: machine m is entity m, shard k is entity machines + k. */
  private readonly scheduledBy: Float64Array;
  private readonly tieSeed: number | undefined;
  /** Messages sent by the event being run so far: with its time and key, the order a receiver sees. */
  private sentThisEvent = 0;
  private readonly link: PartitionLink | null;
  /**
   * Messages of this window whose receivers' NICs have not taken them yet (partitioned runs only): those for
   * other partitions, flattened as they are sent into one writer per partition (this one's stays empty),
   * and those between this partition's own machines.
   */
  private readonly crossing: TransferWriter[];
  private local: Transfer[] = [];
  /** The earliest delivery any of them can get: their events exist only after the window's end. */
  private transfersEarliestNs = Number.POSITIVE_INFINITY;

  constructor(private readonly config: HostConfig) {
    const { workers, machines, servers, profile } = config;
    this.tieSeed = config.shuffleTies;
    this.link = config.partition ?? null;
    this.crossing = Array.from({ length: this.link?.count ?? 0 }, () => new TransferWriter());
    this.queue = new EventQueue();
    this.scheduledBy = new Float64Array(machines + servers);
    this.computeUnitsByWorker = new Float64Array(workers);
    const serverMachines = profile.serverPlacement === "dedicated" ? servers : 0;
    this.network = new Network(profile, machines + serverMachines);
    this.tablesById = new Map(config.tables.map((t) => [t.id, t]));
    this.machineOf = workerMachines(workers, machines);
    const members: number[][] = Array.from({ length: machines }, () => []);
    for (let w = 0; w < workers; w++) members[this.machineOf[w]].push(w);
    this.computeNsPerUnit = new Float64Array(workers);
    for (let w = 0; w < workers; w++) {
      const m = this.machineOf[w];
      const speed = profile.machineSpeeds[m % profile.machineSpeeds.length];
      const coreShare = Math.min(1, profile.coresPerMachine / members[m].length);
      this.computeNsPerUnit[w] = 1e9 / (profile.computeUnitsPerSec * speed * coreShare);
    }
    this.clients = new Array<ClientCore>(machines);
    this.shards = new Array<ServerShard>(servers);
    for (let m = 0; m < machines; m++) {
      if (!this.owns(m)) continue;
      this.clients[m] = new ClientCore({
        client: m,
        workers: members[m],
        numShards: servers,
        tables: config.tables,
        placement: config.placement,
        cacheCapacityRows: config.cacheRows,
        events: ["read"],
      });
    }
    this.serverMachine = new Int32Array(servers);
    for (let k = 0; k < servers; k++) {
      this.serverMachine[k] = profile.serverPlacement === "dedicated" ? machines + k : k % machines;
      if (!this.owns(this.serverMachine[k])) continue;
      this.shards[k] = new ServerShard({
        shard: k,
        numClients: machines,
        tables: config.tables,
        events: ["serverClock"],
      });
    }
    config.recorder.placeOn(this.machineOf, this.serverMachine);
    this.shardFreeNs = new Float64Array(servers);
    this.parkedAt = new Array(machines).fill(undefined);
    this.resolvers = new Array(workers).fill(null);
    this.blockedTable = new Int32Array(workers);
    this.blockedRows = new Array(workers).fill(null);
    this.blockedRowBits = new Int32Array(workers);
    this.blockedGate = new Array(workers).fill(null);
    this.blockedAt = new Float64Array(workers);
    this.workerClock = new Int32Array(workers);
    this.doneAt = new Float64Array(workers);
  }

  /** Whether this host runs the machine (every machine, unless it runs one partition). */
  private owns(machine: number): boolean {
    return this.link === null || partitionOf(machine, this.link.count) === this.link.index;
  }

  /** A tie key for an event the entity schedules now (see the header comment). */
  private keyFrom(entity: number): number {
    const key = this.scheduledBy[entity]++ * this.scheduledBy.length + entity;
    return this.tieSeed === undefined ? key : shuffledKey(this.tieSeed, key);
  }

  run(): Promise<HostResult> {
    // Each worker starts in an event of its own, so that its first steps happen in key order too.
    for (let w = 0; w < this.config.workers; w++) {
      const m = this.machineOf[w];
      if (!this.owns(m)) continue;
      this.ownedWorkers++;
      this.queue.pushKeyed(0, this.keyFrom(m), this.startWorker, w);
    }
    this.windowEndNs = this.link === null ? Number.POSITIVE_INFINITY : this.link.firstWindowEndNs;
    return new Promise<HostResult>((resolve, reject) => {
      this.settle = { resolve, reject };
      this.runEvents();
    });
  }

  /**
   * Runs events until one resumes workers (the last of them to block runs it again, from a microtask, so
   * that app code acts at the time of the event that resumed it), the window ends, or the run does.
   */
  private readonly runEvents = (): void => {
    try {
      for (;;) {
        if (this.failure !== null) throw this.failure;
        if (this.running > 0) {
          this.engineWaits = true;
          return;
        }
        if (this.queue.nextTimeNs >= this.windowEndNs) {
          if (this.link === null) this.finish();
          else this.endWindow(this.link).then(this.nextWindow, this.settle.reject);
          return;
        }
        const handler = this.queue.pop();
        // A partitioned run that let a window run past a message still to come would go back in time here.
        if (this.queue.lastTime < this.now) {
          throw new Error(`simulated time went back from ${this.now} to ${this.queue.lastTime} ns`);
        }
        this.now = unboxed(this.queue.lastTime);
        this.sentThisEvent = 0;
        this.eventsRun++;
        handler(this.queue.lastArg);
      }
    } catch (e) {
      this.settle.reject(e);
    }
  };

  private readonly nextWindow = (endNs: number | null): void => {
    if (endNs === null) {
      this.finish();
      return;
    }
    this.windowEndNs = endNs;
    this.runEvents();
  };

  private finish(): void {
    try {
      this.settle.resolve(this.result());
    } catch (e) {
      this.settle.reject(e);
    }
  }

  private result(): HostResult {
    const { config } = this;
    this.assertAllFinished();
    if (config.checkMode) this.recordFinalRows();
    let simTimeNs = 0;
    for (const t of this.doneAt) simTimeNs = Math.max(simTimeNs, t);
    let computeUnits = 0;
    for (const units of this.computeUnitsByWorker) computeUnits += units;
    this.totals.computeUnits = computeUnits;
    return {
      simTimeNs,
      totals: this.totals,
      computeUnitsByWorker: this.computeUnitsByWorker,
      staleness: this.staleness,
      messages: this.network.messagesSent,
      bytes: this.network.bytesSent,
      events: this.eventsRun,
    };
  }

  private readonly startWorker = (rank: number): void => {
    this.running++;
    this.config.app.run(this.apiFor(rank), this.config.clocks).then(
      () => this.finished(rank),
      (e: unknown) => this.fail(rank, e),
    );
  };

  /**
   * Ends a window of a partitioned run: hands this window's messages for other partitions to the link, and
   * lets the receivers' NICs take every message of the window, this partition's and the imported, in the
   * order one queue would have sent them. Returns the next window's end, or null when the run is over.
   */
  private async endWindow(link: PartitionLink): Promise<number | null> {
    const out = this.crossing.map((writer) => writer.take());
    const earliestNs = Math.min(this.queue.nextTimeNs, this.transfersEarliestNs);
    this.transfersEarliestNs = Number.POSITIVE_INFINITY;
    const window = await link.exchange(out, earliestNs);
    if (window === null) return null;
    const arrivals = mergeTransfers(this.local, window.imports);
    this.local = [];
    for (let i = 0; i < arrivals.length; i++) this.receiveTransfer(arrivals[i]);
    return window.endNs;
  }

  private apiFor(rank: number): WorkerApi {
    const client = this.clients[this.machineOf[rank]];
    const { recorder, checkMode } = this.config;
    const recordInc = (table: number, row: number, col: number, delta: number) => {
      const clock = this.workerClock[rank];
      recorder.record({ k: "inc", w: rank, t: this.now, clock, table, row, col, delta });
    };
    const incRow = (table: number, row: number, deltas: ArrayLike<number>, lend: boolean): void => {
      client.incRow(rank, table, row, deltas, lend);
      if (checkMode)
        for (let col = 0; col < deltas.length; col++)
          if (deltas[col] !== 0) recordInc(table, row, col, deltas[col]);
    };
    return {
      rank,
      workers: this.config.workers,
      random: stream(this.config.seed, `worker/${rank}`, "app"),
      read: (table, row) => this.readMany(rank, table, [row]).then((views) => views[0]),
      readMany: (table, rows) => this.readMany(rank, table, rows),
      inc: (table, row, col, delta) => {
        client.inc(rank, table, row, col, delta);
        if (checkMode) recordInc(table, row, col, delta);
      },
      incRow: (table, row, deltas) => incRow(table, row, deltas, false),
      lendRow: (table, row, values) => incRow(table, row, values, true),
      clock: () => this.clock(rank),
      compute: (units) => this.compute(rank, units),
    };
  }

  private readMany(rank: number, table: number, rows: readonly number[]): Promise<RowView[]> {
    const machine = this.machineOf[rank];
    const views = this.clients[machine].readMany(rank, table, rows);
    this.pumpClient(machine, null);
    if (views !== null) return Promise.resolve(views);
    this.blockedAt[rank] = this.now;
    this.blockedTable[rank] = table;
    this.blockedRows[rank] = rows.slice();
    let bits = 0;
    for (let i = 0; i < rows.length; i++) bits |= 1 << (rows[i] & 31);
    this.blockedRowBits[rank] = bits;
    this.blockedGate[rank] = null;
    this.stopRunning();
    return new Promise<RowView[]>((resolve) => {
      this.resolvers[rank] = resolve;
    });
  }

  private compute(rank: number, units: number): Promise<void> {
    if (!(units >= 0) || !Number.isFinite(units)) {
      return Promise.reject(new RangeError(`compute(${units}): units must be a finite number ≥ 0`));
    }
    const { stragglers } = this.config;
    const clock = this.workerClock[rank];
    const workNs = units * this.computeNsPerUnit[rank] * stragglers.slowdown(rank, clock);
    const durationNs = Math.round(workNs + stragglers.pauseNs(rank, workNs));
    const start = this.now;
    this.totals.computeNs += durationNs;
    this.computeUnitsByWorker[rank] += units;
    // No work, no event: an event at the current time could run before ones already due (keys).
    if (durationNs === 0) return DONE;
    this.config.recorder.span(rank, "compute", start, start + durationNs, clock);
    this.stopRunning();
    const key = this.keyFrom(this.machineOf[rank]);
    return new Promise<void>((resolve) => {
      this.queue.pushKeyed(start + durationNs, key, this.resumeComputing, resolve);
    });
  }

  // Event handlers are fields, so that scheduling an event allocates no closure.
  private readonly resumeComputing = (resolve: () => void): void => {
    this.running++;
    resolve();
  };

  private readonly arrive = (out: ToShard): void => this.arriveAtShard(out.shard, out.message);

  private readonly sendReplies = (replies: readonly ToClient[]): void => {
    for (let i = 0; i < replies.length; i++) {
      const { client, message } = replies[i];
      this.sendToClient(message.shard, client, message);
    }
  };

  private readonly deliver = (item: ToClientInTransit): void => {
    this.clients[item.client].receive(item.message);
    this.pumpClient(item.client, item);
  };

  private clock(rank: number): Promise<void> {
    const machine = this.machineOf[rank];
    this.clients[machine].clock(rank);
    const clock = ++this.workerClock[rank];
    this.config.recorder.clock(rank, clock, this.now);
    this.pumpClient(machine, null);
    this.workerClocksDone++;
    const total = this.ownedWorkers * this.config.clocks;
    const every = Math.max(1, Math.floor(total / 50));
    if (this.config.progress !== undefined && this.workerClocksDone % every === 0) {
      this.config.progress(this.workerClocksDone / total);
    }
    return DONE;
  }

  private finished(rank: number): void {
    this.stopRunning();
    this.doneAt[rank] = this.now;
    if (this.workerClock[rank] !== this.config.clocks) {
      this.fail(
        rank,
        new Error(`the app returned after ${this.workerClock[rank]} clocks, not ${this.config.clocks}`),
      );
    }
  }

  /** A worker blocked or finished. */
  private stopRunning(): void {
    if (--this.running === 0) this.wake();
  }

  private wake(): void {
    if (!this.engineWaits) return;
    this.engineWaits = false;
    queueMicrotask(this.runEvents);
  }

  private fail(rank: number, e: unknown): void {
    if (this.failure === null) {
      const message = e instanceof Error ? e.message : String(e);
      this.failure = new Error(`worker ${rank} failed at simulated time ${this.now} ns: ${message}`, {
        cause: e,
      });
    }
    this.wake();
  }

  private assertAllFinished(): void {
    const stuck: string[] = [];
    for (let w = 0; w < this.config.workers; w++) {
      if (this.owns(this.machineOf[w]) && this.workerClock[w] < this.config.clocks)
        stuck.push(`worker ${w} at clock ${this.workerClock[w]}`);
    }
    if (stuck.length > 0) {
      throw new Error(
        `the simulation ran out of events with workers unfinished (a deadlock): ${stuck.slice(0, 8).join(", ")}${stuck.length > 8 ? ", …" : ""}`,
      );
    }
  }

  /** Carries out what a client produced: sends its messages, resumes completed readers, records events. */
  private pumpClient(machine: number, arrived: ToClientInTransit | null): void {
    const client = this.clients[machine];
    const ready = client.drain();
    // Indexed loops: this runs for every message, and for…of here allocated an iterator result per element.
    const { events, completions, messages } = ready;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event.type === "read") this.recordRead(event);
    }
    if (arrived !== null && arrived.gate !== null) {
      const workers = client.workers;
      const { table, row } = arrived.message;
      const bit = 1 << (row & 31);
      for (let i = 0; i < workers.length; i++) {
        const w = workers[i];
        if ((this.blockedRowBits[w] & bit) === 0) continue;
        const rows = this.blockedRows[w];
        if (rows === null || this.blockedTable[w] !== table || !rows.includes(row)) continue;
        const g = this.blockedGate[w];
        this.blockedGate[w] =
          g === null
            ? arrived.gate
            : { fromNs: Math.min(g.fromNs, arrived.gate.fromNs), toNs: Math.max(g.toNs, arrived.gate.toNs) };
      }
    }
    for (let i = 0; i < completions.length; i++) this.resume(completions[i]);
    for (let i = 0; i < messages.length; i++) {
      const out = messages[i];
      this.transmit(
        machine,
        this.serverMachine[out.shard],
        messageBytes(out.message, this.tablesById),
        out,
        null,
      );
    }
  }

  /**
   * Sends a message from one machine to another through the network model. One queue delivers it at once;
   * a partitioned run reserves the sender's NIC now and the receiver's at the end of the window.
   */
  private transmit(
    fromMachine: number,
    toMachine: number,
    bytes: number,
    toShard: ToShard | null,
    toClient: ToClientInTransit | null,
  ): void {
    const entity = toShard !== null ? fromMachine : this.config.machines + toClient!.message.shard;
    const key = this.keyFrom(entity);
    const order = this.sentThisEvent++;
    if (this.link === null || fromMachine === toMachine) {
      const deliverNs = this.network.send(fromMachine, toMachine, bytes, this.now);
      this.recordMessage(toShard, toClient, this.now, deliverNs, bytes, toMachine, fromMachine === toMachine);
      if (toShard !== null) this.queue.pushKeyed(deliverNs, key, this.arrive, toShard);
      else this.queue.pushKeyed(deliverNs, key, this.deliver, toClient!);
      return;
    }
    const txStartNs = this.network.egress(fromMachine, bytes, this.now);
    const transfer: Transfer = {
      sentNs: this.now,
      sentInEvent: this.queue.lastKey,
      order,
      key,
      fromMachine,
      toMachine,
      bytes,
      txStartNs,
      txEndNs: this.network.lastTxEndNs,
      toShard,
      toClient,
    };
    if (this.owns(toMachine)) this.local.push(transfer);
    else this.crossing[partitionOf(toMachine, this.crossing.length)].write(transfer);
    this.transfersEarliestNs = Math.min(
      this.transfersEarliestNs,
      this.network.earliestDeliveryNs(transfer.txEndNs),
    );
  }

  /** A message of a partitioned run reaches its receiver's NIC, in the order one queue would have sent it. */
  private receiveTransfer(t: Transfer): void {
    const deliverNs = this.network.ingress(t.fromMachine, t.toMachine, t.bytes, t.txStartNs, t.txEndNs);
    this.recordMessage(t.toShard, t.toClient, t.sentNs, deliverNs, t.bytes, t.toMachine, false);
    if (t.toShard !== null) this.queue.pushKeyed(deliverNs, t.key, this.arrive, t.toShard);
    else this.queue.pushKeyed(deliverNs, t.key, this.deliver, t.toClient!);
  }

  private recordMessage(
    toShard: ToShard | null,
    toClient: ToClientInTransit | null,
    sentNs: number,
    deliverNs: number,
    bytes: number,
    toMachine: number,
    sameMachine: boolean,
  ): void {
    const { recorder } = this.config;
    if (toShard !== null) {
      const { message } = toShard;
      const { client } = message;
      recorder.message(
        true,
        client,
        toShard.shard,
        sentNs,
        deliverNs,
        bytes,
        message.type,
        toMachine,
        sameMachine,
      );
    } else {
      const { message, client } = toClient!;
      const kind = message.pushed ? "push" : "row";
      recorder.message(false, client, message.shard, sentNs, deliverNs, bytes, kind, toMachine, sameMachine);
    }
  }

  private recordRead(event: Extract<CoreEvent, { type: "read" }>): void {
    this.staleness.add(event.staleness);
    this.config.recorder.read(event, this.now, this.config.checkMode ? event.view.nonZeros() : undefined);
  }

  private resume(completion: ReadCompletion): void {
    const rank = completion.worker;
    const gate = this.blockedGate[rank];
    this.blockedRows[rank] = null;
    this.blockedRowBits[rank] = 0;
    this.blockedGate[rank] = null;
    const t0 = this.blockedAt[rank];
    const t1 = this.now;
    const g0 = gate === null ? t1 : Math.min(t1, Math.max(t0, gate.fromNs));
    const g1 = gate === null ? t1 : Math.max(g0, Math.min(t1, gate.toNs));
    const clock = this.workerClock[rank];
    const { recorder } = this.config;
    const where = { table: completion.table, row: completion.rows[0] };
    // Blocked time = request in transit (comm) + parked at the shard (wait) + reply in transit (comm).
    if (g0 > t0) recorder.span(rank, "comm", t0, g0, clock, where.table, where.row);
    if (g1 > g0) recorder.span(rank, "wait", g0, g1, clock, where.table, where.row);
    if (t1 > g1) recorder.span(rank, "comm", g1, t1, clock, where.table, where.row);
    this.totals.commNs += g0 - t0 + (t1 - g1);
    this.totals.waitNs += g1 - g0;
    const resolve = this.resolvers[rank]!;
    this.resolvers[rank] = null;
    this.running++;
    resolve(completion.views);
  }

  /**
   * A shard handles one message at a time, in arrival order, from when it is free until its service time has
   * passed; then its outputs leave. Because the order is arrival order, the shard's state goes through the
   * same sequence whether a message is applied at its arrival or at its service start, so it is applied on
   * arrival and the service start is computed: one event per message, plus one for its outputs if any.
   */
  private arriveAtShard(shard: number, message: ClientMessage): void {
    const startNs = Math.max(this.now, this.shardFreeNs[shard]);
    const server = this.shards[shard];
    if (message.type === "read" && message.requiredClock > server.clock) {
      let parked = this.parkedAt[message.client];
      if (parked === undefined) this.parkedAt[message.client] = parked = new Map();
      parked.set(rowKey(message.table, message.row), startNs);
    }
    server.receive(message);
    const ready = server.drain();
    const { profile } = this.config;
    const { messages, events } = ready;
    let values = messageValues(message);
    for (let i = 0; i < messages.length; i++) values += messageValues(messages[i].message);
    const serviceNs = Math.round(
      profile.serverNsPerMessage * (1 + messages.length) + profile.serverNsPerValue * values,
    );
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event.type === "serverClock") this.onServerClock(shard, event.clock, startNs);
    }
    const doneNs = startNs + serviceNs;
    this.shardFreeNs[shard] = doneNs;
    if (messages.length === 0) return;
    // Replies due now leave now: an event at the current time could run before ones already due (keys).
    if (doneNs === this.now) this.sendReplies(messages);
    else this.queue.pushKeyed(doneNs, this.keyFrom(this.config.machines + shard), this.sendReplies, messages);
  }

  private sendToClient(shard: number, client: number, message: ServerMessage): void {
    let gate: Gate | null = null;
    const parked = this.parkedAt[client];
    if (message.pushed) {
      gate = { fromNs: 0, toNs: this.now };
    } else if (parked !== undefined) {
      const key = rowKey(message.table, message.row);
      const since = parked.get(key);
      if (since !== undefined) {
        parked.delete(key);
        if (parked.size === 0) this.parkedAt[client] = undefined;
        gate = { fromNs: since, toNs: this.now };
      }
    }
    const item: ToClientInTransit = { client, message, gate };
    this.transmit(this.serverMachine[shard], client, messageBytes(message, this.tablesById), null, item);
  }

  private onServerClock(shard: number, clock: number, tNs: number): void {
    this.config.recorder.serverClock(shard, clock, tNs);
    if (this.wantsObjective(clock)) this.snapshotShard(shard, clock, tNs);
  }

  private wantsObjective(clock: number): boolean {
    return objectiveDue(clock, this.config.objectiveEvery, this.config.clocks);
  }

  /** The shard's settled rows (every update stamped < clock), copied: later clocks change them in place. */
  private snapshotShard(shard: number, clock: number, tNs: number): void {
    const rows: ModelRow[] = [];
    for (const [key, values] of this.shards[shard].settledRows()) {
      rows.push({ table: keyTable(key), row: keyRow(key), values: cloneRow(values) });
    }
    this.config.onSnapshot?.(shard, clock, tNs, rows);
  }

  private recordFinalRows(): void {
    const rows = new Map<number, { table: number; row: number; values: RowValues }>();
    for (const shard of this.shards) {
      for (const { table, row } of shard.rowKeys()) {
        rows.set(rowKey(table, row), { table, row, values: shard.fullRow(table, row)! });
      }
    }
    for (const key of [...rows.keys()].sort((a, b) => a - b)) {
      const { table, row, values } = rows.get(key)!;
      const spec = this.tablesById.get(table)!;
      this.config.recorder.record({
        k: "final",
        table,
        row,
        values: new RowView(spec.width, values).nonZeros(),
      });
    }
  }
}

/** A tie key scrambled by the seed (SplitMix-style mixing of its two 32-bit halves): shuffles ties alike in
 * every partition, since it depends on the key alone. */
function shuffledKey(seed: number, key: number): number {
  let hi = Math.floor(key / 2 ** 32) ^ Math.imul(seed | 0, 0x9e3779b9);
  let lo = (key >>> 0) ^ 0x85ebca6b;
  for (let round = 0; round < 3; round++) {
    hi = Math.imul(hi ^ (lo >>> 15), 0x2c1b3c6d);
    lo = Math.imul(lo ^ (hi >>> 13), 0x297a2d39);
    hi ^= lo >>> 16;
  }
  return (hi >>> 0) * 2 ** 21 + (lo >>> 11);
}
