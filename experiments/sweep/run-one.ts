// One run of a sweep: a RunConfig in, a RunResult out. Runs in a sweep's child process.

import { performance } from "node:perf_hooks";
import { simulate } from "../../sim/simulate.ts";
import { findApp } from "../app-registry.ts";
import { TraceFileWriter } from "../trace-file.ts";
import { runHash, settingOf } from "./grid.ts";
import { modelLabel, type RunConfig, type RunResult } from "./results.ts";

export async function runOne(
  config: RunConfig,
  trace?: { absolutePath: string; relativePath: string },
): Promise<RunResult> {
  const started = performance.now();
  const factory = findApp(config.app);
  const staleness = config.staleness ?? Number.POSITIVE_INFINITY;
  const app = factory.create(config.appOptions, {
    workers: config.workers,
    seed: config.seed,
    clocks: config.clocks,
  });
  const writer = trace === undefined ? undefined : new TraceFileWriter(trace.absolutePath);
  let result: Awaited<ReturnType<typeof simulate>>;
  try {
    result = await simulate({
      app,
      workers: config.workers,
      machines: config.machines,
      servers: config.servers,
      consistency: config.consistency,
      staleness,
      clocks: config.clocks,
      seed: config.seed,
      profile: config.profile,
      stragglers: config.stragglers,
      objectiveEvery: config.objectiveEvery,
      trace: writer?.write,
      extraConfig: { appOptions: config.appOptions },
    });
  } finally {
    writer?.close();
  }
  const setting = settingOf(config);
  return {
    hash: runHash(config),
    setting: setting.id,
    settingLabel: setting.label,
    model: modelLabel(config.consistency, config.staleness),
    config,
    summary: result.summary,
    objectiveGoal: app.objectiveGoal,
    curve: result.objectives,
    stalenessHistogram: result.stalenessHistogram,
    trace: trace?.relativePath,
    wall_clock_seconds: (performance.now() - started) / 1000,
  };
}
