// Every figure of one setting, in the report's order, with a file name and a caption: what the report
// inlines and what writeReport saves as SVG files.

import type { RunResult } from "../sweep/results.ts";
import type { SeedTargets } from "./groups.ts";
import { objectiveVsClockFigure } from "./objective-clock.ts";
import { objectiveVsTimeFigure } from "./objective-time.ts";
import { stalenessFigure } from "./staleness.ts";
import { timeBreakdownFigure } from "./time-breakdown.ts";
import { timeToTargetFigure } from "./time-to-target.ts";
import { tradeoffFigure } from "./tradeoff.ts";

export interface Figure {
  /** A file name without extension, e.g. "objective-vs-time". */
  name: string;
  caption: string;
  svg: string;
}

export function settingFigures(runs: RunResult[], target: SeedTargets | number | undefined): Figure[] {
  return [
    {
      name: "objective-vs-time",
      caption:
        "The paper's main comparison: objective against simulated time. Bold: median over seeds; thin: each seed.",
      svg: objectiveVsTimeFigure(runs, { target }),
    },
    {
      name: "time-to-target",
      caption: "Time to the target: dot = median, whisker = fastest to slowest seed, rings = seeds.",
      svg: timeToTargetFigure(runs, { target }),
    },
    {
      name: "objective-vs-clock",
      caption:
        "Objective per clock, whatever the clock cost: staleness lowers progress per clock. Band: min–max over seeds.",
      svg: objectiveVsClockFigure(runs, { target }),
    },
    {
      name: "tradeoff",
      caption:
        "More staleness: more clocks per second but less progress per clock, both measured up to the target. Their product is what matters: dotted curves mark equal progress per second with BSP and with the fastest model.",
      svg: tradeoffFigure(runs, { target }),
    },
    {
      name: "time-breakdown",
      caption: "A worker's time: compute, waiting at the staleness gate, communication (mean over seeds).",
      svg: timeBreakdownFigure(runs),
    },
    {
      name: "staleness",
      caption: "How stale reads really were: share of reads by observed staleness, seeds pooled.",
      svg: stalenessFigure(runs),
    },
  ];
}
