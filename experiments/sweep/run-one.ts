// One run of a sweep: a RunConfig in, a RunResult out. Runs in a sweep's child process.

import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runOnRuntime } from "../../runtime/run-job.ts";
import { type SimSummary, simulate } from "../../sim/simulate.ts";
import { findApp } from "../app-registry.ts";
import { packageRoot } from "../package-root.ts";
import { TraceFileWriter } from "../trace-file.ts";
import { runHash, settingOf } from "./grid.ts";
import { modelLabel, type RunConfig, type RunResult } from "./results.ts";

export async function runOne(
  config: RunConfig,
  trace?: { absolutePath: string; relativePath: string },
): Promise<RunResult> {
  if (config.host === "runtime") return runOneOnRuntime(config, trace);
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
      // Sweeps keep traces for the report's timelines; reads and messages would make them tens of MB each.
      traceDetail: "timeline",
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

/** The same run on the TCP runtime: real processes on this machine, measured on the wall clock. */
async function runOneOnRuntime(
  config: RunConfig,
  trace?: { absolutePath: string; relativePath: string },
): Promise<RunResult> {
  const started = performance.now();
  const run = await runOnRuntime({
    app: config.app,
    appOptions: config.appOptions,
    workers: config.workers,
    machines: config.machines,
    servers: config.servers,
    consistency: config.consistency,
    staleness: config.staleness,
    clocks: config.clocks,
    seed: config.seed,
    stragglers: config.stragglers,
    objectiveEvery: config.objectiveEvery,
    bin: join(packageRoot(), "dist", "ssp.js"),
    tracePath: trace?.absolutePath,
  });
  const s = run.summary;
  const app = findApp(config.app).create(config.appOptions, {
    workers: config.workers,
    seed: config.seed,
    clocks: config.clocks,
  });
  const setting = settingOf(config);
  const summary: SimSummary = {
    app: s.app,
    workers: s.workers,
    machines: s.machines,
    servers: s.servers,
    consistency: config.consistency,
    staleness: s.staleness,
    seed: s.seed,
    clocks: s.clocks,
    profile: "runtime (this machine)",
    stragglers: s.stragglers,
    simTimeNs: s.wallTimeNs,
    clocksPerSecond: s.clocksPerSecond,
    computeFraction: s.computeFraction,
    waitFraction: s.waitFraction,
    commFraction: s.commFraction,
    stalenessP50: s.stalenessP50,
    stalenessP99: s.stalenessP99,
    reads: s.reads,
    objectiveName: s.objectiveName,
    objective: s.objective,
    metrics: run.objectives.at(-1)?.metrics ?? {},
    computeUnits: 0,
    messages: s.messages,
    bytes: s.bytes,
    events: 0,
    traceSha256: "",
  };
  return {
    hash: runHash(config),
    setting: setting.id,
    settingLabel: `runtime · ${setting.label}`,
    model: modelLabel(config.consistency, config.staleness),
    config,
    summary,
    objectiveGoal: app.objectiveGoal,
    curve: run.objectives,
    stalenessHistogram: [],
    trace: trace?.relativePath,
    wall_clock_seconds: (performance.now() - started) / 1000,
  };
}
