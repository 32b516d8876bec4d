// A job as every process of it sees it: the coordinator hands this out at bootstrap, so servers and workers
// build the same tables, the same placement and the same worker→process map.

import type { AppInstance } from "../apps/api.ts";
import { makePlacement, type Placement } from "../core/placement.ts";
import { type Consistency, defineTable, type TableSpec } from "../core/tables.ts";
import { objectiveDue, stalenessFromJson } from "../core/trace-format.ts";
import { findApp } from "./apps.ts";
import type { WireSchema } from "./codec.ts";

export interface JobConfig {
  app: string;
  appOptions: Record<string, string>;
  /** Logical workers. */
  workers: number;
  workerProcesses: number;
  /** Server processes. */
  servers: number;
  shardsPerServer: number;
  consistency: Consistency;
  /** null stands for ∞. */
  staleness: number | null;
  clocks: number;
  seed: number;
  maxFrameBytes: number;
  /** Straggler spec in the simulator's syntax (sim/stragglers.ts), "none" for none. */
  stragglers: string;
  /** Check mode: workers trace every increment and the values every read returned, for the SSP checker. */
  checkMode: boolean;
  /**
   * Objective samples on the consistent model every K shard clocks (and at the last), as `ssp sim` takes
   * them; 0 = only on the final model. Servers need it: they snapshot their shards at those clocks.
   */
  objectiveEvery: number;
}

/** Whether the objective is sampled at this clock (the simulator's rule: every K-th, and the last). */
export function wantsObjective(job: JobConfig, clock: number): boolean {
  return objectiveDue(clock, job.objectiveEvery, job.clocks);
}

/** The job's app, built the same way in every process. */
export function createApp(job: JobConfig): AppInstance {
  return findApp(job.app).create(job.appOptions, {
    workers: job.workers,
    seed: job.seed,
    clocks: job.clocks,
  });
}

export function numShards(job: JobConfig): number {
  return job.servers * job.shardsPerServer;
}

export function serverOfShard(job: JobConfig, shard: number): number {
  return Math.floor(shard / job.shardsPerServer);
}

/** Worker ranks in contiguous blocks, as the simulator places them on machines: w on floor(w·M/P). */
export function processOfWorker(job: JobConfig, worker: number): number {
  return Math.floor((worker * job.workerProcesses) / job.workers);
}

export function workersOfProcess(job: JobConfig, proc: number): number[] {
  const out: number[] = [];
  for (let w = 0; w < job.workers; w++) if (processOfWorker(job, w) === proc) out.push(w);
  return out;
}

export function jobTables(app: AppInstance, job: JobConfig): TableSpec[] {
  const staleness = stalenessFromJson(job.staleness);
  return app.tables().map((shape) =>
    defineTable({
      ...shape,
      consistency: job.consistency,
      staleness: Number.isFinite(staleness) ? staleness : undefined,
    }),
  );
}

export function jobPlacement(job: JobConfig): Placement {
  return makePlacement("hash", numShards(job));
}

export function jobSchema(job: JobConfig, tables: readonly TableSpec[]): WireSchema {
  return {
    tables: new Map(tables.map((t) => [t.id, t])),
    numClients: job.workerProcesses,
    numShards: numShards(job),
    maxFrameBytes: job.maxFrameBytes,
  };
}

/** Checks a job config received from the network or built from flags; errors name the field. */
export function checkJob(value: unknown): JobConfig {
  if (typeof value !== "object" || value === null) throw new Error("job config must be an object");
  const job = value as JobConfig;
  const positive = [
    "workers",
    "workerProcesses",
    "servers",
    "shardsPerServer",
    "clocks",
    "maxFrameBytes",
  ] as const;
  for (const field of positive) {
    if (!Number.isInteger(job[field]) || job[field] < 1) {
      throw new Error(`job config: ${field} must be a positive integer, got ${JSON.stringify(job[field])}`);
    }
  }
  if (job.workerProcesses > job.workers) {
    throw new Error(
      `job config: ${job.workerProcesses} worker processes for ${job.workers} workers leaves some empty`,
    );
  }
  if (typeof job.app !== "string") throw new Error("job config: app must be a name");
  if (!["bsp", "ssp", "async", "essp"].includes(job.consistency)) {
    throw new Error(
      `job config: consistency must be bsp, ssp, async or essp, got ${JSON.stringify(job.consistency)}`,
    );
  }
  if (job.staleness !== null && (!Number.isInteger(job.staleness) || job.staleness < 0)) {
    throw new Error(`job config: staleness must be a non-negative integer or null (∞), got ${job.staleness}`);
  }
  if (!Number.isInteger(job.seed)) throw new Error("job config: seed must be an integer");
  if (typeof job.stragglers !== "string") throw new Error("job config: stragglers must be a spec string");
  if (typeof job.checkMode !== "boolean") throw new Error("job config: checkMode must be true or false");
  if (!Number.isInteger(job.objectiveEvery) || job.objectiveEvery < 0) {
    throw new Error(
      `job config: objectiveEvery must be a non-negative integer (0 = final objective only), got ${JSON.stringify(job.objectiveEvery)}`,
    );
  }
  return job;
}
