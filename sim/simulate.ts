// One simulated run, from a plain config to a summary: the simulator's programmatic entry point.

import type { AppInstance, TableShape } from "../apps/api.ts";
import { makePlacement, type PlacementKind } from "../core/placement.ts";
import { type Consistency, defineTable, type TableSpec } from "../core/tables.ts";
import {
  type RunSummary,
  stalenessToJson,
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceRecord,
} from "../core/trace-format.ts";
import { type ObjectiveSample, SimHost } from "./host.ts";
import { type HardwareProfile, resolveProfile } from "./profiles.ts";
import { makeStragglers } from "./stragglers.ts";
import { type TraceDetail, TraceRecorder } from "./trace-recorder.ts";

export interface SimConfig {
  app: AppInstance;
  workers: number;
  machines: number;
  servers: number;
  consistency: Consistency;
  /** Used by ssp and essp; bsp forces 0 and async ∞. */
  staleness: number;
  clocks: number;
  seed: number;
  /** Preset name or a HardwareProfile; default "paper-2013". */
  profile?: string | HardwareProfile;
  /** Straggler spec; default "none". */
  stragglers?: string;
  /** Clocks between objective samples; 0 turns them off. Default 1. */
  objectiveEvery?: number;
  placement?: PlacementKind;
  trace?: (record: TraceRecord) => void;
  /** What the trace sink gets (see TraceDetail); default "full". */
  traceDetail?: TraceDetail;
  shuffleTies?: number;
  /** Process-cache capacity per machine, in rows (default: no limit). */
  cacheRows?: number;
  checkMode?: boolean;
  progress?: (fraction: number) => void;
  /** Extra fields for the trace header's config (e.g. the app's options). */
  extraConfig?: Record<string, unknown>;
}

/** What `ssp sim --json` prints: the fields both hosts share, and the simulator's own. */
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
}

export function tablesFor(shapes: TableShape[], consistency: Consistency, staleness: number): TableSpec[] {
  return shapes.map((shape) => defineTable({ ...shape, consistency, staleness }));
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
  const profile =
    typeof config.profile === "object" ? config.profile : resolveProfile(config.profile ?? "paper-2013");
  const stragglers = makeStragglers(config.stragglers ?? "none", config.workers, config.seed);
  const tables = tablesFor(config.app.tables(), config.consistency, config.staleness);
  const staleness = tables[0]?.staleness ?? config.staleness;
  const recorder = new TraceRecorder(config.trace, config.traceDetail ?? "full");
  const placementKind = config.placement ?? "hash";
  const host = new SimHost({
    app: config.app,
    tables,
    workers: config.workers,
    machines: config.machines,
    servers: config.servers,
    clocks: config.clocks,
    seed: config.seed,
    profile,
    stragglers,
    placement: makePlacement(placementKind, config.servers),
    objectiveEvery: config.objectiveEvery ?? 1,
    recorder,
    checkMode: config.checkMode ?? false,
    shuffleTies: config.shuffleTies,
    cacheRows: config.cacheRows,
    progress: config.progress,
  });
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
    workerMachine: [...host.machineOfWorker],
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
  const result = await host.run();
  const { totals } = result;
  const busy = totals.computeNs + totals.waitNs + totals.commNs;
  const last = result.objectives.at(-1);
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
  const summary: SimSummary = { ...summaryWithoutHash, traceSha256: recorder.digest() };
  return { summary, objectives: result.objectives, stalenessHistogram: result.staleness.entries() };
}
