// A partitioned run's parts put together: running the partitions by turns in this thread, and one result
// from the partitions' results.

import { type HostConfig, type HostResult, SimHost } from "./host.ts";
import { inProcessLinks, lookaheadNs } from "./partition.ts";
import type { ThreadTimes } from "./partition-threads.ts";
import { StalenessHistogram } from "./stats.ts";
import { type StreamDigests, TraceRecorder } from "./trace-recorder.ts";

/** What one partition hands back: its result and the digests of the trace streams it recorded. */
export interface PartitionOutcome {
  result: HostResult;
  streams: StreamDigests;
  /** Threads only: where the thread's time went at windows' ends. */
  times?: ThreadTimes;
}

/** Runs the partitions in this thread, each running its window in turn. */
export async function runPartitionsByTurns(config: HostConfig, count: number): Promise<PartitionOutcome[]> {
  const tables = new Map(config.tables.map((t) => [t.id, t]));
  const links = inProcessLinks(count, lookaheadNs(config.profile), tables);
  return Promise.all(
    links.map(async (link) => {
      const recorder = new TraceRecorder();
      const host = new SimHost({ ...config, recorder, partition: link, progress: undefined });
      const result = await host.run();
      return { result, streams: recorder.streamDigests() };
    }),
  );
}

/** One run's result from its partitions' results. */
export function mergeResults(results: readonly HostResult[]): HostResult {
  const workers = results[0].computeUnitsByWorker.length;
  const computeUnitsByWorker = new Float64Array(workers);
  const totals = { computeUnits: 0, computeNs: 0, waitNs: 0, commNs: 0 };
  const staleness = new StalenessHistogram();
  let simTimeNs = 0;
  let messages = 0;
  let bytes = 0;
  let events = 0;
  for (const r of results) {
    for (let w = 0; w < workers; w++) computeUnitsByWorker[w] += r.computeUnitsByWorker[w];
    totals.computeNs += r.totals.computeNs;
    totals.waitNs += r.totals.waitNs;
    totals.commNs += r.totals.commNs;
    for (const [value, count] of r.staleness.entries()) staleness.add(value, count);
    simTimeNs = Math.max(simTimeNs, r.simTimeNs);
    messages += r.messages;
    bytes += r.bytes;
    events += r.events;
  }
  // In rank order, as one host sums them.
  for (const units of computeUnitsByWorker) totals.computeUnits += units;
  return { simTimeNs, totals, computeUnitsByWorker, staleness, messages, bytes, events };
}
