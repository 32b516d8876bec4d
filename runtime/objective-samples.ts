// The coordinator's objective curve: servers send each shard's settled rows at the sampled clocks (see
// ServerHost.sendSample), and the coordinator assembles them with the sampler both hosts share
// (apps/objective-sampler.ts). Here: how much of that a server lets queue.

import { performance } from "node:perf_hooks";
import type { AppInstance } from "../apps/api.ts";
import { ObjectiveSampler } from "../apps/objective-sampler.ts";
import type { TableSpec } from "../core/tables.ts";
import { type JobConfig, numShards } from "./job.ts";

export type { ModelRow, ObjectiveSample } from "../apps/objective-sampler.ts";
export { ObjectiveSampler };

/**
 * Snapshot bytes a server lets queue toward the coordinator before it stops reading from workers until they
 * drain: the coordinator evaluates the objective between reads, and without a bound a big model sampled
 * every clock would pile up in the server. Past it, training waits for the samples (memory stays bounded).
 */
export const SAMPLE_BACKLOG_BYTES = 64 * 1024 * 1024;

/** The backlog limit: SAMPLE_BACKLOG_BYTES, or `SSP_SAMPLE_BACKLOG_BYTES` (bytes) from the environment. */
export function sampleBacklogBytes(env: Record<string, string | undefined> = process.env): number {
  const text = env.SSP_SAMPLE_BACKLOG_BYTES;
  if (text === undefined || text === "") return SAMPLE_BACKLOG_BYTES;
  const bytes = Number(text);
  if (!Number.isInteger(bytes) || bytes < 1) {
    throw new RangeError(`SSP_SAMPLE_BACKLOG_BYTES must be a positive whole number of bytes, got "${text}"`);
  }
  return bytes;
}

/** The job's sampler: its sampled clocks and shards, and a word in the log when an evaluation is slow. */
export function jobSampler(
  app: AppInstance,
  tables: readonly TableSpec[],
  job: JobConfig,
  log: (line: string) => void = () => {},
): ObjectiveSampler {
  const plan = { objectiveEvery: job.objectiveEvery, clocks: job.clocks, shards: numShards(job) };
  const hint = `samples wait behind it (servers pause workers past ${SAMPLE_BACKLOG_BYTES / 2 ** 20} MiB queued)`;
  const say = (line: string) => log(`coordinator: ${line}; ${hint}`);
  return new ObjectiveSampler(app, tables, plan, say, () => performance.now());
}
