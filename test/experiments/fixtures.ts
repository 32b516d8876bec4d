// RunResult fixtures for the figure and report tests: real ones from the simulator (small MF runs), and
// synthetic ones with hand-made curves whose times to target are known exactly.

import { createHash } from "node:crypto";
import { mfApp } from "../../apps/mf.ts";
import {
  type CurvePoint,
  modelLabel,
  type RunConfig,
  type RunResult,
} from "../../experiments/sweep/results.ts";
import { type SimSummary, simulate } from "../../sim/simulate.ts";

export type Model = Pick<RunConfig, "consistency" | "staleness">;

export const MODELS: Model[] = [
  { consistency: "bsp", staleness: 0 },
  { consistency: "ssp", staleness: 1 },
  { consistency: "ssp", staleness: 3 },
  { consistency: "essp", staleness: 2 },
  { consistency: "async", staleness: null },
];

export interface Shape {
  workers: number;
  machines: number;
  servers: number;
  clocks: number;
  profile: string;
  stragglers: string;
  appOptions: Record<string, string>;
}

export const SMALL: Shape = {
  workers: 8,
  machines: 4,
  servers: 2,
  clocks: 20,
  profile: "paper-2013",
  stragglers: "pareto:alpha=1.5",
  // Big enough steps that every model but async reaches the automatic target within 20 clocks.
  appOptions: { users: "120", items: "120", init: "0.5", step: "0.05", minibatch: "0.3" },
};

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function runIdentity(config: RunConfig): Pick<RunResult, "hash" | "setting" | "settingLabel" | "model"> {
  const { consistency, staleness, seed, ...rest } = config;
  return {
    hash: sha256(JSON.stringify(config)),
    setting: sha256(JSON.stringify(rest)),
    settingLabel: `${config.app} · ${config.workers} workers · ${config.profile} · ${config.stragglers}`,
    model: modelLabel(consistency, staleness),
  };
}

export function configFor(shape: Shape, model: Model, seed: number): RunConfig {
  return {
    app: "mf",
    appOptions: shape.appOptions,
    workers: shape.workers,
    machines: shape.machines,
    servers: shape.servers,
    consistency: model.consistency,
    staleness: model.staleness,
    clocks: shape.clocks,
    seed,
    profile: shape.profile,
    stragglers: shape.stragglers,
    objectiveEvery: 1,
  };
}

/** Real runs: MF through the simulator, one per (model, seed). */
export async function simulatedRuns(shape: Shape, models: Model[], seeds: number[]): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const model of models) {
    for (const seed of seeds) {
      const config = configFor(shape, model, seed);
      const app = mfApp.create(shape.appOptions, { workers: shape.workers, seed, clocks: shape.clocks });
      const sim = await simulate({
        app,
        workers: shape.workers,
        machines: shape.machines,
        servers: shape.servers,
        consistency: model.consistency,
        staleness: model.staleness ?? Number.POSITIVE_INFINITY,
        clocks: shape.clocks,
        seed,
        profile: shape.profile,
        stragglers: shape.stragglers,
      });
      results.push({
        ...runIdentity(config),
        config,
        summary: sim.summary,
        objectiveGoal: app.objectiveGoal,
        curve: sim.objectives,
        stalenessHistogram: sim.stalenessHistogram,
        wall_clock_seconds: 0,
      });
    }
  }
  return results;
}

/**
 * A synthetic run whose objective falls linearly from 1 to `final` over `clocks` clocks, one clock every
 * `clockNs`: it reaches a target v ≥ final at exactly clockNs · clocks · (1 − v) / (1 − final).
 */
export function syntheticRun(
  model: Model,
  seed: number,
  clockNs: number,
  final: number,
  clocks = 10,
): RunResult {
  const shape = { ...SMALL, clocks };
  const config = configFor(shape, model, seed);
  const curve: CurvePoint[] = [];
  for (let c = 0; c <= clocks; c++)
    curve.push({ clock: c, t: c * clockNs, value: 1 - ((1 - final) * c) / clocks });
  const s = model.staleness ?? 0;
  const summary: SimSummary = {
    app: "mf",
    workers: shape.workers,
    machines: shape.machines,
    servers: shape.servers,
    consistency: model.consistency,
    staleness: model.staleness,
    seed,
    clocks,
    profile: shape.profile,
    stragglers: shape.stragglers,
    simTimeNs: clocks * clockNs,
    clocksPerSecond: clocks / ((clocks * clockNs) / 1e9),
    computeFraction: 0.5,
    waitFraction: model.consistency === "bsp" ? 0.3 : 0.1,
    commFraction: model.consistency === "bsp" ? 0.2 : 0.4,
    stalenessP50: s / 2,
    stalenessP99: s,
    reads: 100,
    objectiveName: "training loss (synthetic)",
    objective: final,
    messages: 10,
    bytes: 1000,
    events: 100,
    metrics: {},
    computeUnits: 1000,
    traceSha256: sha256(`${seed}/${model.consistency}/${model.staleness}`),
  };
  const histogram: Array<[number, number]> = [];
  for (let k = 0; k <= Math.min(s, 6); k++) histogram.push([k, 100 - 10 * k]);
  return {
    ...runIdentity(config),
    config,
    summary,
    objectiveGoal: "minimize",
    curve,
    stalenessHistogram: histogram,
    wall_clock_seconds: 0,
  };
}
