// The trade-off the paper explains: more staleness buys more clocks per second (less waiting) but less
// progress per clock (staler reads). One point per model: x = clocks per simulated second, y = objective
// improvement per clock, both measured up to the target and taken as medians over seeds. Their product is
// the distance to the target over the time to it, so the faint curves of equal product (through BSP and
// through the fastest model) show at a glance which models beat BSP and by how much the best one does.

import { extent, line, scaleLinear, scaleLog } from "d3";
import { median, type RunResult, timeToTarget } from "../sweep/results.ts";
import { shortObjectiveName } from "./format.ts";
import { byModel, checkOneSetting, resolveTargets, type SeedTargets } from "./groups.ts";
import { type PlacedLabel, placeLabels } from "./labels.ts";
import { DEFAULT_HEIGHT_PX, DEFAULT_WIDTH_PX, type FigureOptions } from "./options.ts";
import {
  bottomAxis,
  type ContinuousScale,
  el,
  emptyNote,
  INK,
  LEGEND_ROW_PX,
  leftAxis,
  legend,
  legendWidth,
  MUTED_INK,
  makeFrame,
  markerAttrs,
  svgDocument,
  text,
} from "./svg.ts";

/** How fast a run went and how much each clock bought. */
export interface RunPace {
  clocksPerSecond: number;
  /** Objective improvement per clock (positive = better, whichever way the goal points). */
  progressPerClock: number;
  /** Whether the pace is measured to the target (else over the whole run, which never reached it). */
  reached: boolean;
}

/**
 * A run's pace up to its target: clocks to the target over simulated time to the target, and the distance to
 * the target over clocks to it. Their product is the distance over the time, so the model with the highest
 * product is the one with the shortest time to target. A run that never reached the target is measured over
 * the whole run instead.
 */
export function runPace(run: RunResult, target: number | undefined): RunPace {
  const goal = run.objectiveGoal;
  const curve = run.curve.filter((p) => Number.isFinite(p.value));
  const none = { clocksPerSecond: Number.NaN, progressPerClock: Number.NaN, reached: false };
  if (curve.length < 2) return none;
  const first = curve[0];
  const gain = (value: number) => (goal === "minimize" ? first.value - value : value - first.value);
  if (target !== undefined) {
    const ns = timeToTarget(curve, target, goal);
    // The same interpolation with clocks in place of times gives the (fractional) clock of arrival.
    const clock = timeToTarget(
      curve.map((p) => ({ ...p, t: p.clock })),
      target,
      goal,
    );
    if (ns !== null && clock !== null && clock > first.clock && ns > first.t) {
      return {
        clocksPerSecond: (clock - first.clock) / ((ns - first.t) / 1e9),
        progressPerClock: gain(target) / (clock - first.clock),
        reached: true,
      };
    }
  }
  const last = curve[curve.length - 1];
  if (last.clock <= first.clock || last.t <= first.t) return none;
  return {
    clocksPerSecond: (last.clock - first.clock) / ((last.t - first.t) / 1e9),
    progressPerClock: gain(last.value) / (last.clock - first.clock),
    reached: false,
  };
}

function pointLabel(placed: PlacedLabel | null, label: string): string[] {
  if (placed === null) return [];
  const parts = [
    text(placed.x, placed.y, label, { "text-anchor": placed.anchor, fill: INK, "font-size": 11 }),
  ];
  if (placed.leader) parts.unshift(el("line", { ...placed.leader, stroke: MUTED_INK, "stroke-width": 0.7 }));
  return parts;
}

export interface TradeoffPoint {
  model: string;
  /** Medians over seeds of each run's pace. */
  clocksPerSecond: number;
  progressPerClock: number;
  /** The median seed reached the target (more than half of them did). */
  reached: boolean;
}

export function tradeoffPoints(runs: RunResult[], targets: SeedTargets): TradeoffPoint[] {
  return byModel(runs).map((m) => {
    const paces = m.runs.map((r) => runPace(r, targets.get(r.config.seed)));
    const of = (get: (p: RunPace) => number) => median(paces.map(get).filter(Number.isFinite));
    return {
      model: m.model,
      clocksPerSecond: of((p) => p.clocksPerSecond),
      progressPerClock: of((p) => p.progressPerClock),
      reached: paces.filter((p) => p.reached).length * 2 > paces.length,
    };
  });
}

const ISO_LEGEND = {
  label: "equal progress per second",
  color: "#b0b0b0",
  dash: "1 3",
  swatch: "line" as const,
};

export function tradeoffFigure(runs: RunResult[], options: FigureOptions = {}): string {
  checkOneSetting(runs, "trade-off");
  const models = byModel(runs);
  const points = tradeoffPoints(runs, resolveTargets(runs, options.target));
  const entries = [
    ...models.map((m) => ({
      label: m.model,
      color: m.style.color,
      dash: m.style.dash,
      swatch: "dot" as const,
    })),
    ISO_LEGEND,
  ];
  // The legend column holds the entries and two lines saying what the pace is measured up to.
  const legendHeight = (entries.length + 2.6) * LEGEND_ROW_PX + 8;
  const frame = makeFrame(
    options.width ?? DEFAULT_WIDTH_PX,
    Math.max(options.height ?? DEFAULT_HEIGHT_PX, 34 + 48 + legendHeight),
    { top: 34, right: legendWidth(entries) + 24, bottom: 48, left: 70 },
  );
  const objective = shortObjectiveName(runs[0].summary.objectiveName);
  const title = options.title ?? "Clocks per second vs progress per clock";
  const description = `For each consistency model, clocks completed per simulated second against the improvement in ${objective} per clock, both up to the target (over the whole run for models that did not reach it; medians over seeds).`;
  const drawn = points.filter(
    (p) => Number.isFinite(p.clocksPerSecond) && p.clocksPerSecond > 0 && Number.isFinite(p.progressPerClock),
  );
  if (drawn.length === 0)
    return svgDocument(frame, title, description, [emptyNote(frame, "no runs to compare")]);

  const [xMin, xMax] = extent(drawn, (p) => p.clocksPerSecond) as [number, number];
  // Clock rates often differ by an order of magnitude between BSP and async: a log axis keeps BSP visible.
  const x: ContinuousScale =
    xMax / xMin > 8
      ? scaleLog()
          .domain([xMin / 1.25, xMax * 1.25])
          .range([0, frame.innerWidth])
      : scaleLinear()
          .domain([Math.max(0, xMin - (xMax - xMin) * 0.15 - 1e-9), xMax + (xMax - xMin) * 0.15 + 1e-9])
          .range([0, frame.innerWidth])
          .nice();
  // Progress ≤ 0 (the run got worse, as async can) sits on the axis as a downward triangle: stretching the
  // axis below zero for it would flatten the trade-off among the models that did make progress.
  const yMax = Math.max(0, ...drawn.map((p) => p.progressPerClock));
  const y = scaleLinear()
    .domain([0, yMax > 0 ? yMax * 1.18 : 1])
    .range([frame.innerHeight, 0])
    .nice();
  const yOf = (p: TradeoffPoint) => y(Math.max(0, p.progressPerClock));
  const worse = (p: TradeoffPoint) => p.progressPerClock <= 0;
  const labelOf = (p: TradeoffPoint) =>
    worse(p) ? `${p.model} (got worse)` : p.reached ? p.model : `${p.model} (did not reach)`;

  const body: string[] = [
    leftAxis(y, frame, { label: `${objective} improvement per clock`, grid: true }),
    bottomAxis(x, frame, { label: "clocks per simulated second", grid: true }),
  ];
  // Curves x·y = k through BSP and through the fastest model to the target, clipped to the plot: points
  // between them beat BSP. One curve per model would bury the points.
  const [dx0, dx1] = x.domain();
  const rates = drawn.filter((p) => p.reached).map((p) => p.clocksPerSecond * p.progressPerClock);
  const bspRate = drawn.find((p) => p.model === "BSP");
  const isoRates = new Set([
    ...(rates.length > 0 ? [Math.max(...rates)] : []),
    ...(bspRate ? [bspRate.clocksPerSecond * bspRate.progressPerClock] : []),
  ]);
  for (const k of isoRates) {
    if (!(k > 0)) continue;
    const curve: Array<[number, number]> = [];
    for (let i = 0; i <= 80; i++) {
      const cps = dx0 * (dx1 / dx0) ** (i / 80);
      curve.push([cps, k / cps]);
    }
    const [y0, y1] = y.domain();
    const d = line<[number, number]>()
      .defined(([, v]) => v >= y0 && v <= y1)
      .x(([c]) => x(c))
      .y(([, v]) => y(v))(curve);
    if (d)
      body.push(
        el("path", {
          class: "iso",
          d,
          fill: "none",
          stroke: ISO_LEGEND.color,
          "stroke-dasharray": ISO_LEGEND.dash,
        }),
      );
  }
  const placed = placeLabels(
    drawn.map((p) => ({ x: x(p.clocksPerSecond), y: yOf(p), label: labelOf(p) })),
    frame.innerWidth,
    frame.innerHeight,
  );
  drawn.forEach((p, i) => {
    const style = models.find((m) => m.model === p.model)!.style;
    body.push(
      el("g", { class: "series", "data-model": p.model }, [
        worse(p)
          ? el(
              "path",
              {
                d: `M${x(p.clocksPerSecond) - 6},${yOf(p) - 9}h12l-6,9z`,
                fill: style.dash ? "#fff" : style.color,
                stroke: style.color,
                "stroke-width": 1.5,
              },
              el(
                "title",
                {},
                `${p.model}: ${p.clocksPerSecond} clocks/s, objective got worse by ${-p.progressPerClock} per clock`,
              ),
            )
          : el(
              "circle",
              { cx: x(p.clocksPerSecond), cy: yOf(p), ...markerAttrs(style, 5) },
              el("title", {}, `${p.model}: ${p.clocksPerSecond} clocks/s, ${p.progressPerClock} per clock`),
            ),
        ...pointLabel(placed[i], labelOf(p)),
      ]),
    );
  });
  if (drawn.length < points.length) {
    body.push(
      text(
        frame.innerWidth,
        frame.innerHeight - 6,
        `${points.length - drawn.length} model(s) without a rate not shown`,
        {
          "text-anchor": "end",
          fill: MUTED_INK,
          "font-size": 11,
        },
      ),
    );
  }
  body.push(legend(entries, frame.innerWidth + 18, 0));
  body.push(
    text(frame.innerWidth + 18, (entries.length + 0.6) * LEGEND_ROW_PX + 9, "both measured up to", {
      fill: MUTED_INK,
      "font-size": 11,
    }),
    text(frame.innerWidth + 18, (entries.length + 0.6) * LEGEND_ROW_PX + 23, "the target", {
      fill: MUTED_INK,
      "font-size": 11,
    }),
  );
  return svgDocument(frame, title, description, body);
}
