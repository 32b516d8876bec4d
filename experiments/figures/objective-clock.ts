// Objective against clock, one line per consistency model (median over seeds, min–max band): how much each
// clock of work is worth under each model, whatever it cost in time.

import type { RunResult } from "../sweep/results.ts";
import { summariseByClock } from "./curves.ts";
import { shortObjectiveName } from "./format.ts";
import { byModel, checkOneSetting, distinctTargets, resolveTargets } from "./groups.ts";
import { lineChart } from "./line-chart.ts";
import { DEFAULT_HEIGHT_PX, DEFAULT_WIDTH_PX, type FigureOptions } from "./options.ts";

export function objectiveVsClockFigure(runs: RunResult[], options: FigureOptions = {}): string {
  checkOneSetting(runs, "objective vs clock");
  const objective = shortObjectiveName(runs[0].summary.objectiveName);
  const series = byModel(runs).map((m) => {
    const clocks = summariseByClock(m.runs);
    return {
      label: m.model,
      style: m.style,
      median: clocks.map((c) => [c.clock, c.medianValue] as [number, number]),
      seeds: [],
      band:
        m.runs.length > 1
          ? clocks.map((c) => [c.clock, c.minValue, c.maxValue] as [number, number, number])
          : [],
    };
  });
  return lineChart({
    title: options.title ?? `${objective} vs clock`,
    description: `Objective (${runs[0].summary.objectiveName}) after each clock for each consistency model: median over seeds, shaded from the lowest to the highest seed.`,
    xLabel: "clock",
    yLabel: objective,
    series,
    targets: distinctTargets(resolveTargets(runs, options.target)),
    goal: runs[0].objectiveGoal,
    width: options.width ?? DEFAULT_WIDTH_PX,
    height: options.height ?? DEFAULT_HEIGHT_PX,
    xFormat: (v) => (Number.isInteger(v) ? String(v) : ""),
  });
}
