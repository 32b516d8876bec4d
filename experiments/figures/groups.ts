// Grouping runs for figures and tables: by setting, then by consistency model (in reading order), with the
// per-model time-to-target statistics that the time-to-target figure and the report's table share.

import {
  median,
  modelOrder,
  type RunResult,
  sortResults,
  targetsBySeed,
  timeToTarget,
} from "../sweep/results.ts";
import { type ModelStyle, modelStyle } from "./palette.ts";

export interface SettingRuns {
  setting: string;
  label: string;
  runs: RunResult[];
}

export interface ModelRuns {
  model: string;
  style: ModelStyle;
  /** The model's runs, one per seed, by seed. */
  runs: RunResult[];
}

/** Settings in a stable order (by label), each with its runs sorted by model then seed. */
export function bySetting(results: RunResult[]): SettingRuns[] {
  const groups = new Map<string, SettingRuns>();
  for (const run of sortResults(results)) {
    let group = groups.get(run.setting);
    if (!group) {
      group = { setting: run.setting, label: run.settingLabel, runs: [] };
      groups.set(run.setting, group);
    }
    group.runs.push(run);
  }
  return [...groups.values()];
}

/** Models in reading order (BSP, SSP by s, ESSP by s, async). */
export function byModel(runs: RunResult[]): ModelRuns[] {
  const groups = new Map<string, ModelRuns>();
  for (const run of sortResults(runs)) {
    let group = groups.get(run.model);
    if (!group) {
      group = { model: run.model, style: modelStyle(run.config), runs: [] };
      groups.set(run.model, group);
    }
    group.runs.push(run);
  }
  return [...groups.values()].sort((a, b) => modelOrder(a.runs[0].config) - modelOrder(b.runs[0].config));
}

/** Figures compare models within one setting; mixing settings would silently compare unlike runs. */
export function checkOneSetting(runs: RunResult[], figure: string): void {
  if (runs.length === 0) throw new RangeError(`${figure}: no runs to draw`);
  const settings = new Map(runs.map((r) => [r.setting, r.settingLabel]));
  if (settings.size > 1) {
    throw new RangeError(
      `${figure} draws one setting, got ${settings.size} (${[...settings.values()].join("; ")}): group the runs with bySetting() first`,
    );
  }
}

/** Target objective by seed: the one given for the setting (every seed alike), else each seed's autoTarget. */
export type SeedTargets = Map<number, number>;

/** The user's target for the setting when given, else per seed (a seed may change the data). */
export function settingTargets(runs: RunResult[], targets?: Record<string, number>): SeedTargets {
  const given = targets?.[runs[0].setting];
  return targetsBySeed(runs, given !== undefined && Number.isFinite(given) ? given : undefined);
}

/** A figure's `target` option as targets by seed: one number for every seed, or autoTarget per seed. */
export function resolveTargets(runs: RunResult[], target: number | SeedTargets | undefined): SeedTargets {
  if (target instanceof Map) return target;
  return targetsBySeed(runs, target);
}

/** The distinct target values, in increasing order. */
export function distinctTargets(targets: SeedTargets): number[] {
  return [...new Set(targets.values())].sort((a, b) => a - b);
}

export interface SeedTime {
  seed: number;
  /** Simulated ns to the target; null when the run never reached it. */
  ns: number | null;
}

export interface TargetStats {
  model: string;
  style: ModelStyle;
  times: SeedTime[];
  reached: number;
  /**
   * Median over seeds with unreached seeds counted as slower than any reached one; null when that median
   * is itself "did not reach" (half or more of the seeds never got there).
   */
  medianNs: number | null;
  /** Over the seeds that reached the target; null when none did. */
  minNs: number | null;
  maxNs: number | null;
}

export function targetStats(model: ModelRuns, targets: SeedTargets): TargetStats {
  const times = model.runs.map((run) => {
    const target = targets.get(run.config.seed);
    return {
      seed: run.config.seed,
      ns: target === undefined ? null : timeToTarget(run.curve, target, run.objectiveGoal),
    };
  });
  const reachedNs = times.flatMap((t) => (t.ns === null ? [] : [t.ns]));
  const m = median(times.map((t) => t.ns ?? Number.POSITIVE_INFINITY));
  return {
    model: model.model,
    style: model.style,
    times,
    reached: reachedNs.length,
    medianNs: Number.isFinite(m) ? m : null,
    minNs: reachedNs.length > 0 ? Math.min(...reachedNs) : null,
    maxNs: reachedNs.length > 0 ? Math.max(...reachedNs) : null,
  };
}

/** Median over seeds of a per-run figure. */
export function medianOf(runs: RunResult[], get: (run: RunResult) => number): number {
  return median(runs.map(get).filter(Number.isFinite));
}
