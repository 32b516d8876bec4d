// Where a worker's time goes under each consistency model: compute, waiting at the staleness gate, and
// communication, stacked to the run's simulated time (each fraction × simulated time, mean over seeds, so
// the parts add up to the mean run time).

import { mean, scaleLinear } from "d3";
import type { RunResult } from "../sweep/results.ts";
import { labelMargin, rowScale, rowsHeight } from "./bands.ts";
import { formatDuration, timeUnitFor } from "./format.ts";
import { byModel, checkOneSetting } from "./groups.ts";
import { DEFAULT_WIDTH_PX, type FigureOptions } from "./options.ts";
import { TIME_PART_COLORS } from "./palette.ts";
import {
  bottomAxis,
  el,
  INK,
  type LegendEntry,
  leftBandAxis,
  legend,
  legendWidth,
  makeFrame,
  svgDocument,
  text,
  textWidth,
} from "./svg.ts";

const PARTS = [
  { key: "compute", label: "compute", fraction: (r: RunResult) => r.summary.computeFraction },
  { key: "wait", label: "wait (staleness gate)", fraction: (r: RunResult) => r.summary.waitFraction },
  { key: "comm", label: "communication", fraction: (r: RunResult) => r.summary.commFraction },
] as const;

export interface TimeBreakdown {
  model: string;
  /** Mean over seeds, ns, in PARTS order. */
  partsNs: number[];
  totalNs: number;
}

export function timeBreakdown(runs: RunResult[]): TimeBreakdown[] {
  return byModel(runs).map((m) => {
    const partsNs = PARTS.map((part) => mean(m.runs, (r) => part.fraction(r) * r.summary.simTimeNs) ?? 0);
    return { model: m.model, partsNs, totalNs: partsNs.reduce((a, b) => a + b, 0) };
  });
}

export function timeBreakdownFigure(runs: RunResult[], options: FigureOptions = {}): string {
  checkOneSetting(runs, "time breakdown");
  const rows = timeBreakdown(runs);
  const labels = rows.map((r) => r.model);
  const entries: LegendEntry[] = PARTS.map((p) => ({
    label: p.label,
    color: TIME_PART_COLORS[p.key],
    swatch: "box",
  }));
  const maxNs = Math.max(1, ...rows.map((r) => r.totalNs));
  const unit = timeUnitFor(maxNs);
  // Room on the right of the longest bar for its total.
  const totalLabelPx = Math.max(...rows.map((r) => textWidth(formatDuration(r.totalNs)))) + 10;
  const frame = makeFrame(
    options.width ?? DEFAULT_WIDTH_PX,
    options.height ?? rowsHeight(rows.length, 34, 50),
    { top: 34, right: legendWidth(entries) + 24, bottom: 50, left: labelMargin(labels) },
  );
  const y = rowScale(labels, frame.innerHeight);
  const x = scaleLinear()
    .domain([0, maxNs / unit.ns])
    .range([0, frame.innerWidth - totalLabelPx])
    .nice();
  const body: string[] = [bottomAxis(x, frame, { label: `simulated time (${unit.symbol})`, grid: true })];
  for (const row of rows) {
    const top = y(row.model) ?? 0;
    let left = 0;
    const bars = row.partsNs.map((ns, i) => {
      const width = x(ns / unit.ns);
      const bar = el(
        "rect",
        { x: left, y: top, width, height: y.bandwidth(), fill: TIME_PART_COLORS[PARTS[i].key] },
        el("title", {}, `${row.model}: ${PARTS[i].label} ${formatDuration(ns)}`),
      );
      left += width;
      return bar;
    });
    bars.push(
      text(left + 6, top + y.bandwidth() / 2 + 4, formatDuration(row.totalNs), {
        fill: INK,
        "font-size": 11,
      }),
    );
    body.push(el("g", { class: "series", "data-model": row.model }, bars));
  }
  body.push(leftBandAxis(labels, (l) => (y(l) ?? 0) + y.bandwidth() / 2, frame));
  body.push(legend(entries, frame.innerWidth + 18, 0));
  return svgDocument(
    frame,
    options.title ?? "Where the time goes",
    "For each consistency model, a worker's simulated time split into compute, waiting at the staleness gate and communication (fractions of busy time × simulated run time, mean over seeds).",
    body,
  );
}
