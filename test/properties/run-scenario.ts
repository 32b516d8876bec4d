// Drives a Scenario through MemoryCluster, one choice per step: a runnable worker performs its next
// operation, or a busy channel (FIFO, like one TCP connection) delivers its oldest message. When the
// scenario's schedule runs out the choices rotate, which delivers everything eventually. Records what the
// properties need: every read decoded, every update, every row reply around its delivery, final rows.

import type { ClientCore } from "../../core/client.ts";
import type { CoreEvent } from "../../core/events.ts";
import { MemoryCluster } from "../../core/memory-host.ts";
import type { RowMessage } from "../../core/messages.ts";
import { makePlacement, type Placement } from "../../core/placement.ts";
import { cloneRow, getAt, type RowValues, SparseValues } from "../../core/rows.ts";
import { defineTable, type TableSpec } from "../../core/tables.ts";
import type { Scenario } from "./scenario.ts";

export const TABLE = 0;

export interface Update {
  worker: number;
  clock: number;
  row: number;
  extra: number;
  step: number;
}

export interface ReadRecord {
  worker: number;
  clock: number;
  row: number;
  issuedStep: number;
  completedStep: number;
  fromCache: boolean;
  /** Indicator value of every (worker, clock) pair: indicators[w][c]. */
  indicators: number[][];
  extra: number;
  /** Every worker's clock when the read returned. */
  clocksAtReturn: number[];
}

export interface RowDelivery {
  client: number;
  step: number;
  message: RowMessage;
  /** The reply's values as the shard sent them (the client reuses the array, so this is a copy). */
  sent: RowValues;
  /** The client's cached row (committed updates replayed) just after the delivery. */
  cachedAfter: RowValues;
  cachedClockAfter: number;
  processClock: number;
}

export interface RunResult {
  scenario: Scenario;
  spec: TableSpec;
  placement: Placement;
  finished: boolean;
  /** Why the run stopped early, if it did. */
  stuck?: string;
  steps: number;
  updates: Update[];
  reads: ReadRecord[];
  rowDeliveries: RowDelivery[];
  events: CoreEvent[];
  cluster: MemoryCluster;
  /** Serialised inputs and outputs in order, when asked for (determinism). */
  transcript: string[];
}

export interface RunOptions {
  transcript?: boolean;
  /** Called after every step; return a string to report a violation (the run stops there). */
  afterStep?: (cluster: MemoryCluster, step: number) => string | undefined;
  maxSteps?: number;
  /** Passed to the cluster's clients (MemoryClusterConfig.releaseRow). */
  releaseRow?: (client: ClientCore, values: RowValues) => void;
}

export function indicatorColumn(scenario: Scenario, worker: number, clock: number): number {
  return worker * scenario.clocks + clock;
}

export function extraColumn(scenario: Scenario): number {
  return scenario.workers * scenario.clocks;
}

/** The extra column's starting value of a row in initialised tables (exact in every value type). */
export function initialExtra(scenario: Scenario, row: number): number {
  return scenario.table.initialised ? 3 * row + 0.5 * (scenario.table.valueType === "int32" ? 0 : 1) + 1 : 0;
}

export function specFor(scenario: Scenario): TableSpec {
  const { table } = scenario;
  const extraCol = extraColumn(scenario);
  return defineTable({
    id: TABLE,
    name: "indicators",
    rowKind: table.rowKind,
    width: extraCol + 1,
    valueType: table.valueType,
    consistency: table.consistency,
    staleness: table.staleness,
    rows: scenario.rows,
    initRow: table.initialised
      ? (row, out) => {
          out[extraCol] = initialExtra(scenario, row);
        }
      : undefined,
  });
}

export function serialise(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v instanceof SparseValues) return { sparse: [...v.entries].sort((a, b) => a[0] - b[0]) };
    if (ArrayBuffer.isView(v)) return { dense: Array.from(v as unknown as ArrayLike<number>) };
    if (v === Number.POSITIVE_INFINITY) return "Infinity";
    return v;
  });
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const spec = specFor(scenario);
  const placement = makePlacement(scenario.placement, scenario.shards);
  const cluster = new MemoryCluster({
    tables: [spec],
    numShards: scenario.shards,
    clients: scenario.clients,
    placement,
    cacheCapacityRows: scenario.cacheRows,
    releaseRow: options.releaseRow,
  });
  const P = scenario.workers;
  const clocks = new Array<number>(P).fill(0);
  const opIndex = new Array<number>(P).fill(0);
  const pending = new Array<{ issuedStep: number } | null>(P).fill(null);
  /** Step of each worker's latest read operation. */
  const issued = new Array<number | null>(P).fill(null);
  const result: RunResult = {
    scenario,
    spec,
    placement,
    finished: false,
    steps: 0,
    updates: [],
    reads: [],
    rowDeliveries: [],
    events: cluster.events,
    cluster,
    transcript: [],
  };
  const note = (what: unknown) => {
    if (options.transcript) result.transcript.push(serialise(what));
  };
  // Every row a read returns is reported as a "read" event carrying its view: decode those, so single
  // reads and readMany are recorded alike, each row at the moment its value was taken.
  let eventsSeen = 0;
  const takeReadEvents = (step: number) => {
    for (; eventsSeen < cluster.events.length; eventsSeen++) {
      const e = cluster.events[eventsSeen];
      if (e.type !== "read") continue;
      const w = e.worker;
      const issuedStep = issued[w];
      if (issuedStep === null) throw new Error(`worker ${w} got a read it never issued`);
      const get = (col: number) => e.view.get(col);
      const record: ReadRecord = {
        worker: w,
        clock: clocks[w],
        row: e.row,
        issuedStep,
        completedStep: step,
        fromCache: e.source === "cache",
        indicators: Array.from({ length: P }, (_, w2) =>
          Array.from({ length: scenario.clocks }, (_, c2) => get(indicatorColumn(scenario, w2, c2))),
        ),
        extra: get(extraColumn(scenario)),
        clocksAtReturn: [...clocks],
      };
      if (e.clock !== clocks[w])
        throw new Error(`read event of worker ${w} says clock ${e.clock}, not ${clocks[w]}`);
      result.reads.push(record);
      note({ read: record });
    }
  };
  const act = (w: number, step: number) => {
    const client = cluster.client(w);
    const ops = scenario.program[w][clocks[w]];
    const i = opIndex[w];
    if (i === ops.length) {
      note({ step, worker: w, op: "clock" });
      client.clock(w);
      clocks[w]++;
      opIndex[w] = 0;
      return;
    }
    const op = ops[i];
    opIndex[w]++;
    note({ step, worker: w, op });
    if (op.kind === "read" || op.kind === "readMany") {
      const rows = op.kind === "read" ? [op.row] : op.rows;
      issued[w] = step;
      const views = op.kind === "read" ? client.read(w, TABLE, op.row) : client.readMany(w, TABLE, rows);
      if (views === null) pending[w] = { issuedStep: step };
      return;
    }
    const col = indicatorColumn(scenario, w, clocks[w]);
    if (op.viaRow) {
      const deltas = new Array<number>(spec.width).fill(0);
      deltas[col] = 1;
      deltas[extraColumn(scenario)] = op.extra;
      client.incRow(w, TABLE, op.row, deltas);
    } else {
      client.inc(w, TABLE, op.row, col, 1);
      client.inc(w, TABLE, op.row, extraColumn(scenario), op.extra);
    }
    result.updates.push({ worker: w, clock: clocks[w], row: op.row, extra: op.extra, step });
  };
  const deliver = (index: number, step: number) => {
    const ch = cluster.channels[index];
    const head = ch.queue[0];
    note({ step, channel: index, message: head });
    if (ch.toServer || head.type !== "row") {
      cluster.deliver(index);
      return;
    }
    const sent = cloneRow(head.values);
    const client = cluster.clients[ch.client];
    cluster.deliver(index);
    const cached = client.cachedRow(head.table, head.row);
    // A bounded cache may drop a pushed row at once when every other row it holds is pinned by a read.
    if (cached === undefined) return;
    result.rowDeliveries.push({
      client: ch.client,
      step,
      message: head,
      sent,
      cachedAfter: cached.values,
      cachedClockAfter: cached.clock,
      processClock: client.processClock,
    });
  };

  const maxSteps = options.maxSteps ?? 50_000;
  let step = 0;
  for (;;) {
    const runnable: number[] = [];
    for (let w = 0; w < P; w++) if (pending[w] === null && clocks[w] < scenario.clocks) runnable.push(w);
    const busy = cluster.busyChannels();
    const choices = runnable.length + busy.length;
    if (choices === 0) break;
    if (step >= maxSteps) {
      result.stuck = `still running after ${maxSteps} steps`;
      break;
    }
    const pick = step < scenario.schedule.length ? scenario.schedule[step] % choices : step % choices;
    if (pick < runnable.length) act(runnable[pick], step);
    else deliver(busy[pick - runnable.length], step);
    cluster.pump();
    takeReadEvents(step);
    for (let w = 0; w < P; w++) if (pending[w] !== null && !cluster.client(w).isBlocked(w)) pending[w] = null;
    cluster.completed.clear();
    step++;
    const violation = options.afterStep?.(cluster, step);
    if (violation !== undefined) {
      result.stuck = violation;
      break;
    }
  }
  result.steps = step;
  if (result.stuck === undefined) {
    const waiting = pending.map((p, w) => (p === null ? -1 : w)).filter((w) => w >= 0);
    if (waiting.length > 0) result.stuck = `workers ${waiting.join(", ")} wait forever on reads`;
    else result.finished = clocks.every((c) => c === scenario.clocks);
  }
  note({ events: result.events });
  return result;
}

/** The value of `col` in a row from a reply or a cache (undefined rows are all zero). */
export function valueAt(values: RowValues | undefined, col: number): number {
  return values === undefined ? 0 : getAt(values, col);
}

/** Adds x to acc as the table's value type would (int32 wraps, float32 rounds). */
export function addAs(valueType: TableSpec["valueType"], acc: number, x: number): number {
  if (valueType === "int32") return (acc + x) | 0;
  if (valueType === "float32") return Math.fround(acc + x);
  return acc + x;
}

/** Equal as the value type allows: exact for int32 and our dyadic float32 deltas, 1e-9 relative for float64. */
export function closeEnough(
  valueType: TableSpec["valueType"],
  actual: number,
  expected: number,
  scale: number,
) {
  if (valueType !== "float64") return actual === expected;
  return Math.abs(actual - expected) <= 1e-9 * Math.max(1, scale);
}
