// One simulated run, from a plain config to a summary: the simulator's programmatic entry point.

import type { AppInstance } from "../apps/api.ts";
import { type ModelRow, type ObjectiveSample, ObjectiveSampler } from "../apps/objective-sampler.ts";
import {
  type RunSummary,
  stalenessToJson,
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceRecord,
} from "../core/trace-format.ts";
import { type HostResult, SimHost, workerMachines } from "./host.ts";
import { hostConfigFor, type SimSettings } from "./host-config.ts";
import { lookaheadNs } from "./partition.ts";
import { type PartitionThreads, runPartitionThreads, type ThreadTimes } from "./partition-threads.ts";
import { mergeResults, runPartitionsByTurns } from "./partitioned-run.ts";
import { type StreamDigests, type TraceDetail, TraceRecorder } from "./trace-recorder.ts";

export { tablesFor } from "./host-config.ts";

/** A run's configuration: the settings a partition thread gets too, and what only this thread can hold. */
export interface SimConfig extends SimSettings {
  app: AppInstance;
  trace?: (record: TraceRecord) => void;
  /** What the trace sink gets (see TraceDetail); default "full". */
  traceDetail?: TraceDetail;
  progress?: (fraction: number) => void;
  /** Extra fields for the trace header's config (e.g. the app's options). */
  extraConfig?: Record<string, unknown>;
  /** Run the partitions on threads of their own (see partition-threads.ts), not by turns in this thread. */
  threads?: PartitionThreads;
}

/** What a partitioned run cannot do (yet), as an error naming the setting to change. */
export function checkPartitionable(config: SimConfig): void {
  const partitions = config.partitions ?? 1;
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  if (partitions === 1) return;
  const cannot = (what: string) => {
    throw new RangeError(`${partitions} partitions cannot ${what}`);
  };
  if (partitions > config.machines) {
    const have = config.machines === 1 ? "there is 1 machine" : `there are ${config.machines} machines`;
    throw new RangeError(`${partitions} partitions need a machine each, and ${have}: use fewer partitions`);
  }
  if (config.checkMode === true) cannot("run check mode (--check): use one partition");
  if (config.trace !== undefined) cannot("write a trace (--trace) yet: use one partition");
}

export interface SimSummary extends RunSummary {
  profile: string;
  simTimeNs: number;
  /** The app's other measures at the last sample (e.g. held-out RMSE), when it reports any. */
  metrics: Record<string, number>;
  computeUnits: number;
  events: number;
  traceSha256: string;
}

export interface SimResult {
  summary: SimSummary;
  objectives: ObjectiveSample[];
  stalenessHistogram: Array<[number, number]>;
  /** Partitions on threads: where each thread's time went at windows' ends. */
  threadTimes?: ThreadTimes[];
}

function checkShape(config: SimConfig): void {
  const { workers, machines, servers, clocks } = config;
  const positive: Array<[string, number]> = [
    ["workers", workers],
    ["machines", machines],
    ["servers", servers],
  ];
  for (const [name, v] of positive) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(clocks) || clocks < 0)
    throw new RangeError(`clocks must be an integer ≥ 0, got ${clocks}`);
  if (machines > workers) {
    throw new RangeError(
      `${machines} machines for ${workers} workers: every machine needs at least one worker`,
    );
  }
}

export async function simulate(config: SimConfig): Promise<SimResult> {
  checkShape(config);
  checkPartitionable(config);
  const recorder = new TraceRecorder(config.trace, config.traceDetail ?? "full");
  const hostConfig = { ...hostConfigFor(config, config.app, recorder), progress: config.progress };
  const { profile, stragglers } = hostConfig;
  const staleness = hostConfig.tables[0]?.staleness ?? config.staleness;
  const placementKind = config.placement ?? "hash";
  const partitions = config.partitions ?? 1;
  recorder.record({
    k: "header",
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    host: "sim",
    app: config.app.name,
    seed: config.seed,
    workers: config.workers,
    machines: config.machines,
    servers: config.servers,
    consistency: config.consistency,
    staleness: stalenessToJson(staleness),
    clocks: config.clocks,
    workerMachine: [...workerMachines(config.workers, config.machines)],
    objectiveName: config.app.objectiveName,
    objectiveGoal: config.app.objectiveGoal,
    config: {
      profile: profile.name,
      stragglers: stragglers.spec,
      placement: placementKind,
      objectiveEvery: config.objectiveEvery ?? 1,
      shuffleTies: config.shuffleTies ?? null,
      cacheRows: config.cacheRows ?? null,
      checkMode: config.checkMode ?? false,
      traceDetail: config.traceDetail ?? "full",
      app: config.app.describe(),
      ...config.extraConfig,
    },
  });
  // Objective samples: every shard's settled rows at the sampled clocks, assembled here whichever thread
  // ran the shard; a sample is recorded when its last shard is in.
  const sampler = new ObjectiveSampler(config.app, hostConfig.tables, {
    objectiveEvery: hostConfig.objectiveEvery,
    clocks: config.clocks,
    shards: config.servers,
  });
  const recordSample = (s: ObjectiveSample | undefined) => {
    if (s !== undefined) recorder.record({ k: "obj", ...s });
  };
  recordSample(sampler.start());
  const onSnapshot = (shard: number, clock: number, tNs: number, rows: ModelRow[]) =>
    recordSample(sampler.add(shard, clock, tNs, rows));
  let result: HostResult;
  let partitionStreams: StreamDigests[] = [];
  let threadTimes: ThreadTimes[] | undefined;
  if (partitions === 1) {
    result = await new SimHost({ ...hostConfig, onSnapshot }).run();
  } else {
    lookaheadNs(profile);
    const outcomes =
      config.threads === undefined
        ? await runPartitionsByTurns({ ...hostConfig, onSnapshot }, partitions)
        : await runPartitionThreads(settingsOnly(config), config.threads, config.progress, onSnapshot);
    result = mergeResults(outcomes.map((o) => o.result));
    partitionStreams = outcomes.map((o) => o.streams);
    if (config.threads !== undefined) threadTimes = outcomes.map((o) => o.times!);
  }
  const { totals } = result;
  const busy = totals.computeNs + totals.waitNs + totals.commNs;
  const missing = sampler.missing();
  if (missing.length > 0)
    throw new Error(`objective samples never completed for clocks ${missing.join(", ")}`);
  const last = sampler.samples.at(-1);
  const summaryWithoutHash = {
    app: config.app.name,
    workers: config.workers,
    machines: config.machines,
    servers: config.servers,
    consistency: config.consistency,
    staleness: stalenessToJson(staleness),
    seed: config.seed,
    clocks: config.clocks,
    profile: profile.name,
    stragglers: stragglers.spec,
    simTimeNs: result.simTimeNs,
    clocksPerSecond: result.simTimeNs > 0 ? config.clocks / (result.simTimeNs / 1e9) : 0,
    computeFraction: busy > 0 ? totals.computeNs / busy : 0,
    waitFraction: busy > 0 ? totals.waitNs / busy : 0,
    commFraction: busy > 0 ? totals.commNs / busy : 0,
    stalenessP50: result.staleness.percentile(0.5),
    stalenessP99: result.staleness.percentile(0.99),
    reads: result.staleness.total,
    objectiveName: config.app.objectiveName,
    objective: last === undefined ? Number.NaN : last.value,
    metrics: last?.metrics ?? {},
    computeUnits: totals.computeUnits,
    messages: result.messages,
    bytes: result.bytes,
    events: result.events,
  };
  recorder.record({ k: "end", t: result.simTimeNs, summary: summaryWithoutHash });
  const traceSha256 = recorder.digest(partitionStreams);
  const summary: SimSummary = { ...summaryWithoutHash, traceSha256 };
  return {
    summary,
    objectives: sampler.samples,
    stalenessHistogram: result.staleness.entries(),
    ...(threadTimes === undefined ? {} : { threadTimes }),
  };
}

/** The settings alone, without what cannot leave this thread (the app, sinks, callbacks). */
function settingsOnly(config: SimConfig): SimSettings {
  const {
    app: _app,
    trace: _t,
    traceDetail: _d,
    progress: _p,
    extraConfig: _e,
    threads: _th,
    ...settings
  } = config;
  return settings;
}
