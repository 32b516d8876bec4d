// A partitioned run (partition.ts) on threads: one worker thread per partition, each with its own heap.
//
// At each window's end a partition posts, to every other, the messages addressed to it, flattened into
// numbers (transfer-codec.ts) in a buffer it transfers, and the earliest time it will deliver anything. It then waits at a barrier on shared memory (Atomics) and takes what the
// others posted with receiveMessageOnPort, without going back to the event loop. Threads do not share
// objects, so the messages must be encoded; structured clone would copy each row's whole slab.
//
// The threads run the script the caller names (the bundled CLI), whose entry hands them to
// runPartitionThread; they rebuild the app from its name and options.

import { resolve as absolutePath } from "node:path";
import { fileURLToPath } from "node:url";
import {
  MessageChannel,
  type MessagePort,
  parentPort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import type { AppContext, AppInstance, AppOptions } from "../apps/api.ts";
import type { ModelRow } from "../apps/objective-sampler.ts";
import { type DenseValues, SparseValues } from "../core/rows.ts";
import type { TableSpec, ValueType } from "../core/tables.ts";
import { SimHost } from "./host.ts";
import { hostConfigFor, type SimSettings } from "./host-config.ts";
import { lookaheadNs, type PartitionLink, type Transfer, type Window } from "./partition.ts";
import type { PartitionOutcome } from "./partitioned-run.ts";
import { StalenessHistogram } from "./stats.ts";
import { type StreamDigests, TraceRecorder } from "./trace-recorder.ts";
import { decodeTransfers } from "./transfer-codec.ts";

/** How to start partition threads. */
export interface PartitionThreads {
  /** The script each thread runs: the bundled CLI, whose entry calls runPartitionThread. */
  script: string;
  /** The app, as its factory's name and options: each thread makes its own instance. */
  app: { name: string; options: AppOptions };
  /** Each thread's young generation: threads do not take --max-semi-space-size (see cli/heap-flags.ts). */
  youngGenerationMb?: number;
}

const THREAD_KIND = "ssptable-sim-partition";
/** Int32 slots of the shared control block. */
const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;
/** How often a thread waiting at the barrier looks whether the run was aborted. */
const ABORT_POLL_MS = 500;

interface ThreadData {
  kind: typeof THREAD_KIND;
  index: number;
  count: number;
  settings: SimSettings;
  app: { name: string; options: AppOptions };
  control: SharedArrayBuffer;
  /** ports[q]: the channel to partition q (none to itself). */
  ports: Array<MessagePort | null>;
}

/** What a thread posts to the main thread. */
type ThreadReport =
  | { progress: number }
  | { snapshot: { shard: number; clock: number; tNs: number; rows: PlainRow[] } }
  | { error: string }
  | {
      streams: StreamDigests;
      times: ThreadTimes;
      simTimeNs: number;
      totals: PartitionOutcome["result"]["totals"];
      computeUnitsByWorker: Float64Array;
      staleness: Array<[number, number]>;
      messages: number;
      bytes: number;
      events: number;
    };

let defaultThreads: Omit<PartitionThreads, "app"> | null = null;

/** Called by the bundled CLI's entry: partitioned runs started from it then run on threads. */
export function enablePartitionThreads(scriptUrl: string, youngGenerationMb: number): void {
  defaultThreads = { script: fileURLToPath(scriptUrl), youngGenerationMb };
}

/** Threads for a run of this app, or undefined (partitions then take turns in this thread). */
export function partitionThreadsFor(name: string, options: AppOptions): PartitionThreads | undefined {
  return defaultThreads === null ? undefined : { ...defaultThreads, app: { name, options } };
}

export function isPartitionThread(data: unknown): data is ThreadData {
  return (data as ThreadData | null)?.kind === THREAD_KIND;
}

/** Runs every partition on a thread of its own and gathers what they hand back. */
export function runPartitionThreads(
  settings: SimSettings,
  threads: PartitionThreads,
  progress?: (fraction: number) => void,
  onSnapshot?: (shard: number, clock: number, tNs: number, rows: ModelRow[]) => void,
): Promise<PartitionOutcome[]> {
  const count = settings.partitions ?? 1;
  const control = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  const sync = new Int32Array(control);
  const ports: Array<Array<MessagePort | null>> = Array.from({ length: count }, () =>
    new Array(count).fill(null),
  );
  for (let p = 0; p < count; p++) {
    for (let q = p + 1; q < count; q++) {
      const { port1, port2 } = new MessageChannel();
      ports[p][q] = port1;
      ports[q][p] = port2;
    }
  }
  return new Promise((resolve, reject) => {
    const outcomes: PartitionOutcome[] = new Array(count);
    let done = 0;
    let failed = false;
    const workers: Worker[] = [];
    const fail = (index: number, message: string) => {
      if (failed) return;
      failed = true;
      Atomics.store(sync, ABORTED, 1);
      Atomics.notify(sync, GENERATION);
      for (const w of workers) void w.terminate();
      reject(new Error(`partition ${index} of ${count}: ${message}`));
    };
    for (let index = 0; index < count; index++) {
      const own = ports[index].filter((port): port is MessagePort => port !== null);
      const data: ThreadData = {
        kind: THREAD_KIND,
        index,
        count,
        settings,
        app: threads.app,
        control,
        ports: ports[index],
      };
      let worker: Worker;
      try {
        worker = new Worker(absolutePath(threads.script), {
          workerData: data,
          transferList: own,
          resourceLimits:
            threads.youngGenerationMb === undefined
              ? undefined
              : { maxYoungGenerationSizeMb: threads.youngGenerationMb },
        });
      } catch (e) {
        fail(index, `could not start a thread: ${(e as Error).message}`);
        return;
      }
      workers.push(worker);
      worker.on("message", (report: ThreadReport) => {
        if ("progress" in report) progress?.(report.progress);
        else if ("snapshot" in report) {
          const { shard, clock, tNs, rows } = report.snapshot;
          onSnapshot?.(shard, clock, tNs, rows.map(fromPlainRow));
        } else if ("error" in report) fail(index, report.error);
        else {
          const staleness = new StalenessHistogram();
          for (const [value, n] of report.staleness) staleness.add(value, n);
          const { simTimeNs, totals, computeUnitsByWorker, messages, bytes, events } = report;
          outcomes[index] = {
            result: {
              simTimeNs,
              totals,
              computeUnitsByWorker,
              staleness,
              messages,
              bytes,
              events,
            },
            streams: report.streams,
            times: report.times,
          };
          if (++done === count) resolve(outcomes);
        }
      });
      worker.on("error", (e) => fail(index, e.message));
      worker.on("exit", (code) => {
        if (outcomes[index] === undefined)
          fail(index, `the thread stopped (exit code ${code}) before it finished`);
      });
    }
  });
}

/** A partition thread's work: builds its host from the settings, runs it, and reports. */
export async function runPartitionThread(
  data: ThreadData,
  makeApp: (name: string, options: AppOptions, context: AppContext) => AppInstance,
): Promise<void> {
  const post = (report: ThreadReport) => parentPort!.postMessage(report);
  const sync = new Int32Array(data.control);
  try {
    const { settings, index } = data;
    const app = makeApp(data.app.name, data.app.options, {
      workers: settings.workers,
      seed: settings.seed,
      clocks: settings.clocks,
    });
    const recorder = new TraceRecorder();
    const config = hostConfigFor(settings, app, recorder);
    const tables = new Map(config.tables.map((t) => [t.id, t]));
    const times: ThreadTimes = { windows: 0, postSeconds: 0, waitSeconds: 0, decodeSeconds: 0 };
    const host = new SimHost({
      ...config,
      partition: threadLink(data, lookaheadNs(config.profile), tables, times),
      progress: index === 0 ? (fraction) => post({ progress: fraction }) : undefined,
      onSnapshot: (shard, clock, tNs, rows) =>
        post({ snapshot: { shard, clock, tNs, rows: rows.map(toPlainRow) } }),
    });
    const result = await host.run();
    post({
      streams: recorder.streamDigests(),
      times,
      simTimeNs: result.simTimeNs,
      totals: result.totals,
      computeUnitsByWorker: result.computeUnitsByWorker,
      staleness: result.staleness.entries(),
      messages: result.messages,
      bytes: result.bytes,
      events: result.events,
    });
  } catch (e) {
    // The others may be waiting at the barrier for this one: let them see the run is over.
    Atomics.store(sync, ABORTED, 1);
    Atomics.notify(sync, GENERATION);
    post({ error: e instanceof Error ? e.message : String(e) });
  }
}

/** Where a partition thread's time went at windows' ends, for benchmarks (wall-clock, not simulated). */
export interface ThreadTimes {
  windows: number;
  /** Posting the window's messages to the others (the host encodes each as it is sent). */
  postSeconds: number;
  /** At the barrier: the others' longer windows and collector pauses. */
  waitSeconds: number;
  decodeSeconds: number;
}

function threadLink(
  data: ThreadData,
  lookahead: number,
  tables: ReadonlyMap<number, TableSpec>,
  times: ThreadTimes,
): PartitionLink {
  const { index, count, ports } = data;
  const sync = new Int32Array(data.control);
  return {
    index,
    count,
    firstWindowEndNs: lookahead,
    exchange(out: Float64Array[], earliestNs: number): Window | null {
      const t0 = process.hrtime.bigint();
      times.windows++;
      for (let q = 0; q < count; q++) {
        if (q === index) continue;
        const data = out[q];
        ports[q]!.postMessage({ earliestNs, data }, [data.buffer as ArrayBuffer]);
      }
      const t1 = process.hrtime.bigint();
      barrier(sync, count);
      const t2 = process.hrtime.bigint();
      let earliest = earliestNs;
      const imports: Transfer[][] = [];
      for (let q = 0; q < count; q++) {
        if (q === index) continue;
        const got = receiveMessageOnPort(ports[q]!);
        if (got === undefined)
          throw new Error(`partition ${q} passed the barrier without posting its window`);
        const { earliestNs: theirs, data } = got.message as { earliestNs: number; data: Float64Array };
        earliest = Math.min(earliest, theirs);
        imports.push(decodeTransfers(data, tables));
      }
      const t3 = process.hrtime.bigint();
      times.postSeconds += Number(t1 - t0) / 1e9;
      times.waitSeconds += Number(t2 - t1) / 1e9;
      times.decodeSeconds += Number(t3 - t2) / 1e9;
      return earliest === Number.POSITIVE_INFINITY ? null : { imports, endNs: earliest + lookahead };
    },
  };
}

function barrier(sync: Int32Array, count: number): void {
  const generation = Atomics.load(sync, GENERATION);
  if (Atomics.add(sync, ARRIVED, 1) === count - 1) {
    Atomics.store(sync, ARRIVED, 0);
    Atomics.add(sync, GENERATION, 1);
    Atomics.notify(sync, GENERATION);
    return;
  }
  while (Atomics.load(sync, GENERATION) === generation) {
    if (Atomics.load(sync, ABORTED) !== 0) throw new Error("another partition failed");
    Atomics.wait(sync, GENERATION, generation, ABORT_POLL_MS);
  }
}

/**
 * A model row as a thread posts it: a dense row in a buffer of its own (structured clone copies a view's whole
 * buffer, a slab of many rows), a sparse row as its entries (a class instance loses its class on the way).
 */
type PlainRow =
  | { table: number; row: number; dense: DenseValues }
  | { table: number; row: number; sparse: ValueType; entries: Array<[number, number]> };

function toPlainRow({ table, row, values }: ModelRow): PlainRow {
  return values instanceof SparseValues
    ? { table, row, sparse: values.valueType, entries: [...values.entries] }
    : { table, row, dense: values.slice() };
}

function fromPlainRow(plain: PlainRow): ModelRow {
  if ("dense" in plain) return { table: plain.table, row: plain.row, values: plain.dense };
  const values = new SparseValues(plain.sparse);
  for (const [col, v] of plain.entries) values.entries.set(col, v);
  return { table: plain.table, row: plain.row, values };
}
