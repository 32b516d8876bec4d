// A runtime run from the same settings a simulated run takes (app, workers, machines, servers, model, clocks,
// seed, stragglers), so a sweep can run its grid on either host. Machines map to worker processes (workers in
// contiguous blocks, as in the simulator) and servers to server processes.

import type { Consistency } from "../core/tables.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "./codec.ts";
import type { JobResult } from "./coordinator.ts";
import type { JobConfig } from "./job.ts";
import { launch } from "./launcher.ts";

export interface RuntimeRunConfig {
  app: string;
  appOptions: Record<string, string>;
  workers: number;
  machines: number;
  servers: number;
  consistency: Consistency;
  /** Used by ssp and essp; Infinity or null for unbounded. */
  staleness: number | null;
  clocks: number;
  seed: number;
  stragglers?: string;
  /** Clocks between objective samples (and clock 0 and the last), as the simulator's; 0 = final only. */
  objectiveEvery: number;
  /** The ssp binary the children run (dist/ssp.js). */
  bin: string;
  tracePath?: string;
  log?: (line: string) => void;
}

export async function runOnRuntime(config: RuntimeRunConfig): Promise<JobResult> {
  const staleness =
    config.consistency === "bsp"
      ? 0
      : config.consistency === "async" ||
          config.staleness === null ||
          config.staleness === Number.POSITIVE_INFINITY
        ? null
        : config.staleness;
  const job: JobConfig = {
    app: config.app,
    appOptions: config.appOptions,
    workers: config.workers,
    workerProcesses: Math.min(config.machines, config.workers),
    servers: config.servers,
    shardsPerServer: 1,
    consistency: config.consistency,
    staleness,
    clocks: config.clocks,
    seed: config.seed,
    maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
    stragglers: config.stragglers ?? "none",
    checkMode: false,
    objectiveEvery: config.objectiveEvery,
  };
  return launch({
    job,
    bin: config.bin,
    host: "127.0.0.1",
    bootstrapTimeoutMs: 30_000,
    tracePath: config.tracePath ?? null,
    log: config.log ?? (() => {}),
  });
}
