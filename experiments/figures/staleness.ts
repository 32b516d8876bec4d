// Observed staleness per consistency model: for every read, the reader's clock minus the clock of the row it
// got (the server clock the row was read at). Small multiples, one histogram per model (reads of all seeds
// pooled). Each panel's axes are its own, running to the model's staleness bound s (or what was observed,
// if more): async's spread over dozens of clocks would otherwise squeeze SSP s=1 into a sliver, and BSP's
// single bar would flatten every other panel's share axis. p50/p99 above each panel compare them at a glance.

import { format, scaleLinear } from "d3";
import type { RunResult } from "../sweep/results.ts";
import { byModel, checkOneSetting } from "./groups.ts";
import { DEFAULT_WIDTH_PX, type FigureOptions } from "./options.ts";
import { el, GRID, INK, MUTED_INK, makeFrame, svgDocument, text } from "./svg.ts";

/** Reads by staleness value, pooled over runs, sorted by staleness. */
export function pooledHistogram(runs: RunResult[]): Array<[number, number]> {
  const counts = new Map<number, number>();
  for (const run of runs) {
    for (const [staleness, reads] of run.stalenessHistogram)
      counts.set(staleness, (counts.get(staleness) ?? 0) + reads);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

/** The smallest staleness with at least `q` of the reads at or below it. */
export function histogramQuantile(histogram: Array<[number, number]>, q: number): number {
  const total = histogram.reduce((sum, [, n]) => sum + n, 0);
  let seen = 0;
  for (const [staleness, n] of histogram) {
    seen += n;
    if (seen >= q * total) return staleness;
  }
  return Number.NaN;
}

const PANEL_HEIGHT_PX = 96;
const PANEL_GAP_X_PX = 28;
const PANEL_GAP_Y_PX = 52;
const percent = format(".0%");

export function stalenessFigure(runs: RunResult[], options: FigureOptions = {}): string {
  checkOneSetting(runs, "staleness distribution");
  const models = byModel(runs).map((m) => ({ ...m, histogram: pooledHistogram(m.runs) }));
  const columns = Math.min(3, models.length);
  const rows = Math.ceil(models.length / columns);
  const top = 34;
  const height = options.height ?? top + rows * (PANEL_HEIGHT_PX + PANEL_GAP_Y_PX) + 20;
  const frame = makeFrame(options.width ?? DEFAULT_WIDTH_PX, height, {
    top,
    right: 16,
    bottom: 20,
    left: 52,
  });
  const panelWidth = (frame.innerWidth - (columns - 1) * PANEL_GAP_X_PX) / columns;

  const body: string[] = [];
  models.forEach((m, i) => {
    const left = (i % columns) * (panelWidth + PANEL_GAP_X_PX);
    const panelTop = Math.floor(i / columns) * (PANEL_HEIGHT_PX + PANEL_GAP_Y_PX) + 18;
    const total = m.histogram.reduce((sum, [, n]) => sum + n, 0);
    const shareMax = total > 0 ? Math.max(...m.histogram.map(([, n]) => n / total)) : 1;
    const y = scaleLinear().domain([0, shareMax]).range([PANEL_HEIGHT_PX, 0]).nice(2);
    const bound = m.runs[0].config.consistency === "async" ? 0 : (m.runs[0].config.staleness ?? 0);
    const maxStaleness = Math.max(1, bound, ...m.histogram.map(([staleness]) => staleness));
    const x = scaleLinear()
      .domain([-0.5, maxStaleness + 0.5])
      .range([0, panelWidth]);
    const xTicks = x.ticks(Math.min(5, maxStaleness + 1)).filter(Number.isInteger);
    const barWidth = Math.max(1, Math.min(18, panelWidth / (maxStaleness + 1) - 1));
    const parts: string[] = [
      text(0, -8, m.model, { fill: INK, "font-weight": 600 }),
      text(
        panelWidth,
        -8,
        total > 0
          ? `p50 ${histogramQuantile(m.histogram, 0.5)} · p99 ${histogramQuantile(m.histogram, 0.99)}`
          : "no reads",
        {
          "text-anchor": "end",
          fill: MUTED_INK,
          "font-size": 10.5,
        },
      ),
    ];
    for (const tick of y.ticks(2)) {
      parts.push(el("line", { x1: 0, x2: panelWidth, y1: y(tick), y2: y(tick), stroke: GRID }));
      parts.push(
        text(-5, y(tick) + 3.5, percent(tick), { "text-anchor": "end", fill: INK, "font-size": 10 }),
      );
    }
    for (const [staleness, n] of m.histogram) {
      const share = n / total;
      parts.push(
        el(
          "rect",
          {
            x: x(staleness) - barWidth / 2,
            y: y(share),
            width: barWidth,
            height: PANEL_HEIGHT_PX - y(share),
            fill: m.style.color,
            "fill-opacity": m.style.dash ? 0.55 : 1,
          },
          el("title", {}, `${m.model}: staleness ${staleness}, ${n} reads (${percent(share)})`),
        ),
      );
    }
    parts.push(el("line", { x1: 0, x2: panelWidth, y1: PANEL_HEIGHT_PX, y2: PANEL_HEIGHT_PX, stroke: INK }));
    for (const tick of xTicks) {
      parts.push(
        el("line", { x1: x(tick), x2: x(tick), y1: PANEL_HEIGHT_PX, y2: PANEL_HEIGHT_PX + 4, stroke: INK }),
      );
      parts.push(
        text(x(tick), PANEL_HEIGHT_PX + 15, String(tick), {
          "text-anchor": "middle",
          fill: INK,
          "font-size": 10,
        }),
      );
    }
    body.push(
      el("g", { class: "series", "data-model": m.model, transform: `translate(${left},${panelTop})` }, parts),
    );
  });
  body.push(
    text(frame.innerWidth / 2, frame.innerHeight + 6, "observed staleness (reader clock − row clock)", {
      "text-anchor": "middle",
      fill: INK,
      "font-size": 12.5,
    }),
  );
  body.push(
    text(0, 0, "share of reads", {
      transform: `translate(${-frame.margin.left + 14},${frame.innerHeight / 2}) rotate(-90)`,
      "text-anchor": "middle",
      fill: INK,
      "font-size": 12.5,
    }),
  );
  return svgDocument(
    frame,
    options.title ?? "Observed staleness of reads",
    "For each consistency model, the share of reads by observed staleness (the reader's clock minus the clock of the row it got), all seeds pooled; p50 and p99 above each panel.",
    body,
  );
}
