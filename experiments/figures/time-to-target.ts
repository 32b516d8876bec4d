// Simulated time each consistency model needs to reach the setting's target objective: the median over
// seeds as a dot, the fastest to slowest seed as a whisker, each seed as a small ring. Seeds that never
// reached the target are counted beside the row and models whose median never did say "did not reach":
// never drawn at zero, which would read as infinitely fast.

import { scaleLinear } from "d3";
import type { RunResult } from "../sweep/results.ts";
import { labelMargin, rowScale, rowsHeight } from "./bands.ts";
import { formatDuration, formatValue, shortObjectiveName, timeUnitFor } from "./format.ts";
import {
  byModel,
  checkOneSetting,
  distinctTargets,
  resolveTargets,
  type TargetStats,
  targetStats,
} from "./groups.ts";
import { DEFAULT_WIDTH_PX, type FigureOptions } from "./options.ts";
import {
  bottomAxis,
  el,
  emptyNote,
  leftBandAxis,
  MUTED_INK,
  makeFrame,
  markerAttrs,
  svgDocument,
  text,
} from "./svg.ts";

const NOTE_COLUMN_PX = 110;

function rowNote(stats: TargetStats): string {
  const seeds = stats.times.length;
  if (stats.reached === seeds) return "";
  return `${stats.reached} of ${seeds} reached`;
}

export function timeToTargetFigure(runs: RunResult[], options: FigureOptions = {}): string {
  checkOneSetting(runs, "time to target");
  const targets = resolveTargets(runs, options.target);
  const stats = byModel(runs).map((m) => targetStats(m, targets));
  const labels = stats.map((s) => s.model);
  const frame = makeFrame(
    options.width ?? DEFAULT_WIDTH_PX,
    options.height ?? rowsHeight(stats.length, 34, 50),
    { top: 34, right: NOTE_COLUMN_PX, bottom: 50, left: labelMargin(labels) },
  );
  const objective = shortObjectiveName(runs[0].summary.objectiveName);
  const distinct = distinctTargets(targets);
  const targetText =
    distinct.length === 1
      ? formatValue(distinct[0])
      : `its seed's target (${distinct.map(formatValue).join(", ")})`;
  const title =
    options.title ??
    (distinct.length === 1 ? `Time to reach ${objective} ${targetText}` : "Time to reach the target");
  const description = `Simulated time until the objective first reaches ${targetText} for each consistency model: median over seeds (dot), fastest to slowest seed (whisker), each seed (ring).`;
  const reachedNs = stats.flatMap((s) => s.times.flatMap((t) => (t.ns === null ? [] : [t.ns])));
  const y = rowScale(labels, frame.innerHeight);
  const centre = (label: string) => (y(label) ?? 0) + y.bandwidth() / 2;
  const body: string[] = [];
  if (reachedNs.length === 0) {
    body.push(emptyNote(frame, "no run reached the target"));
  } else {
    const unit = timeUnitFor(Math.max(...reachedNs));
    const x = scaleLinear()
      .domain([0, (Math.max(...reachedNs) / unit.ns) * 1.04])
      .range([0, frame.innerWidth])
      .nice();
    body.push(bottomAxis(x, frame, { label: `simulated time to target (${unit.symbol})`, grid: true }));
    for (const s of stats) {
      const cy = centre(s.model);
      const parts: string[] = [];
      const rings = s.times.flatMap((t) =>
        t.ns === null
          ? []
          : [
              el("circle", {
                class: "seed",
                cx: x(t.ns / unit.ns),
                cy,
                r: 3,
                fill: "#fff",
                stroke: s.style.color,
                "stroke-width": 1.2,
              }),
            ],
      );
      if (s.medianNs === null) {
        // The seeds that did reach it still show, but no median and no whisker: there is no typical time.
        parts.push(...rings);
        const after = s.maxNs === null ? 6 : x(s.maxNs / unit.ns) + 10;
        const anchor = after + 150 > frame.innerWidth ? "end" : "start";
        parts.push(
          text(anchor === "end" ? frame.innerWidth - 4 : after, cy + 4, "did not reach the target", {
            "text-anchor": anchor,
            fill: MUTED_INK,
            "font-style": "italic",
            class: "not-reached",
          }),
        );
      } else {
        const unreached = s.reached < s.times.length;
        // With unreached seeds the slowest seed is unbounded: the whisker runs off the plot's right edge.
        const right = unreached ? frame.innerWidth : x((s.maxNs ?? s.medianNs) / unit.ns);
        parts.push(
          el("line", {
            x1: x((s.minNs ?? s.medianNs) / unit.ns),
            x2: right,
            y1: cy,
            y2: cy,
            stroke: s.style.color,
            "stroke-width": 1.6,
            "stroke-dasharray": s.style.dash,
          }),
        );
        if (unreached) {
          parts.push(
            el("path", {
              d: `M${right - 6},${cy - 4}L${right},${cy}L${right - 6},${cy + 4}`,
              fill: "none",
              stroke: s.style.color,
            }),
          );
        }
        parts.push(...rings);
        parts.push(
          el(
            "circle",
            { class: "median", cx: x(s.medianNs / unit.ns), cy, ...markerAttrs(s.style, 5.5) },
            el("title", {}, `${s.model}: median ${formatDuration(s.medianNs)}`),
          ),
        );
      }
      const note = rowNote(s);
      if (note !== "") {
        parts.push(text(frame.innerWidth + 10, cy + 4, note, { fill: MUTED_INK, "font-size": 11 }));
      }
      body.push(el("g", { class: "series", "data-model": s.model }, parts));
    }
  }
  body.push(leftBandAxis(labels, centre, frame));
  return svgDocument(frame, title, description, body);
}
