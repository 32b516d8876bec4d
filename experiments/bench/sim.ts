// `ssp bench sim`: the engine on the classic hold model next to a bare heap loop (and SimPy, when Debian's
// python3-simpy3 is installed), then a synthetic SSP job with 10,000 workers × 100 clocks.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { stream } from "../../apps/random.ts";
import { synthetic } from "../../apps/synthetic.ts";
import { EventQueue } from "../../sim/event-queue.ts";
import { partitionThreadsFor } from "../../sim/partition-threads.ts";
import { simulate } from "../../sim/simulate.ts";
import { packageRoot } from "../package-root.ts";
import type { BenchSuite } from "./suite.ts";

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** N processes, each rescheduling itself after an exponential hold, through the engine's queue. */
function holdEngine(processes: number, events: number): number {
  const r = stream(1, "bench", "hold");
  const q = new EventQueue();
  let done = 0;
  const hold = () => {
    if (++done < events) q.push(q.lastTime + r.exponential(1e-6), hold);
  };
  for (let i = 0; i < processes; i++) q.push(r.exponential(1e-6), hold);
  const start = process.hrtime.bigint();
  while (q.length > 0) q.pop()();
  return done / seconds(start);
}

/** The same workload on the barest heap: times only, no sequence numbers, no handlers. */
function holdBareHeap(processes: number, events: number): number {
  const r = stream(1, "bench", "hold");
  const heap = new Float64Array(processes + 1);
  let size = 0;
  const push = (t: number) => {
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p] <= t) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = t;
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap[--size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && heap[c + 1] < heap[c]) c++;
      if (heap[c] >= last) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = last;
    return top;
  };
  for (let i = 0; i < processes; i++) push(r.exponential(1e-6));
  let done = 0;
  const start = process.hrtime.bigint();
  while (size > 0) {
    const t = pop();
    if (++done < events) push(t + r.exponential(1e-6));
  }
  return done / seconds(start);
}

function simpy(processes: number, events: number): Record<string, unknown> | null {
  const python = "/usr/bin/python3";
  const script = join(packageRoot(), "bench", "simpy_hold.py");
  if (!existsSync(python) || !existsSync(script)) return null;
  try {
    return JSON.parse(
      execFileSync(python, [script, String(processes), String(events)], { encoding: "utf8" }),
    );
  } catch {
    return null;
  }
}

export const simBench: BenchSuite = {
  name: "sim",
  summary: "engine events/s on the hold model vs a bare heap (and SimPy); a 10,000-worker synthetic job",
  async run({ quick, log, partitions: asked }) {
    const processes = 1000;
    const events = quick ? 300_000 : 3_000_000;
    log(`hold model: ${processes} processes, ${events} events`);
    // Alternate and keep the best of three, so one noisy moment does not decide the ratio.
    let engine = 0;
    let bare = 0;
    for (let i = 0; i < 3; i++) {
      engine = Math.max(engine, holdEngine(processes, events));
      bare = Math.max(bare, holdBareHeap(processes, events));
    }
    const simpyResult = simpy(processes, quick ? 100_000 : 500_000);
    const workers = quick ? 1024 : 10_000;
    const clocks = quick ? 20 : 100;
    const appOptions = { rows: "10000", "rows-per-clock": "4", "compute-units": "1000000" };
    // Threads exist only in the built CLI; from sources, partitions would take turns in one thread.
    const threads = partitionThreadsFor("synthetic", appOptions);
    const partitions = threads === undefined ? 1 : (asked ?? Math.min(2, availableParallelism()));
    log(`synthetic SSP job: ${workers} workers × ${clocks} clocks, ${partitions} partition(s)`);
    let peakRssBytes = process.memoryUsage().rss;
    const start = process.hrtime.bigint();
    // A datacenter cluster: 16 workers per machine, 32 shards, each worker touching 4 of 10,000 rows a clock.
    const { summary, threadTimes } = await simulate({
      app: synthetic.create(appOptions, { workers, seed: 1 }),
      workers,
      machines: workers / 16,
      servers: quick ? 8 : 32,
      consistency: "ssp",
      staleness: 3,
      clocks,
      seed: 1,
      profile: "datacenter-10g",
      stragglers: "jitter:mean=0.2",
      objectiveEvery: 0,
      cacheRows: 1000,
      partitions,
      threads,
      progress: () => {
        peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
      },
    });
    const jobWallSeconds = seconds(start);
    // The kernel's high-water mark covers the partition threads between progress reports too.
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    return {
      hold: {
        processes,
        events,
        engineEventsPerSec: Math.round(engine),
        bareHeapEventsPerSec: Math.round(bare),
        engineOverBareHeap: engine / bare,
        simpyEventsPerSec: simpyResult === null ? null : Math.round(simpyResult.eventsPerSec as number),
        engineOverSimpy: simpyResult === null ? null : engine / (simpyResult.eventsPerSec as number),
      },
      syntheticJob: {
        workers,
        clocks,
        partitions,
        wallSeconds: jobWallSeconds,
        // Per thread, wall-clock seconds spent encoding, waiting at the barrier and decoding at windows' ends.
        threads:
          threadTimes?.map((t) => ({
            windows: t.windows,
            postSeconds: round3(t.postSeconds),
            waitSeconds: round3(t.waitSeconds),
            decodeSeconds: round3(t.decodeSeconds),
          })) ?? null,
        peakRssBytes,
        simEvents: summary.events,
        simEventsPerWallSec: Math.round(summary.events / jobWallSeconds),
        simTimeNs: summary.simTimeNs,
        messages: summary.messages,
        goal: "under 30 s and 2 GB",
        nodeFlags: process.execArgv.join(" "),
      },
    };
  },
};
