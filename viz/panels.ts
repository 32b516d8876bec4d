// The panels that share the lanes' time axis: clock progress (the server clock, i.e. the slowest worker,
// with the staleness window shaded), the objective, and observed staleness over time. The clock and
// objective panels are SVG (hundreds of path points); the staleness heat map is canvas (thousands of cells
// redrawn on every zoom frame).

import {
  area,
  axisBottom,
  axisLeft,
  curveStepAfter,
  format,
  interpolateRgb,
  line,
  type ScaleLinear,
  type Selection,
  scaleLinear,
  select,
} from "d3";
import { formatIn, formatPercent, unitFor } from "./format.ts";
import type { Range } from "./lanes.ts";
import { type Steps, stepAt, type TimelineModel } from "./model.ts";
import { formatValue, objectiveLabel } from "./summary.ts";
import { MARGIN } from "./theme.ts";

type Svg = Selection<SVGSVGElement, unknown, null, undefined>;

let clipIds = 0;
const siFormat = format("~s");

function panel(parent: HTMLElement, className: string, title: string, note: string): HTMLElement {
  const element = document.createElement("section");
  element.className = `panel ${className}`;
  element.innerHTML = `<div class="panel-heading"><h2>${title}</h2><span class="panel-note">${note}</span></div>`;
  parent.append(element);
  return element;
}

/** A group clipped to the plot area between the margins, so zoomed lines stop at the axes. */
function clippedPlot(svg: Svg, name: string, widthPx: number, heightPx: number) {
  const clip = `clip-${name}-${clipIds++}`;
  svg
    .append("clipPath")
    .attr("id", clip)
    .append("rect")
    .attr("x", MARGIN.left)
    .attr("y", 0)
    .attr("width", widthPx - MARGIN.left - MARGIN.right)
    .attr("height", heightPx);
  return svg.append("g").attr("clip-path", `url(#${clip})`);
}

function drawTimeAxis(svg: Svg, x: ScaleLinear<number, number>, y: number, widthPx: number): void {
  const [t0, t1] = x.domain();
  const unit = unitFor(t1 - t0);
  const ticks = x.ticks(Math.max(2, Math.floor((widthPx - MARGIN.left - MARGIN.right) / 90)));
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : t1 - t0;
  let g = svg.select<SVGGElement>("g.x-axis");
  if (g.empty()) g = svg.append("g").attr("class", "axis x-axis");
  let unitLabel = svg.select<SVGTextElement>("text.x-unit");
  if (unitLabel.empty()) unitLabel = svg.append("text").attr("class", "axis-label x-unit");
  unitLabel
    .attr("x", widthPx - MARGIN.right + 10)
    .attr("y", y + 15)
    .text(`time (${unit.name})`);
  g.attr("transform", `translate(0,${y})`).call(
    axisBottom(x)
      .tickValues(ticks)
      .tickFormat((v) => formatIn(Number(v), unit, step))
      .tickSize(3)
      .tickSizeOuter(0),
  );
}

function drawSelection(
  svg: Svg,
  x: ScaleLinear<number, number>,
  selection: Range | null,
  top: number,
  bottom: number,
) {
  let band = svg.select<SVGRectElement>("rect.selection-band");
  if (band.empty()) band = svg.insert("rect", ":first-child").attr("class", "selection-band");
  if (selection === null) {
    band.attr("width", 0);
    return;
  }
  const [r0, r1] = x.range();
  const a = Math.max(r0, x(selection[0]));
  const b = Math.min(r1, x(selection[1]));
  band
    .attr("x", a)
    .attr("width", Math.max(0, b - a))
    .attr("y", top)
    .attr("height", bottom - top);
}

/** Points of a step function inside [t0, t1], extended to both ends, for a curveStepAfter path. */
function stepPoints(steps: Steps, t0: number, t1: number, offset = 0): Array<[number, number]> {
  const points: Array<[number, number]> = [[t0, stepAt(steps, t0) + offset]];
  for (let i = 0; i < steps.t.length; i++) {
    if (steps.t[i] > t0 && steps.t[i] < t1) points.push([steps.t[i], steps.value[i] + offset]);
  }
  points.push([t1, stepAt(steps, t1) + offset]);
  return points;
}

const CLOCK_HEIGHT = 150;
const CLOCK_PAD = { top: 8, bottom: 22 };
const MAX_WORKER_LINES = 64;

export class ClockPanel {
  private readonly svg: Svg;
  private readonly y: ScaleLinear<number, number>;
  private readonly workerSteps: Steps[];

  constructor(
    parent: HTMLElement,
    private readonly model: TimelineModel,
    private readonly widthPx: number,
  ) {
    const s = model.staleness;
    const note = Number.isFinite(s)
      ? `server clock (min over workers) and the window [min, min + ${s}] a worker may run in; above it, it blocks`
      : "server clock (min over workers); unbounded staleness, so no window";
    const element = panel(parent, "clocks", "Clock progress", note);
    this.svg = select(element).append("svg").attr("width", widthPx).attr("height", CLOCK_HEIGHT);
    const top = Math.max(model.header.clocks, model.maxClock.value[model.maxClock.value.length - 1]);
    this.y = scaleLinear()
      .domain([0, Math.max(1, top)])
      .range([CLOCK_HEIGHT - CLOCK_PAD.bottom, CLOCK_PAD.top]);
    this.svg
      .append("g")
      .attr("class", "axis y-axis")
      .attr("transform", `translate(${MARGIN.left},0)`)
      .call(axisLeft(this.y).ticks(4).tickSizeOuter(0));
    this.svg
      .append("text")
      .attr("class", "axis-label")
      .attr(
        "transform",
        `translate(${MARGIN.left - 38},${(CLOCK_HEIGHT - CLOCK_PAD.bottom + CLOCK_PAD.top) / 2}) rotate(-90)`,
      )
      .attr("text-anchor", "middle")
      .text("clock");
    const plot = clippedPlot(this.svg, "clocks", widthPx, CLOCK_HEIGHT).attr("class", "plot");
    plot.append("path").attr("class", "envelope");
    plot.append("path").attr("class", "window");
    plot.append("g").attr("class", "worker-lines");
    plot.append("path").attr("class", "max-clock");
    plot.append("path").attr("class", "min-clock");
    this.workerSteps = [];
    if (model.workers <= MAX_WORKER_LINES) {
      for (let w = 0; w < model.workers; w++) {
        const steps: Steps = { t: [0], value: [0] };
        for (let i = model.ticks.offsets[w]; i < model.ticks.offsets[w + 1]; i++) {
          steps.t.push(model.ticks.t[i]);
          steps.value.push(model.ticks.clock[i]);
        }
        this.workerSteps.push(steps);
      }
    }
    const legend = this.svg
      .append("g")
      .attr("class", "side-legend")
      .attr("transform", `translate(${widthPx - MARGIN.right + 16},${CLOCK_PAD.top + 6})`);
    const items: Array<[string, string]> = [
      ["min-clock", "server clock (min)"],
      ["max-clock", "fastest worker"],
    ];
    if (Number.isFinite(s)) items.push(["window", `window [min, min + ${s}]`]);
    if (this.workerSteps.length > 0) items.push(["worker-line", "each worker"]);
    items.forEach(([cls, label], i) => {
      const row = legend.append("g").attr("transform", `translate(0,${i * 18})`);
      if (cls === "window")
        row.append("rect").attr("class", cls).attr("width", 18).attr("height", 10).attr("y", -5);
      else row.append("line").attr("class", cls).attr("x1", 0).attr("x2", 18);
      row.append("text").attr("x", 24).attr("y", 4).text(label);
    });
  }

  render(x: ScaleLinear<number, number>, selection: Range | null): void {
    const [t0, t1] = x.domain();
    const { y, model } = this;
    const s = model.staleness;
    const lineOf = line<[number, number]>()
      .x((d) => x(d[0]))
      .y((d) => y(d[1]))
      .curve(curveStepAfter);
    const minPoints = stepPoints(model.minClock, t0, t1);
    const maxPoints = stepPoints(model.maxClock, t0, t1);
    this.svg.select(".min-clock").attr("d", lineOf(minPoints));
    this.svg.select(".max-clock").attr("d", lineOf(maxPoints));
    const band = area<[number, number]>()
      .x((d) => x(d[0]))
      .y0((d) => y(d[1]))
      .curve(curveStepAfter);
    if (Number.isFinite(s)) {
      this.svg.select(".window").attr("d", band.y1((d) => y(Math.min(d[1] + s, y.domain()[1])))(minPoints));
    }
    // Envelope: between the slowest and fastest worker, on a merged time grid.
    const grid = [...new Set([...minPoints.map((p) => p[0]), ...maxPoints.map((p) => p[0])])].sort(
      (a, b) => a - b,
    );
    const envelope = grid.map((t) => [t, stepAt(model.minClock, t), stepAt(model.maxClock, t)] as const);
    this.svg.select(".envelope").attr(
      "d",
      area<readonly [number, number, number]>()
        .x((d) => x(d[0]))
        .y0((d) => y(d[1]))
        .y1((d) => y(d[2]))
        .curve(curveStepAfter)(envelope),
    );
    this.svg
      .select(".worker-lines")
      .selectAll("path")
      .data(this.workerSteps)
      .join("path")
      .attr("class", "worker-line")
      .attr("d", (steps) => lineOf(stepPoints(steps, t0, t1)));
    drawTimeAxis(this.svg, x, CLOCK_HEIGHT - CLOCK_PAD.bottom, this.widthPx);
    drawSelection(this.svg, x, selection, CLOCK_PAD.top, CLOCK_HEIGHT - CLOCK_PAD.bottom);
  }
}

const OBJ_HEIGHT = 140;
const OBJ_PAD = { top: 10, bottom: 22 };

export class ObjectivePanel {
  private readonly svg: Svg;
  private readonly y: ScaleLinear<number, number>;

  constructor(
    parent: HTMLElement,
    private readonly model: TimelineModel,
    private readonly widthPx: number,
  ) {
    const name = objectiveLabel(model);
    const goal =
      model.header.objectiveGoal === "maximize"
        ? "higher is better"
        : model.header.objectiveGoal === "minimize"
          ? "lower is better"
          : "";
    const note =
      model.objectives.length === 0
        ? "this trace has no objective samples"
        : `${model.header.objectiveName ?? name} on the consistent model at clock boundaries${goal ? `; ${goal}` : ""}`;
    const element = panel(parent, "objective", "Objective", note);
    this.svg = select(element)
      .append("svg")
      .attr("width", widthPx)
      .attr("height", model.objectives.length === 0 ? 0 : OBJ_HEIGHT);
    const values = model.objectives.map((o) => o.value);
    const lo = values.length > 0 ? Math.min(...values) : 0;
    const hi = values.length > 0 ? Math.max(...values) : 1;
    this.y = scaleLinear()
      .domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi])
      .nice(4)
      .range([OBJ_HEIGHT - OBJ_PAD.bottom, OBJ_PAD.top]);
    this.svg
      .append("g")
      .attr("class", "axis y-axis")
      .attr("transform", `translate(${MARGIN.left},0)`)
      .call(
        axisLeft(this.y)
          .ticks(4)
          .tickFormat((v) => (Math.abs(Number(v)) >= 1e4 ? siFormat(Number(v)) : formatValue(Number(v))))
          .tickSizeOuter(0),
      );
    this.svg
      .append("text")
      .attr("class", "axis-label")
      .attr(
        "transform",
        `translate(${MARGIN.left - 52},${(OBJ_HEIGHT - OBJ_PAD.bottom + OBJ_PAD.top) / 2}) rotate(-90)`,
      )
      .attr("text-anchor", "middle")
      .text(name);
    const plot = clippedPlot(this.svg, "obj", widthPx, OBJ_HEIGHT);
    plot.append("path").attr("class", "objective-line");
    // Dots stay unclipped (only the visible ones are drawn) so a sample at either edge shows whole.
    this.svg.append("g").attr("class", "objective-dots");
    if (model.objectives.length > 0) {
      const last = model.objectives[model.objectives.length - 1];
      this.svg
        .append("text")
        .attr("class", "side-value")
        .attr("x", widthPx - MARGIN.right + 16)
        .attr("y", OBJ_PAD.top + 12)
        .text(`final ${formatValue(last.value)}`);
      this.svg
        .append("text")
        .attr("class", "side-note")
        .attr("x", widthPx - MARGIN.right + 16)
        .attr("y", OBJ_PAD.top + 30)
        .text(`after clock ${last.clock}`);
    }
  }

  render(x: ScaleLinear<number, number>, selection: Range | null): void {
    const points = this.model.objectives;
    if (points.length === 0) return;
    const { y } = this;
    this.svg.select(".objective-line").attr(
      "d",
      line<{ t: number; value: number }>()
        .x((d) => x(d.t))
        .y((d) => y(d.value))(points),
    );
    const [t0, t1] = x.domain();
    const visible = points.filter((p) => p.t >= t0 && p.t <= t1);
    this.svg
      .select(".objective-dots")
      .selectAll("circle")
      .data(visible.length <= 300 ? visible : [])
      .join("circle")
      .attr("r", 2.5)
      .attr("cx", (d) => x(d.t))
      .attr("cy", (d) => y(d.value));
    drawTimeAxis(this.svg, x, OBJ_HEIGHT - OBJ_PAD.bottom, this.widthPx);
    drawSelection(this.svg, x, selection, OBJ_PAD.top, OBJ_HEIGHT - OBJ_PAD.bottom);
  }
}

const STALE_PAD = { top: 8, bottom: 22 };
const MAX_STALENESS_ROWS = 24;
const BIN_PX = 5;

export class StalenessPanel {
  private readonly svg: Svg;
  private readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly lowest: number;
  private readonly rows: number;
  private readonly heightPx: number;
  private readonly y: ScaleLinear<number, number>;
  private readonly color = interpolateRgb("#f4f6fa", "#2f4b7c");

  constructor(
    parent: HTMLElement,
    private readonly model: TimelineModel,
    private readonly widthPx: number,
  ) {
    const keys = [...model.stalenessCounts.keys()];
    this.lowest = keys.length > 0 ? Math.min(0, ...keys) : 0;
    const highest = keys.length > 0 ? Math.max(...keys) : 0;
    this.rows = Math.min(MAX_STALENESS_ROWS, highest - this.lowest + 1);
    const rowPx = Math.max(8, Math.min(18, 120 / this.rows));
    this.heightPx = STALE_PAD.top + STALE_PAD.bottom + rowPx * this.rows;
    const element = panel(
      parent,
      "staleness",
      "Observed staleness",
      keys.length === 0
        ? "this trace has no read records"
        : "reader clock − row clock per read; shade = share of the reads in that time slice; right: over the visible range",
    );
    const stack = document.createElement("div");
    stack.className = "stack";
    stack.style.height = `${this.heightPx}px`;
    element.append(stack);
    this.canvas = document.createElement("canvas");
    this.canvas.style.left = `${MARGIN.left}px`;
    this.canvas.style.top = `${STALE_PAD.top}px`;
    stack.append(this.canvas);
    this.context = this.canvas.getContext("2d")!;
    this.svg = select(stack).append("svg").attr("width", widthPx).attr("height", this.heightPx);
    this.y = scaleLinear()
      .domain([this.lowest - 0.5, this.lowest + this.rows - 0.5])
      .range([this.heightPx - STALE_PAD.bottom, STALE_PAD.top]);
    const capped = highest - this.lowest + 1 > this.rows;
    const tickValues = Array.from({ length: this.rows }, (_, i) => this.lowest + i).filter(
      (_, i, all) => all.length <= 8 || i % Math.ceil(all.length / 8) === 0 || i === all.length - 1,
    );
    this.svg
      .append("g")
      .attr("class", "axis y-axis")
      .attr("transform", `translate(${MARGIN.left},0)`)
      .call(
        axisLeft(this.y)
          .tickValues(tickValues)
          .tickFormat((v) => (capped && Number(v) === this.lowest + this.rows - 1 ? `≥${v}` : String(v)))
          .tickSizeOuter(0),
      );
    this.svg
      .append("text")
      .attr("class", "axis-label")
      .attr(
        "transform",
        `translate(${MARGIN.left - 38},${(this.heightPx - STALE_PAD.bottom + STALE_PAD.top) / 2}) rotate(-90)`,
      )
      .attr("text-anchor", "middle")
      .text("staleness");
    if (Number.isFinite(model.staleness) && model.staleness < this.lowest + this.rows) {
      this.svg
        .append("line")
        .attr("class", "s-limit")
        .attr("x1", MARGIN.left)
        .attr("x2", widthPx - MARGIN.right)
        .attr("y1", this.y(model.staleness + 0.5))
        .attr("y2", this.y(model.staleness + 0.5));
      this.svg
        .append("text")
        .attr("class", "s-limit-label")
        .attr("x", widthPx - MARGIN.right - 4)
        .attr("y", this.y(model.staleness + 0.5) - 3)
        .attr("text-anchor", "end")
        .text(`s = ${model.staleness}`);
    }
    this.svg.append("g").attr("class", "histogram");
  }

  render(x: ScaleLinear<number, number>, selection: Range | null): void {
    const { model, rows, lowest } = this;
    const [t0, t1] = x.domain();
    const plotWidth = this.widthPx - MARGIN.left - MARGIN.right;
    const plotHeight = this.heightPx - STALE_PAD.top - STALE_PAD.bottom;
    // Reads cluster at clock starts, so a bin narrower than a clock shows mostly gaps: bins span at least
    // one and a half mean clock durations.
    const clockPx = (model.tEnd / Math.max(1, model.header.clocks)) * (plotWidth / Math.max(1e-9, t1 - t0));
    const bins = Math.max(1, Math.floor(plotWidth / Math.max(BIN_PX, 1.5 * clockPx)));
    const counts = new Float64Array(bins * rows);
    const totals = new Float64Array(bins);
    const overall = new Float64Array(rows);
    const r = model.reads;
    const binNs = (t1 - t0) / bins;
    for (let i = 0; i < r.t.length; i++) {
      const t = r.t[i];
      if (t < t0 || t > t1) continue;
      const b = Math.min(bins - 1, Math.floor((t - t0) / binNs));
      const v = Math.min(rows - 1, Math.max(0, r.staleness[i] - lowest));
      counts[b * rows + v]++;
      totals[b]++;
      overall[v]++;
    }
    const scale = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(plotWidth * scale);
    this.canvas.height = Math.round(plotHeight * scale);
    this.canvas.style.width = `${plotWidth}px`;
    this.canvas.style.height = `${plotHeight}px`;
    const ctx = this.context;
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.clearRect(0, 0, plotWidth, plotHeight);
    const rowPx = plotHeight / rows;
    const colPx = plotWidth / bins;
    for (let b = 0; b < bins; b++) {
      if (totals[b] === 0) continue;
      for (let v = 0; v < rows; v++) {
        const c = counts[b * rows + v];
        if (c === 0) continue;
        ctx.fillStyle = this.color(0.15 + 0.85 * (c / totals[b]));
        ctx.fillRect(b * colPx, plotHeight - (v + 1) * rowPx, colPx + 0.5, rowPx + 0.5);
      }
    }
    const total = overall.reduce((a, b) => a + b, 0);
    const maxShare = total > 0 ? Math.max(...overall) / total : 1;
    const barMax = MARGIN.right - 70;
    const data = Array.from(overall, (c, v) => ({ v, share: total > 0 ? c / total : 0 }));
    const g = this.svg
      .select(".histogram")
      .attr("transform", `translate(${this.widthPx - MARGIN.right + 12},0)`);
    g.selectAll("rect")
      .data(data)
      .join("rect")
      .attr("x", 0)
      .attr("y", (d) => this.y(d.v + lowest + 0.5) + 1)
      .attr("height", Math.max(1, rowPx - 2))
      .attr("width", (d) => (maxShare > 0 ? (d.share / maxShare) * barMax : 0));
    g.selectAll("text")
      .data(data)
      .join("text")
      .attr("x", (d) => (maxShare > 0 ? (d.share / maxShare) * barMax : 0) + 4)
      .attr("y", (d) => this.y(d.v + lowest) + 4)
      .text((d) => (d.share > 0 && rowPx >= 9 ? formatPercent(d.share) : ""));
    drawTimeAxis(this.svg, x, this.heightPx - STALE_PAD.bottom, this.widthPx);
    drawSelection(this.svg, x, selection, STALE_PAD.top, this.heightPx - STALE_PAD.bottom);
  }
}
