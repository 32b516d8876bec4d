// The numbers behind the report's table and recommendation: per model, time to target and speedup against
// a reference model (BSP, async), each over seeds, and which staleness to recommend.

import {
  byModel,
  type ModelRuns,
  type SeedTargets,
  type TargetStats,
  targetStats,
} from "../figures/groups.ts";
import type { RunConfig, RunResult } from "../sweep/results.ts";
import { median } from "../sweep/results.ts";

export interface Speedup {
  /** Median over seeds of (reference's time / model's time) on the same seed. */
  median: number;
  min: number;
  max: number;
  /** Seeds both models ran with, and where at least one of them reached the target. */
  seeds: number;
}

export type SpeedupCell =
  | { kind: "value"; speedup: Speedup }
  | { kind: "no-reference" }
  | { kind: "model-not-reached" }
  | { kind: "reference-not-reached" };

export interface ModelRow {
  model: string;
  config: Pick<RunConfig, "consistency" | "staleness">;
  stats: TargetStats;
  vsBsp: SpeedupCell;
  vsAsync: SpeedupCell;
  runs: RunResult[];
}

/**
 * Speedups pair runs by seed, so both sides saw the same data and the same straggler draws. A seed where
 * only the reference reached the target counts as 0 (the model is slower than any finite ratio says), one
 * where only the model reached it as ∞; seeds where neither did say nothing and are left out.
 */
export function speedup(model: TargetStats, reference: TargetStats | undefined): SpeedupCell {
  if (!reference) return { kind: "no-reference" };
  if (model.medianNs === null) return { kind: "model-not-reached" };
  if (reference.medianNs === null) return { kind: "reference-not-reached" };
  const referenceNs = new Map(reference.times.map((t) => [t.seed, t.ns]));
  const ratios: number[] = [];
  for (const { seed, ns } of model.times) {
    if (!referenceNs.has(seed)) continue;
    const refNs = referenceNs.get(seed) ?? null;
    if (ns === null && refNs === null) continue;
    if (ns === null) ratios.push(0);
    else if (refNs === null) ratios.push(Number.POSITIVE_INFINITY);
    else ratios.push(refNs / ns);
  }
  if (ratios.length === 0) {
    // No seed in common: compare the medians.
    const ratio = reference.medianNs / model.medianNs;
    return { kind: "value", speedup: { median: ratio, min: ratio, max: ratio, seeds: 0 } };
  }
  return {
    kind: "value",
    speedup: {
      median: median(ratios),
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      seeds: ratios.length,
    },
  };
}

function isBsp(m: ModelRuns): boolean {
  const c = m.runs[0].config;
  return c.consistency === "bsp" || (c.consistency === "ssp" && c.staleness === 0);
}

export function modelRows(runs: RunResult[], targets: SeedTargets): ModelRow[] {
  const models = byModel(runs);
  const stats = models.map((m) => targetStats(m, targets));
  const bspIndex = models.findIndex(isBsp);
  const asyncIndex = models.findIndex((m) => m.runs[0].config.consistency === "async");
  return models.map((m, i) => ({
    model: m.model,
    config: m.runs[0].config,
    stats: stats[i],
    vsBsp: speedup(stats[i], stats[bspIndex]),
    vsAsync: speedup(stats[i], stats[asyncIndex]),
    runs: m.runs,
  }));
}

/** Medians closer than this count as a tie: seeds and sampling make smaller differences noise. */
export const TIE_TOLERANCE = 0.01;

export interface Recommendation {
  /** The recommended model, or null when no model's median reached the target. */
  best: ModelRow | null;
  /** Other models within TIE_TOLERANCE of the best median. */
  tiedWith: ModelRow[];
}

/**
 * The model with the lowest median time to target. Among ties the one with the tightest staleness bound
 * wins (BSP, then smaller s, SSP before ESSP, async last): equally fast, fresher reads.
 */
export function recommend(rows: ModelRow[]): Recommendation {
  const reached = rows.filter((r) => r.stats.medianNs !== null);
  if (reached.length === 0) return { best: null, tiedWith: [] };
  const fastest = Math.min(...reached.map((r) => r.stats.medianNs!));
  const tied = reached.filter((r) => r.stats.medianNs! <= fastest * (1 + TIE_TOLERANCE));
  const bound = (r: ModelRow) =>
    r.config.consistency === "async" ? Number.POSITIVE_INFINITY : (r.config.staleness ?? 0);
  tied.sort((a, b) => bound(a) - bound(b) || rows.indexOf(a) - rows.indexOf(b));
  return { best: tied[0], tiedWith: tied.slice(1) };
}
