// `ssp bench core`: the SSP core's hot paths next to the physical reference, a plain Float64Array add loop
// over the same number of elements. Cached reads and increments go through ClientCore; batch apply sends
// realistic batches (every row of a dense table from every client, one clock each) through
// ServerShard.receive, including the clock advance that folds early updates into the settled rows.

import { ClientCore } from "../../core/client.ts";
import type { BatchMessage } from "../../core/messages.ts";
import { makePlacement } from "../../core/placement.ts";
import { ServerShard } from "../../core/server.ts";
import { type Consistency, defineTable, type TableSpec } from "../../core/tables.ts";
import type { BenchSuite } from "./suite.ts";

interface Sizes {
  rows: number;
  width: number;
  clients: number;
  /** Minimum wall time of one measured trial. */
  trialSeconds: number;
  trials: number;
}

/** One measured path: `body` does `unitsPerCall` units of work each call. */
interface Measured {
  name: string;
  unitsPerCall: number;
  body: () => void;
}

/** Units per second over one trial: `body` repeated until trialSeconds have passed. */
function trial(sizes: Sizes, m: Measured): number {
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0;
  do {
    m.body();
    calls++;
    elapsedNs = Number(process.hrtime.bigint() - start);
  } while (elapsedNs < sizes.trialSeconds * 1e9);
  return (calls * m.unitsPerCall) / (elapsedNs / 1e9);
}

/**
 * Median rate of each path. Trials of the paths alternate (round robin), so a burst of load from other
 * processes on a shared machine hits all of them alike and the ratios stay meaningful.
 */
function measureAll(sizes: Sizes, paths: Measured[], log: (line: string) => void): Map<string, number> {
  for (const m of paths) m.body(); // warm-up: let V8 compile every path before timing any
  const rates = new Map<string, number[]>(paths.map((m) => [m.name, []]));
  for (let t = 0; t < sizes.trials; t++) {
    for (const m of paths) rates.get(m.name)!.push(trial(sizes, m));
  }
  const medians = new Map<string, number>();
  for (const [name, list] of rates) {
    list.sort((a, b) => a - b);
    medians.set(name, list[Math.floor(list.length / 2)]);
    log(
      `${name}: median ${(medians.get(name)! / 1e6).toFixed(2)} M/s of ${list.map((r) => (r / 1e6).toFixed(1)).join(", ")}`,
    );
  }
  return medians;
}

function table(consistency: Consistency, width: number): TableSpec {
  return defineTable({ id: 0, name: "bench", width, consistency, staleness: consistency === "ssp" ? 2 : 0 });
}

/** A client whose cache holds every row, so that reads at clock 0 never leave the process. */
function warmClient(sizes: Sizes): { client: ClientCore; spec: TableSpec } {
  const spec = table("ssp", sizes.width);
  const placement = makePlacement("modulo", 1);
  const client = new ClientCore({ client: 0, workers: [0], numShards: 1, tables: [spec], placement });
  const shard = new ServerShard({ shard: 0, numClients: 1, tables: [spec] });
  for (let row = 0; row < sizes.rows; row++) {
    // One worker has one read in flight at a time: fetch each row before asking for the next.
    if (client.read(0, 0, row) !== null) throw new Error("bench: a cold cache served a read");
    for (const m of client.drain().messages) shard.receive(m.message);
    for (const m of shard.drain().messages) client.receive(m.message);
    if (client.drain().completions.length !== 1) throw new Error(`bench: row ${row} did not arrive`);
  }
  return { client, spec };
}

function cachedReads(sizes: Sizes): Measured {
  const { client } = warmClient(sizes);
  const perCall = 1000;
  let sink = 0;
  return {
    name: "cachedReads",
    unitsPerCall: perCall,
    body: () => {
      for (let i = 0; i < perCall; i++) sink += client.read(0, 0, i % sizes.rows)!.get(0);
      client.drain();
      if (Number.isNaN(sink)) throw new Error("bench: a cached read returned NaN");
    },
  };
}

/** Increments of every element of every row, then clock(): the flush that builds batches is included. */
function clientIncrements(sizes: Sizes): Measured {
  const { client } = warmClient(sizes);
  return {
    name: "clientIncrements",
    unitsPerCall: sizes.rows * sizes.width,
    body: () => {
      for (let row = 0; row < sizes.rows; row++) {
        for (let col = 0; col < sizes.width; col++) client.inc(0, 0, row, col, 0.5);
      }
      client.clock(0);
      client.drain();
    },
  };
}

function batchesFor(sizes: Sizes, spec: TableSpec): Float64Array[][] {
  return Array.from({ length: sizes.clients }, (_, c) =>
    Array.from({ length: sizes.rows }, (_, row) => {
      const delta = new Float64Array(spec.width);
      for (let i = 0; i < delta.length; i++) delta[i] = ((c + 1) * (row + 1) * (i + 1)) % 7;
      return delta;
    }),
  );
}

/** Elements through ServerShard.receive: one batch per client per clock, then the clock advance. */
function serverApply(sizes: Sizes, consistency: Consistency): Measured {
  const spec = table(consistency, sizes.width);
  const shard = new ServerShard({ shard: 0, numClients: sizes.clients, tables: [spec] });
  const deltas = batchesFor(sizes, spec);
  let clock = 0;
  return {
    name: `serverApply_${consistency}`,
    unitsPerCall: sizes.clients * sizes.rows * sizes.width,
    body: () => {
      for (let c = 0; c < sizes.clients; c++) {
        const batch: BatchMessage = {
          type: "batch",
          client: c,
          version: clock + 1,
          clock,
          rows: deltas[c].map((delta, row) => ({ table: 0, row, delta })),
        };
        shard.receive(batch);
      }
      clock++;
      shard.drain();
      if (shard.clock !== clock) throw new Error(`bench: shard clock ${shard.clock}, expected ${clock}`);
    },
  };
}

/** The physical reference: the same adds, straight into preallocated Float64Array rows. */
function plainAddLoop(sizes: Sizes): Measured {
  const spec = table("ssp", sizes.width);
  const deltas = batchesFor(sizes, spec);
  const rows = Array.from({ length: sizes.rows }, () => new Float64Array(sizes.width));
  return {
    name: "plainAdd",
    unitsPerCall: sizes.clients * sizes.rows * sizes.width,
    body: () => {
      for (let c = 0; c < sizes.clients; c++) {
        for (let row = 0; row < sizes.rows; row++) {
          const target = rows[row];
          const delta = deltas[c][row];
          for (let i = 0; i < target.length; i++) target[i] += delta[i];
        }
      }
      if (Number.isNaN(rows[0][0])) throw new Error("bench: the plain loop produced NaN");
    },
  };
}

export const coreBench: BenchSuite = {
  name: "core",
  summary: "cached reads, client increments and server batch apply vs a plain Float64Array add loop",
  async run({ quick, log }) {
    const sizes: Sizes = quick
      ? { rows: 64, width: 256, clients: 4, trialSeconds: 0.05, trials: 3 }
      : { rows: 256, width: 1024, clients: 8, trialSeconds: 0.3, trials: 5 };
    log(
      `core bench: ${sizes.rows} rows × ${sizes.width} float64, ${sizes.clients} clients, ${sizes.trials} trials`,
    );
    const rates = measureAll(
      sizes,
      [
        plainAddLoop(sizes),
        serverApply(sizes, "ssp"),
        serverApply(sizes, "async"),
        cachedReads(sizes),
        clientIncrements(sizes),
      ],
      log,
    );
    const plain = rates.get("plainAdd")!;
    const applySsp = rates.get("serverApply_ssp")!;
    const applyAsync = rates.get("serverApply_async")!;
    const reads = rates.get("cachedReads")!;
    const incs = rates.get("clientIncrements")!;
    return {
      sizes: { rows: sizes.rows, width: sizes.width, clients: sizes.clients, valueType: "float64" },
      plainAddElementsPerSec: plain,
      serverApplySspElementsPerSec: applySsp,
      serverApplyAsyncElementsPerSec: applyAsync,
      cachedReadsPerSec: reads,
      cachedReadElementsPerSec: reads * sizes.width,
      clientIncrementsPerSec: incs,
      ratios: {
        serverApplySspToPlain: applySsp / plain,
        serverApplyAsyncToPlain: applyAsync / plain,
        cachedReadElementsToPlain: (reads * sizes.width) / plain,
        clientIncrementsToPlain: incs / plain,
      },
      goal: { serverApplyToPlainAtLeast: 0.5, met: applySsp / plain >= 0.5 },
    };
  },
};
