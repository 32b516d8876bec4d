// A small deterministic SSP trace for the viewer's tests, written before the simulator existed and kept so
// the viewer can be tested without it. It follows the SSP gate exactly: worker w starts clock c once it has
// finished clock c − 1 and every worker has finished clock c − s − 1; the time in between is a wait span.

import { stream } from "../../apps/random.ts";
import {
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceHeader,
  type TraceRecord,
  type TraceSpan,
} from "../../core/trace-format.ts";

export interface SyntheticOptions {
  workers: number;
  machines: number;
  servers?: number;
  clocks: number;
  staleness: number;
  seed?: number;
  /** Workers that compute this many times slower (default: rank 1 at 3×, when there are ≥ 2 workers). */
  stragglers?: Record<number, number>;
  /** Reads per worker per clock (default 2). */
  readsPerClock?: number;
}

export interface SyntheticTrace {
  records: TraceRecord[];
  text: string;
  spans: number;
  reads: number;
  messages: number;
}

const COMPUTE_NS = 2_000_000;
const COMM_NS = 150_000;
const LINK_NS = 50_000;

export function syntheticTrace(options: SyntheticOptions): SyntheticTrace {
  const { workers, machines, clocks, staleness } = options;
  const servers = options.servers ?? 2;
  const seed = options.seed ?? 7;
  const readsPerClock = options.readsPerClock ?? 2;
  const stragglers = options.stragglers ?? (workers >= 2 ? { 1: 3 } : {});
  const workerMachine = Array.from({ length: workers }, (_, w) => Math.floor((w * machines) / workers));
  const header: TraceHeader = {
    k: "header",
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    host: "sim",
    app: "synthetic",
    seed,
    workers,
    machines,
    servers,
    consistency: staleness === 0 ? "bsp" : "ssp",
    staleness,
    clocks,
    workerMachine,
    objectiveName: "loss",
    objectiveGoal: "minimize",
    config: { generator: "test/viz/synthetic-trace.ts", stragglers },
  };
  const records: TraceRecord[] = [header];
  const push = (r: TraceRecord) => records.push(r);
  const randoms = Array.from({ length: workers }, (_, w) => stream(seed, `worker/${w}`, "viz-test"));
  // end[c * workers + w]: when worker w finished clock c. readyAt[c]: when every worker had finished clock c.
  const end = new Float64Array(clocks * workers);
  const readyAt = new Float64Array(clocks);
  const ready = (c: number) => (c < 0 ? 0 : readyAt[c]);
  let spans = 0;
  let reads = 0;
  let messages = 0;
  for (let c = 0; c < clocks; c++) {
    for (let w = 0; w < workers; w++) {
      const previous = c === 0 ? 0 : end[(c - 1) * workers + w];
      const gate = ready(c - staleness - 1);
      let t = previous;
      if (gate > previous) {
        push({ k: "span", w, kind: "wait", t0: previous, t1: gate, clock: c, table: 0, row: w % 5 });
        spans++;
        t = gate;
      }
      const rng = randoms[w];
      const comm = Math.round(COMM_NS * (0.5 + rng.next()));
      push({ k: "span", w, kind: "comm", t0: t, t1: t + comm, clock: c, table: 0, row: w % 5 });
      spans++;
      t += comm;
      for (let r = 0; r < readsPerClock; r++) {
        const staleBy = Math.max(0, Math.min(c, staleness - (r % 2)));
        push({
          k: "read",
          w,
          t,
          clock: c,
          table: 0,
          row: (w + r) % 5,
          rowClock: c - staleBy,
          staleness: staleBy,
          source: r === 0 ? "server" : "cache",
        });
        reads++;
      }
      const factor = stragglers[w] ?? 1;
      const compute = Math.round(COMPUTE_NS * factor * (0.8 + 0.4 * rng.next()));
      push({ k: "span", w, kind: "compute", t0: t, t1: t + compute, clock: c });
      spans++;
      t += compute;
      end[c * workers + w] = t;
      push({ k: "clock", w, clock: c + 1, t });
      const client = `c${workerMachine[w]}`;
      const shard = `s${w % servers}`;
      push({ k: "msg", from: client, to: shard, sent: t, recv: t + LINK_NS, bytes: 256, kind: "batch" });
      messages++;
    }
    let all = 0;
    for (let w = 0; w < workers; w++) all = Math.max(all, end[c * workers + w]);
    readyAt[c] = all + LINK_NS;
    for (let s = 0; s < servers; s++) {
      push({ k: "sclock", s, clock: c + 1, t: readyAt[c] });
      push({
        k: "msg",
        from: `s${s}`,
        to: `c${s % machines}`,
        sent: readyAt[c],
        recv: readyAt[c] + LINK_NS,
        bytes: 1024,
        kind: "row",
      });
      messages++;
    }
    push({ k: "obj", clock: c + 1, t: readyAt[c], value: 100 * Math.exp(-0.08 * (c + 1)) + 1 });
  }
  const tEnd = readyAt[clocks - 1] + LINK_NS;
  push({ k: "end", t: tEnd, summary: { synthetic: true } });
  records.sort((a, b) => order(a) - order(b));
  const text = `${records.map((r) => JSON.stringify(r)).join("\n")}\n`;
  return { records, text, spans, reads, messages };
}

// Header first, then by time, like a recorder that writes as things happen.
function order(r: TraceRecord): number {
  switch (r.k) {
    case "header":
      return -1;
    case "span":
      return (r as TraceSpan).t0;
    case "msg":
      return r.sent;
    case "final":
      return Number.MAX_SAFE_INTEGER;
    case "end":
      return Number.MAX_SAFE_INTEGER;
    default:
      return r.t;
  }
}
