// The trace: one JSON object per line, written the same way by the simulator and the runtime, read by the
// SSP checker, the experiments and the browser timeline. Times are integer nanoseconds since job start.
// Bump TRACE_VERSION on any change a reader would notice.

import type { Consistency } from "./tables.ts";

export const TRACE_FORMAT = "ssptable-trace";
export const TRACE_VERSION = 1;

export interface TraceHeader {
  k: "header";
  format: typeof TRACE_FORMAT;
  version: number;
  host: "sim" | "runtime";
  app: string;
  seed: number;
  workers: number;
  /** Machines in the simulator; worker processes in the runtime. */
  machines: number;
  servers: number;
  consistency: Consistency;
  /** null stands for ∞ (async), which JSON cannot hold. */
  staleness: number | null;
  clocks: number;
  /** Machine (process) index of every worker rank. */
  workerMachine: number[];
  objectiveName?: string;
  objectiveGoal?: "minimize" | "maximize";
  /** The full run configuration, for reproduction. */
  config: Record<string, unknown>;
}

/**
 * What a worker was doing between t0 and t1 during clock `clock`:
 * compute = declared work; wait = blocked on the staleness gate (its read was parked at a shard until the
 * shard clock caught up); comm = blocked on the network (a cache miss whose row was ready to send).
 */
export interface TraceSpan {
  k: "span";
  w: number;
  kind: "compute" | "wait" | "comm";
  t0: number;
  t1: number;
  clock: number;
  table?: number;
  row?: number;
}

/** A message between a client ("c<i>", one per machine/process) and a shard ("s<k>"). */
export interface TraceMessage {
  k: "msg";
  from: string;
  to: string;
  sent: number;
  recv: number;
  bytes: number;
  kind: "batch" | "read" | "row" | "push";
}

/** Worker `w` completed clock `clock` − 1, i.e. its clock count became `clock`, at time t. */
export interface TraceClock {
  k: "clock";
  w: number;
  clock: number;
  t: number;
}

/** Shard `s` advanced its clock to `clock` at time t. */
export interface TraceServerClock {
  k: "sclock";
  s: number;
  clock: number;
  t: number;
}

/** A completed read, with its observed staleness (reader clock − row clock). */
export interface TraceRead {
  k: "read";
  w: number;
  t: number;
  clock: number;
  table: number;
  row: number;
  rowClock: number;
  staleness: number;
  source: "cache" | "server";
  /** Check mode only: the non-zero (column, value) pairs the read returned. */
  values?: Array<[number, number]>;
}

/** The trace record of a completed read the core reported (its "read" event), at host time t. */
export function readRecord(
  e: {
    worker: number;
    clock: number;
    table: number;
    row: number;
    rowClock: number;
    staleness: number;
    source: "cache" | "server";
  },
  t: number,
  values?: Array<[number, number]>,
): TraceRead {
  const r: TraceRead = {
    k: "read",
    w: e.worker,
    t,
    clock: e.clock,
    table: e.table,
    row: e.row,
    rowClock: e.rowClock,
    staleness: e.staleness,
    source: e.source,
  };
  if (values !== undefined) r.values = values;
  return r;
}

/** Check mode only: an increment. */
export interface TraceInc {
  k: "inc";
  w: number;
  t: number;
  clock: number;
  table: number;
  row: number;
  col: number;
  delta: number;
}

/** The objective on the consistent model after every worker completed `clock` clocks. */
export interface TraceObjective {
  k: "obj";
  clock: number;
  t: number;
  value: number;
  /** The app's other measures on the same model, e.g. held-out RMSE or accuracy. */
  metrics?: Record<string, number>;
}

/** Whether both hosts sample the objective at shard clock `clock`: every `every` clocks (0: never) and the last. */
export function objectiveDue(clock: number, every: number, clocks: number): boolean {
  return every > 0 && (clock % every === 0 || clock === clocks);
}

/** Check mode only: a server row once every worker finished. */
export interface TraceFinalRow {
  k: "final";
  table: number;
  row: number;
  values: Array<[number, number]>;
}

/** What both hosts report about a run (the `--json` output; the summary of the trace's end record). */
export interface RunSummary {
  app: string;
  workers: number;
  /** Simulated machines, or worker processes in the runtime. */
  machines: number;
  servers: number;
  consistency: Consistency;
  /** null means ∞. */
  staleness: number | null;
  seed: number;
  clocks: number;
  stragglers: string;
  clocksPerSecond: number;
  computeFraction: number;
  waitFraction: number;
  commFraction: number;
  stalenessP50: number;
  stalenessP99: number;
  reads: number;
  objectiveName: string;
  objective: number;
  messages: number;
  bytes: number;
}

export interface TraceEnd {
  k: "end";
  t: number;
  summary: Record<string, unknown>;
}

export type TraceRecord =
  | TraceHeader
  | TraceSpan
  | TraceMessage
  | TraceClock
  | TraceServerClock
  | TraceRead
  | TraceInc
  | TraceObjective
  | TraceFinalRow
  | TraceEnd;

export interface Trace {
  header: TraceHeader;
  records: TraceRecord[];
}

export class TraceFormatError extends Error {
  override name = "TraceFormatError";
}

const KINDS = new Set(["span", "msg", "clock", "sclock", "read", "inc", "obj", "final", "end"]);

function isNumber(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

/** Parses JSON-lines trace text. Errors name the line and what is wrong with it. */
export function parseTrace(text: string): Trace {
  const lines = text.split("\n");
  let header: TraceHeader | null = null;
  const records: TraceRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new TraceFormatError(`line ${i + 1}: not JSON (${(e as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new TraceFormatError(`line ${i + 1}: expected a JSON object`);
    }
    const record = value as Record<string, unknown>;
    if (header === null) {
      if (record.k !== "header" || record.format !== TRACE_FORMAT) {
        throw new TraceFormatError(
          `line ${i + 1}: the first record must be the header {"k":"header","format":"${TRACE_FORMAT}",…}; is this an ssptable trace?`,
        );
      }
      if (record.version !== TRACE_VERSION) {
        throw new TraceFormatError(
          `line ${i + 1}: trace version ${String(record.version)}, this build reads version ${TRACE_VERSION}`,
        );
      }
      for (const field of ["workers", "machines", "servers", "clocks", "seed"]) {
        if (!isNumber(record[field]))
          throw new TraceFormatError(`line ${i + 1}: header field ${field} must be a number`);
      }
      if (!Array.isArray(record.workerMachine) || record.workerMachine.length !== record.workers) {
        throw new TraceFormatError(`line ${i + 1}: header workerMachine must list one machine per worker`);
      }
      header = record as unknown as TraceHeader;
      records.push(header);
      continue;
    }
    if (typeof record.k !== "string" || !KINDS.has(record.k)) {
      throw new TraceFormatError(`line ${i + 1}: unknown record kind ${JSON.stringify(record.k)}`);
    }
    checkRecord(record, i + 1);
    records.push(record as unknown as TraceRecord);
  }
  if (header === null) throw new TraceFormatError("the trace is empty: no header line");
  return { header, records };
}

const REQUIRED: Record<string, string[]> = {
  span: ["w", "t0", "t1", "clock"],
  msg: ["sent", "recv", "bytes"],
  clock: ["w", "clock", "t"],
  sclock: ["s", "clock", "t"],
  read: ["w", "t", "clock", "table", "row", "rowClock", "staleness"],
  inc: ["w", "t", "clock", "table", "row", "col", "delta"],
  obj: ["clock", "t"],
  final: ["table", "row"],
  end: ["t"],
};

function checkRecord(record: Record<string, unknown>, line: number): void {
  for (const field of REQUIRED[record.k as string]) {
    if (!isNumber(record[field])) {
      throw new TraceFormatError(`line ${line}: ${String(record.k)} record needs a numeric ${field}`);
    }
  }
  if (record.k === "span") {
    if (record.kind !== "compute" && record.kind !== "wait" && record.kind !== "comm") {
      throw new TraceFormatError(`line ${line}: span kind must be compute, wait or comm`);
    }
    if ((record.t1 as number) < (record.t0 as number))
      throw new TraceFormatError(`line ${line}: span ends before it starts`);
  }
}

export function stalenessToJson(s: number): number | null {
  return s === Number.POSITIVE_INFINITY ? null : s;
}

export function stalenessFromJson(s: number | null): number {
  return s === null ? Number.POSITIVE_INFINITY : s;
}
