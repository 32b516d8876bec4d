// The paper's main figure: objective against simulated time, one line per consistency model (median over
// seeds, each seed as a thin line underneath).

import type { RunResult } from "../sweep/results.ts";
import { summariseByClock } from "./curves.ts";
import { shortObjectiveName, timeUnitFor } from "./format.ts";
import { byModel, checkOneSetting, distinctTargets, resolveTargets } from "./groups.ts";
import { lineChart } from "./line-chart.ts";
import { DEFAULT_HEIGHT_PX, DEFAULT_WIDTH_PX, type FigureOptions } from "./options.ts";

export function objectiveVsTimeFigure(runs: RunResult[], options: FigureOptions = {}): string {
  checkOneSetting(runs, "objective vs time");
  const maxT = Math.max(0, ...runs.flatMap((r) => r.curve.map((p) => p.t)));
  const unit = timeUnitFor(maxT);
  const objective = shortObjectiveName(runs[0].summary.objectiveName);
  const series = byModel(runs).map((m) => ({
    label: m.model,
    style: m.style,
    median: summariseByClock(m.runs).map((c) => [c.medianT / unit.ns, c.medianValue] as [number, number]),
    seeds:
      m.runs.length > 1
        ? m.runs.map((r) => r.curve.map((p) => [p.t / unit.ns, p.value] as [number, number]))
        : [],
  }));
  return lineChart({
    title: options.title ?? `${objective} vs simulated time`,
    description: `Objective (${runs[0].summary.objectiveName}) against simulated time for each consistency model: median over seeds in bold, each seed as a thin line.`,
    xLabel: `simulated time (${unit.symbol})`,
    yLabel: objective,
    series,
    targets: distinctTargets(resolveTargets(runs, options.target)),
    goal: runs[0].objectiveGoal,
    width: options.width ?? DEFAULT_WIDTH_PX,
    height: options.height ?? DEFAULT_HEIGHT_PX,
  });
}
