// Per-model objective curves summarised over seeds, sample by sample (seeds of one setting sample the
// objective at the same clocks).

import { median, type RunResult } from "../sweep/results.ts";

export interface ClockSummary {
  clock: number;
  /** Median over seeds of the simulated time (ns) at which the sample was taken. */
  medianT: number;
  medianValue: number;
  minValue: number;
  maxValue: number;
}

export function summariseByClock(runs: RunResult[]): ClockSummary[] {
  const byClock = new Map<number, { ts: number[]; values: number[] }>();
  for (const run of runs) {
    for (const p of run.curve) {
      if (!Number.isFinite(p.value)) continue;
      let entry = byClock.get(p.clock);
      if (!entry) {
        entry = { ts: [], values: [] };
        byClock.set(p.clock, entry);
      }
      entry.ts.push(p.t);
      entry.values.push(p.value);
    }
  }
  return [...byClock.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([clock, { ts, values }]) => ({
      clock,
      medianT: median(ts),
      medianValue: median(values),
      minValue: Math.min(...values),
      maxValue: Math.max(...values),
    }));
}
