// The line chart both objective figures use: per model a bold median line, optionally thin per-seed lines
// or a min–max band, a dashed target line, a legend beside the plot (never over the data).

import { area, extent, line, scaleLinear, scaleLog } from "d3";
import type { ModelStyle } from "./palette.ts";
import {
  bottomAxis,
  type ContinuousScale,
  el,
  emptyNote,
  fnv1a,
  LEGEND_ROW_PX,
  type LegendEntry,
  leftAxis,
  legend,
  legendWidth,
  MUTED_INK,
  makeFrame,
  svgDocument,
  text,
} from "./svg.ts";

export type Point = [x: number, y: number];

export interface LineSeries {
  label: string;
  style: ModelStyle;
  /** The line drawn bold: the median over seeds. */
  median: Point[];
  /** Thin lines drawn underneath, one per seed (empty with one seed). */
  seeds: Point[][];
  /** A shaded min–max range: [x, low, high]. */
  band?: Array<[number, number, number]>;
}

export interface LineChartSpec {
  title: string;
  description: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Target objective values drawn as dashed reference lines (one per distinct per-seed target). */
  targets: number[];
  /** Which way is better: values worse than every run's starting point are clipped off the plot. */
  goal: "minimize" | "maximize";
  width: number;
  height: number;
  xFormat?: (value: number) => string;
}

const finitePoint = (p: Point) => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/**
 * A log y axis when the values are all positive and span more than a decade and a half: objectives that fall
 * by orders of magnitude are unreadable on a linear one.
 */
function yScaleFor(lo: number, hi: number, range: [number, number]): ContinuousScale {
  if (lo > 0 && hi / lo > 30) return scaleLog().domain([lo, hi]).range(range).nice();
  if (lo === hi)
    return scaleLinear()
      .domain([lo - 1, hi + 1])
      .range(range)
      .nice();
  return scaleLinear().domain([lo, hi]).range(range).nice();
}

/**
 * The y range to show: everything, unless some run diverged far beyond the worst starting objective; then
 * the axis stops a little past that start and the divergent stretch leaves the plot (clipped and named).
 */
function yRange(
  ys: number[],
  starts: number[],
  goal: "minimize" | "maximize",
): { lo: number; hi: number; clipped: boolean } {
  const [lo, hi] = extent(ys) as [number, number];
  if (starts.length === 0) return { lo, hi, clipped: false };
  const worstStart = goal === "minimize" ? Math.max(...starts) : Math.min(...starts);
  const span = Math.max(Math.abs(worstStart) * 1e-9, goal === "minimize" ? worstStart - lo : hi - worstStart);
  const limit = goal === "minimize" ? worstStart + 0.15 * span : worstStart - 0.15 * span;
  if (goal === "minimize" && hi > worstStart + 0.3 * span) return { lo, hi: limit, clipped: true };
  if (goal === "maximize" && lo < worstStart - 0.3 * span) return { lo: limit, hi, clipped: true };
  return { lo, hi, clipped: false };
}

export function lineChart(spec: LineChartSpec): string {
  const entries: LegendEntry[] = spec.series.map((s) => ({
    label: s.label,
    color: s.style.color,
    dash: s.style.dash,
    swatch: "line",
  }));
  const targets = spec.targets.filter(Number.isFinite);
  if (targets.length > 0) {
    entries.push({
      label: targets.length > 1 ? "target (per seed)" : "target",
      color: MUTED_INK,
      dash: "2 3",
      swatch: "line",
    });
  }
  const margin = { top: 34, right: legendWidth(entries) + 24, bottom: 48, left: 70 };
  const points = spec.series.flatMap((s) => [
    ...s.median,
    ...s.seeds.flat(),
    ...(s.band ?? []).flatMap(([x, lo, hi]) => [[x, lo] as Point, [x, hi] as Point]),
  ]);
  const finite = points.filter(finitePoint);
  if (finite.length === 0) {
    const frame = makeFrame(spec.width, spec.height, margin);
    return svgDocument(frame, spec.title, spec.description, [
      emptyNote(frame, "no objective samples to draw"),
    ]);
  }
  const ys = finite.map((p) => p[1]);
  ys.push(...targets);
  const starts = spec.series
    .flatMap((s) => [s.median[0], ...s.seeds.map((seed) => seed[0])])
    .filter((p): p is Point => p !== undefined && finitePoint(p));
  const shown = yRange(
    ys,
    starts.map((p) => p[1]),
    spec.goal,
  );
  // The y domain does not depend on the pixel range, so the off-scale list (which sizes the legend column,
  // and so the figure) can be worked out before the frame.
  const [yLo, yHi] = yScaleFor(shown.lo, shown.hi, [1, 0]).domain();
  const offScale = shown.clipped
    ? spec.series
        .filter((s) =>
          [
            ...s.median,
            ...s.seeds.flat(),
            ...(s.band ?? []).flatMap(([x, lo, hi]) => [[x, lo] as Point, [x, hi] as Point]),
          ].some((p) => finitePoint(p) && (p[1] > yHi || p[1] < yLo)),
        )
        .map((s) => s.label)
    : [];
  const legendRows = entries.length + (offScale.length > 0 ? offScale.length + 1.6 : 0);
  const height = Math.max(spec.height, margin.top + margin.bottom + legendRows * LEGEND_ROW_PX + 8);
  const frame = makeFrame(spec.width, height, margin);
  const y = yScaleFor(shown.lo, shown.hi, [frame.innerHeight, 0]);
  const [x0, x1] = extent(finite, (p) => p[0]) as [number, number];
  const x = scaleLinear()
    .domain([Math.min(0, x0), x1 > x0 ? x1 : x0 + 1])
    .range([0, frame.innerWidth]);
  const clip = `clip-${fnv1a(`${spec.title}|${JSON.stringify(spec.series.map((s) => s.median))}`)}`;
  // Log scales cannot take values ≤ 0; those points are left out of the path rather than drawn at -∞.
  const drawable = (p: Point) => finitePoint(p) && Number.isFinite(y(p[1]));
  const path = line<Point>()
    .defined(drawable)
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  const band = area<[number, number, number]>()
    .defined((b) => Number.isFinite(y(b[1])) && Number.isFinite(y(b[2])))
    .x((b) => x(b[0]))
    .y0((b) => y(b[1]))
    .y1((b) => y(b[2]));

  const body: string[] = [
    leftAxis(y, frame, { label: spec.yLabel, grid: true }),
    bottomAxis(x, frame, { label: spec.xLabel, format: spec.xFormat }),
  ];
  for (const target of targets) {
    if (!Number.isFinite(y(target))) continue;
    body.push(
      el("line", {
        class: "target",
        x1: 0,
        x2: frame.innerWidth,
        y1: y(target),
        y2: y(target),
        stroke: MUTED_INK,
        "stroke-dasharray": "2 3",
      }),
    );
  }
  for (const s of spec.series) {
    const parts: string[] = [];
    if (s.band && s.band.length > 1) {
      parts.push(
        el("path", { d: band(s.band) ?? "", fill: s.style.color, "fill-opacity": 0.13, stroke: "none" }),
      );
    }
    for (const seed of s.seeds) {
      parts.push(
        el("path", {
          d: path(seed) ?? "",
          fill: "none",
          stroke: s.style.color,
          "stroke-width": 0.9,
          "stroke-opacity": 0.35,
          "stroke-dasharray": s.style.dash,
        }),
      );
    }
    parts.push(
      el("path", {
        class: "median",
        d: path(s.median) ?? "",
        fill: "none",
        stroke: s.style.color,
        "stroke-width": 2,
        "stroke-linejoin": "round",
        "stroke-dasharray": s.style.dash,
      }),
    );
    body.push(
      el(
        "g",
        {
          class: "series",
          "data-model": s.label,
          "clip-path": offScale.length > 0 ? `url(#${clip})` : undefined,
        },
        parts,
      ),
    );
  }
  body.push(legend(entries, frame.innerWidth + 18, 0));
  if (offScale.length > 0) {
    body.unshift(
      el(
        "clipPath",
        { id: clip },
        el("rect", { x: -2, y: -2, width: frame.innerWidth + 4, height: frame.innerHeight + 4 }),
      ),
    );
    const top = (entries.length + 0.6) * LEGEND_ROW_PX;
    body.push(
      text(frame.innerWidth + 18, top + 9, `${spec.goal === "minimize" ? "above" : "below"} the axis:`, {
        fill: MUTED_INK,
        "font-size": 11,
        class: "off-scale",
      }),
    );
    offScale.forEach((label, i) => {
      body.push(
        text(frame.innerWidth + 18, top + 9 + (i + 1) * 14, label, {
          fill: MUTED_INK,
          "font-size": 11,
          class: "off-scale",
        }),
      );
    });
  }
  return svgDocument(frame, spec.title, spec.description, body);
}
