// The timeline model: a parsed trace regrouped into flat typed arrays per worker, sorted by time, so the
// browser can draw and hit-test hundreds of thousands of spans without allocating per frame. Pure and
// DOM-free, so it is tested in Node.

import {
  parseTrace,
  stalenessFromJson,
  type Trace,
  type TraceHeader,
  type TraceMessage,
} from "../core/trace-format.ts";

export const SPAN_KINDS = ["compute", "wait", "comm"] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];
export const MESSAGE_KINDS = ["batch", "read", "row", "push"] as const;

/** Rows of per-worker records: entries of worker w are at indices offsets[w] … offsets[w + 1] − 1. */
export interface SpanColumns {
  offsets: Int32Array;
  t0: Float64Array;
  t1: Float64Array;
  kind: Uint8Array;
  clock: Int32Array;
  /** −1 when the span names no table/row. */
  table: Int32Array;
  row: Int32Array;
}

export interface ReadColumns {
  offsets: Int32Array;
  t: Float64Array;
  clock: Int32Array;
  table: Int32Array;
  row: Int32Array;
  rowClock: Int32Array;
  staleness: Int32Array;
  fromServer: Uint8Array;
}

export interface TickColumns {
  offsets: Int32Array;
  t: Float64Array;
  clock: Int32Array;
}

/** A step function: value[i] holds from t[i] until t[i + 1]. */
export interface Steps {
  t: number[];
  value: number[];
}

export interface MessageColumns {
  count: number;
  /** Endpoint rows: 0 … machines − 1 are clients, machines … machines + servers − 1 are shards; −1 unknown. */
  from: Int32Array;
  to: Int32Array;
  sent: Float64Array;
  recv: Float64Array;
  bytes: Float64Array;
  kind: Uint8Array;
}

export interface TimelineModel {
  header: TraceHeader;
  workers: number;
  machines: number;
  servers: number;
  /** s, with ∞ for async. */
  staleness: number;
  tEnd: number;
  spans: SpanColumns;
  reads: ReadColumns;
  ticks: TickColumns;
  /** Shard clock advances, per shard. */
  shardTicks: TickColumns;
  minClock: Steps;
  maxClock: Steps;
  messages: MessageColumns;
  objectives: Array<{ clock: number; t: number; value: number }>;
  /** Time per span kind, summed over workers (ns). */
  kindTotalsNs: Record<SpanKind, number>;
  stalenessCounts: Map<number, number>;
  end: Record<string, unknown> | null;
}

export function loadTimeline(text: string): TimelineModel {
  return buildModel(parseTrace(text));
}

export function buildModel(trace: Trace): TimelineModel {
  const { header, records } = trace;
  const workers = header.workers;
  const machines = header.machines;
  const servers = header.servers;
  const spanCount = new Int32Array(workers + 1);
  const readCount = new Int32Array(workers + 1);
  const tickCount = new Int32Array(workers + 1);
  const shardCount = new Int32Array(servers + 1);
  let messages = 0;
  let tEnd = 0;
  let end: Record<string, unknown> | null = null;
  const badWorker = (w: number, what: string) => {
    throw new Error(
      `${what} names worker ${w}, but the header declares ${workers} workers (0 … ${workers - 1})`,
    );
  };
  for (const r of records) {
    switch (r.k) {
      case "span":
        if (!(r.w >= 0 && r.w < workers)) badWorker(r.w, "a span");
        spanCount[r.w + 1]++;
        tEnd = Math.max(tEnd, r.t1);
        break;
      case "read":
        if (!(r.w >= 0 && r.w < workers)) badWorker(r.w, "a read");
        readCount[r.w + 1]++;
        tEnd = Math.max(tEnd, r.t);
        break;
      case "clock":
        if (!(r.w >= 0 && r.w < workers)) badWorker(r.w, "a clock record");
        tickCount[r.w + 1]++;
        tEnd = Math.max(tEnd, r.t);
        break;
      case "sclock":
        if (r.s >= 0 && r.s < servers) shardCount[r.s + 1]++;
        tEnd = Math.max(tEnd, r.t);
        break;
      case "msg":
        messages++;
        tEnd = Math.max(tEnd, r.recv);
        break;
      case "obj":
        tEnd = Math.max(tEnd, r.t);
        break;
      case "end":
        tEnd = Math.max(tEnd, r.t);
        end = r.summary ?? null;
        break;
    }
  }
  prefixSum(spanCount);
  prefixSum(readCount);
  prefixSum(tickCount);
  prefixSum(shardCount);
  const spans: SpanColumns = {
    offsets: spanCount.slice(),
    t0: new Float64Array(spanCount[workers]),
    t1: new Float64Array(spanCount[workers]),
    kind: new Uint8Array(spanCount[workers]),
    clock: new Int32Array(spanCount[workers]),
    table: new Int32Array(spanCount[workers]),
    row: new Int32Array(spanCount[workers]),
  };
  const reads: ReadColumns = {
    offsets: readCount.slice(),
    t: new Float64Array(readCount[workers]),
    clock: new Int32Array(readCount[workers]),
    table: new Int32Array(readCount[workers]),
    row: new Int32Array(readCount[workers]),
    rowClock: new Int32Array(readCount[workers]),
    staleness: new Int32Array(readCount[workers]),
    fromServer: new Uint8Array(readCount[workers]),
  };
  const ticks: TickColumns = {
    offsets: tickCount.slice(),
    t: new Float64Array(tickCount[workers]),
    clock: new Int32Array(tickCount[workers]),
  };
  const shardTicks: TickColumns = {
    offsets: shardCount.slice(),
    t: new Float64Array(shardCount[servers]),
    clock: new Int32Array(shardCount[servers]),
  };
  const msgs: MessageColumns = {
    count: messages,
    from: new Int32Array(messages),
    to: new Int32Array(messages),
    sent: new Float64Array(messages),
    recv: new Float64Array(messages),
    bytes: new Float64Array(messages),
    kind: new Uint8Array(messages),
  };
  const objectives: TimelineModel["objectives"] = [];
  const kindTotalsNs: Record<SpanKind, number> = { compute: 0, wait: 0, comm: 0 };
  const stalenessCounts = new Map<number, number>();
  // Fill cursors start at each worker's offset (spanCount etc. are reused as cursors).
  let m = 0;
  for (const r of records) {
    switch (r.k) {
      case "span": {
        const i = spanCount[r.w]++;
        const kind = SPAN_KINDS.indexOf(r.kind);
        spans.t0[i] = r.t0;
        spans.t1[i] = r.t1;
        spans.kind[i] = kind;
        spans.clock[i] = r.clock;
        spans.table[i] = r.table ?? -1;
        spans.row[i] = r.row ?? -1;
        kindTotalsNs[r.kind] += r.t1 - r.t0;
        break;
      }
      case "read": {
        const i = readCount[r.w]++;
        reads.t[i] = r.t;
        reads.clock[i] = r.clock;
        reads.table[i] = r.table;
        reads.row[i] = r.row;
        reads.rowClock[i] = r.rowClock;
        reads.staleness[i] = r.staleness;
        reads.fromServer[i] = r.source === "server" ? 1 : 0;
        stalenessCounts.set(r.staleness, (stalenessCounts.get(r.staleness) ?? 0) + 1);
        break;
      }
      case "clock": {
        const i = tickCount[r.w]++;
        ticks.t[i] = r.t;
        ticks.clock[i] = r.clock;
        break;
      }
      case "sclock": {
        if (!(r.s >= 0 && r.s < servers)) break;
        const i = shardCount[r.s]++;
        shardTicks.t[i] = r.t;
        shardTicks.clock[i] = r.clock;
        break;
      }
      case "msg":
        msgs.from[m] = endpoint(r.from, machines, servers);
        msgs.to[m] = endpoint(r.to, machines, servers);
        msgs.sent[m] = r.sent;
        msgs.recv[m] = r.recv;
        msgs.bytes[m] = r.bytes;
        msgs.kind[m] = Math.max(0, MESSAGE_KINDS.indexOf(r.kind as TraceMessage["kind"]));
        m++;
        break;
      case "obj":
        if (typeof r.value === "number" && Number.isFinite(r.value)) {
          objectives.push({ clock: r.clock, t: r.t, value: r.value });
        }
        break;
    }
  }
  sortRuns(spans.offsets, spans.t0, [spans.t0, spans.t1, spans.kind, spans.clock, spans.table, spans.row]);
  sortRuns(reads.offsets, reads.t, [
    reads.t,
    reads.clock,
    reads.table,
    reads.row,
    reads.rowClock,
    reads.staleness,
    reads.fromServer,
  ]);
  sortRuns(ticks.offsets, ticks.t, [ticks.t, ticks.clock]);
  sortRuns(shardTicks.offsets, shardTicks.t, [shardTicks.t, shardTicks.clock]);
  objectives.sort((a, b) => a.t - b.t);
  const { minClock, maxClock } = clockEnvelope(ticks, workers);
  return {
    header,
    workers,
    machines,
    servers,
    staleness: stalenessFromJson(header.staleness),
    tEnd: tEnd > 0 ? tEnd : 1,
    spans,
    reads,
    ticks,
    shardTicks,
    minClock,
    maxClock,
    messages: msgs,
    objectives,
    kindTotalsNs,
    stalenessCounts,
    end,
  };
}

function prefixSum(a: Int32Array): void {
  for (let i = 1; i < a.length; i++) a[i] += a[i - 1];
}

/** "c3" → client row 3, "s1" → shard row machines + 1; anything else → −1. */
export function endpoint(name: string, machines: number, servers: number): number {
  const match = /^([cs])(\d+)$/.exec(name);
  if (match === null) return -1;
  const i = Number(match[2]);
  if (match[1] === "c") return i < machines ? i : -1;
  return i < servers ? machines + i : -1;
}

type Column = Float64Array | Int32Array | Uint8Array;

/** Sorts each worker's run of rows by `key`, permuting every column alike (recorders write in time order,
 * so this is usually a no-op check). */
function sortRuns(offsets: Int32Array, key: Float64Array, columns: Column[]): void {
  for (let w = 0; w + 1 < offsets.length; w++) {
    const lo = offsets[w];
    const hi = offsets[w + 1];
    let sorted = true;
    for (let i = lo + 1; i < hi; i++) {
      if (key[i] < key[i - 1]) {
        sorted = false;
        break;
      }
    }
    if (sorted) continue;
    const order = Array.from({ length: hi - lo }, (_, i) => lo + i).sort((a, b) => key[a] - key[b]);
    for (const column of columns) {
      const copy = Array.from(order, (i) => column[i]);
      for (let i = 0; i < copy.length; i++) column[lo + i] = copy[i];
    }
  }
}

/** The slowest and fastest worker's clock over time, from the clock ticks. */
function clockEnvelope(ticks: TickColumns, workers: number): { minClock: Steps; maxClock: Steps } {
  const order = Array.from({ length: ticks.t.length }, (_, i) => i).sort((a, b) => ticks.t[a] - ticks.t[b]);
  const owner = new Int32Array(ticks.t.length);
  for (let w = 0; w < workers; w++) {
    for (let i = ticks.offsets[w]; i < ticks.offsets[w + 1]; i++) owner[i] = w;
  }
  const current = new Int32Array(workers);
  // atClock[c] = workers whose clock count is exactly c; the minimum moves up when its bucket empties.
  const atClock = new Map<number, number>([[0, workers]]);
  let min = 0;
  let max = 0;
  const minClock: Steps = { t: [0], value: [0] };
  const maxClock: Steps = { t: [0], value: [0] };
  for (const i of order) {
    const w = owner[i];
    const from = current[w];
    const to = Math.max(from, ticks.clock[i]);
    if (to === from) continue;
    current[w] = to;
    atClock.set(from, (atClock.get(from) ?? 0) - 1);
    atClock.set(to, (atClock.get(to) ?? 0) + 1);
    if (to > max) {
      max = to;
      pushStep(maxClock, ticks.t[i], max);
    }
    while ((atClock.get(min) ?? 0) === 0 && min < max) min++;
    if (min !== minClock.value[minClock.value.length - 1]) pushStep(minClock, ticks.t[i], min);
  }
  return { minClock, maxClock };
}

function pushStep(steps: Steps, t: number, value: number): void {
  const last = steps.t.length - 1;
  if (steps.t[last] === t) steps.value[last] = value;
  else {
    steps.t.push(t);
    steps.value.push(value);
  }
}

/** The value of a step function at time t. */
export function stepAt(steps: Steps, t: number): number {
  let lo = 0;
  let hi = steps.t.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps.t[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return steps.value[lo];
}

/** Index of worker w's span covering time t (nearest within `slackNs`), or −1. */
export function spanAt(model: TimelineModel, w: number, t: number, slackNs = 0): number {
  const { offsets, t0, t1 } = model.spans;
  let lo = offsets[w];
  let hi = offsets[w + 1];
  // First span whose end is ≥ t − slack.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t1[mid] < t - slackNs) lo = mid + 1;
    else hi = mid;
  }
  let best = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let i = lo; i < offsets[w + 1] && t0[i] <= t + slackNs; i++) {
    const distance = t < t0[i] ? t0[i] - t : t > t1[i] ? t - t1[i] : 0;
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  return best;
}

/** First index in [lo, hi) whose value in `sorted` is ≥ x. */
export function lowerBound(sorted: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Reads worker w completed during [t0, t1]. */
export function readsIn(model: TimelineModel, w: number, t0: number, t1: number): number[] {
  const { offsets, t } = model.reads;
  const out: number[] = [];
  for (let i = lowerBound(t, offsets[w], offsets[w + 1], t0); i < offsets[w + 1] && t[i] <= t1; i++) {
    out.push(i);
  }
  return out;
}

/** Fraction of worker time by kind, over all spans. */
export function kindFractions(model: TimelineModel): Record<SpanKind, number> {
  const total = model.kindTotalsNs.compute + model.kindTotalsNs.wait + model.kindTotalsNs.comm;
  const f = (x: number) => (total > 0 ? x / total : 0);
  return {
    compute: f(model.kindTotalsNs.compute),
    wait: f(model.kindTotalsNs.wait),
    comm: f(model.kindTotalsNs.comm),
  };
}

/** The q-quantile (0 … 1) of observed staleness over all reads, or null without reads. */
export function stalenessQuantile(model: TimelineModel, q: number): number | null {
  const values = [...model.stalenessCounts.keys()].sort((a, b) => a - b);
  let total = 0;
  for (const v of values) total += model.stalenessCounts.get(v)!;
  if (total === 0) return null;
  const target = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const v of values) {
    seen += model.stalenessCounts.get(v)!;
    if (seen >= target) return v;
  }
  return values[values.length - 1];
}
