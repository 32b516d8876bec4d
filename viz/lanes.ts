// The worker lanes: spans on a <canvas> (see raster.ts for why), labels, the selected range and the time
// axis with its brush in SVG (a few dozen elements, restyled cheaply), message arrows drawn on the canvas.

import { axisBottom, brushX, type ScaleLinear, type Selection, select } from "d3";
import { escapeHtml, formatDuration, formatIn, unitFor } from "./format.ts";
import { endpointY, type LaneLayout, rowAt } from "./layout.ts";
import { MESSAGE_KINDS, readsIn, SPAN_KINDS, spanAt, stepAt, type TimelineModel } from "./model.ts";
import { rasterizeLanes } from "./raster.ts";
import { COLORS, MARGIN, PIXEL_RGBA } from "./theme.ts";

const AXIS_HEIGHT_PX = 30;
const MAX_ARROWS = 4000;
const KIND_LABEL = { compute: "compute", wait: "wait (staleness gate)", comm: "communication" } as const;

export type Range = [number, number];

export interface LanesRender {
  visibleSpans: number;
  arrows: number;
  arrowsAvailable: number;
}

export class LanesPanel {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly overlay: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly axisSvg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly brushGroup: Selection<SVGGElement, unknown, null, undefined>;
  private readonly brush;
  private codes = new Uint8Array(0);
  private image: ImageData | null = null;
  private readonly lut: Uint32Array;
  private x: ScaleLinear<number, number> | null = null;
  private movingBrush = false;
  readonly note: HTMLElement;

  constructor(
    private readonly model: TimelineModel,
    private readonly layout: LaneLayout,
    private readonly widthPx: number,
    onBrush: (range: Range | null) => void,
  ) {
    this.element = document.createElement("section");
    this.element.className = "panel lanes";
    const heading = document.createElement("div");
    heading.className = "panel-heading";
    heading.innerHTML = `<h2>Workers</h2><span class="panel-note"></span>`;
    this.note = heading.querySelector(".panel-note")!;
    this.element.append(heading);
    const stack = document.createElement("div");
    stack.className = "stack";
    stack.style.height = `${layout.heightPx}px`;
    stack.style.width = `${widthPx}px`;
    this.canvas = document.createElement("canvas");
    this.canvas.className = "lanes-canvas";
    this.canvas.style.left = `${MARGIN.left}px`;
    this.canvas.dataset.lanes = String(model.workers);
    stack.append(this.canvas);
    this.element.append(stack);
    this.context = this.canvas.getContext("2d")!;
    this.overlay = select(stack)
      .append("svg")
      .attr("class", "lanes-overlay")
      .attr("width", widthPx)
      .attr("height", layout.heightPx);
    this.drawLabels();
    this.overlay.append("rect").attr("class", "selection-band").attr("y", 0).attr("height", layout.heightPx);
    this.axisSvg = select(this.element)
      .append("svg")
      .attr("class", "time-axis")
      .attr("width", widthPx)
      .attr("height", AXIS_HEIGHT_PX);
    this.axisSvg.append("g").attr("class", "axis");
    this.axisSvg
      .append("text")
      .attr("class", "axis-label")
      .attr("x", widthPx - MARGIN.right + 10)
      .attr("y", 16);
    this.axisSvg
      .append("text")
      .attr("class", "axis-hint")
      .attr("x", MARGIN.left - 10)
      .attr("y", 14)
      .attr("text-anchor", "end")
      .text("drag to select ▸");
    this.brushGroup = this.axisSvg.append("g").attr("class", "brush");
    this.brush = brushX()
      .extent([
        [MARGIN.left, 0],
        [widthPx - MARGIN.right, 22],
      ])
      .on("end", (event) => {
        if (this.movingBrush || this.x === null) return;
        const s = event.selection as [number, number] | null;
        onBrush(s === null ? null : [this.x.invert(s[0]), this.x.invert(s[1])]);
      });
    this.brushGroup.call(this.brush);
    const lut = new Uint32Array(8);
    for (const [code, [r, g, b, a]] of Object.entries(PIXEL_RGBA)) {
      lut[Number(code)] = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
    }
    this.lut = lut;
  }

  private drawLabels(): void {
    const { layout, model } = this;
    const g = this.overlay.append("g").attr("class", "lane-labels");
    const laneLabels = layout.laneHeightPx >= 11;
    // Too many machines to label each: label every stride-th group so labels never overlap.
    const groupPitch = layout.groups.length > 1 ? layout.groups[1].top - layout.groups[0].top : Infinity;
    const stride = Math.max(1, Math.ceil(13 / groupPitch));
    layout.groups.forEach((group, index) => {
      g.append("line")
        .attr("class", "group-rule")
        .attr("x1", MARGIN.left - 6)
        .attr("x2", MARGIN.left - 6)
        .attr("y1", group.top + 0.5)
        .attr("y2", group.bottom - 0.5);
      if (laneLabels || index % stride === 0) {
        g.append("text")
          .attr("class", "group-label")
          .attr("x", laneLabels ? 6 : MARGIN.left - 12)
          .attr("y", laneLabels ? group.top + 11 : (group.top + group.bottom) / 2 + 3.5)
          .attr("text-anchor", laneLabels ? "start" : "end")
          .text(`${model.header.host === "sim" ? "machine" : "process"} ${group.machine}`);
      }
      if (laneLabels) {
        for (const w of group.workers) {
          g.append("text")
            .attr("class", "lane-label")
            .attr("x", MARGIN.left - 12)
            .attr("y", layout.workerTop[w] + layout.laneHeightPx / 2 + 4)
            .attr("text-anchor", "end")
            .text(`w${w}`);
        }
      }
    });
    if (model.servers > 0) {
      const top = layout.serversTop;
      const bottom = layout.serverTop[model.servers - 1] + layout.serverLaneHeightPx;
      g.append("line")
        .attr("class", "group-rule")
        .attr("x1", MARGIN.left - 6)
        .attr("x2", MARGIN.left - 6)
        .attr("y1", top + 0.5)
        .attr("y2", bottom - 0.5);
      if (layout.serverLaneHeightPx >= 11) {
        for (let s = 0; s < model.servers; s++) {
          g.append("text")
            .attr("class", "lane-label")
            .attr("x", MARGIN.left - 12)
            .attr("y", layout.serverTop[s] + layout.serverLaneHeightPx / 2 + 4)
            .attr("text-anchor", "end")
            .text(`shard ${s}`);
        }
      } else if (bottom - top >= 10) {
        g.append("text")
          .attr("class", "group-label")
          .attr("x", MARGIN.left - 12)
          .attr("y", (top + bottom) / 2 + 4)
          .attr("text-anchor", "end")
          .text("servers");
      }
    }
  }

  render(x: ScaleLinear<number, number>, selection: Range | null, arrows: boolean): LanesRender {
    this.x = x;
    const scale = window.devicePixelRatio || 1;
    const plotWidth = this.widthPx - MARGIN.left - MARGIN.right;
    const w = Math.max(1, Math.round(plotWidth * scale));
    const h = Math.max(1, Math.round(this.layout.heightPx * scale));
    if (this.canvas.width !== w || this.canvas.height !== h || this.image === null) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.canvas.style.width = `${plotWidth}px`;
      this.canvas.style.height = `${this.layout.heightPx}px`;
      this.codes = new Uint8Array(w * h);
      this.image = this.context.createImageData(w, h);
    }
    const [t0, t1] = x.domain();
    const visibleSpans = rasterizeLanes(
      this.model,
      this.layout,
      { t0, t1, widthPx: w, heightPx: h, scale },
      this.codes,
    );
    const pixels = new Uint32Array(this.image.data.buffer);
    const { codes, lut } = this;
    for (let i = 0; i < codes.length; i++) pixels[i] = lut[codes[i]];
    this.context.putImageData(this.image, 0, 0);
    let drawn = 0;
    let available = 0;
    if (arrows) [drawn, available] = this.drawArrows(x, selection ?? [t0, t1], scale);
    this.drawAxis(x);
    const band = this.overlay.select(".selection-band");
    if (selection === null) band.attr("width", 0);
    else {
      const a = Math.max(MARGIN.left, x(selection[0]));
      const b = Math.min(this.widthPx - MARGIN.right, x(selection[1]));
      band.attr("x", a).attr("width", Math.max(0, b - a));
    }
    this.movingBrush = true;
    this.brushGroup.call(
      this.brush.move,
      selection === null
        ? null
        : [Math.max(MARGIN.left, x(selection[0])), Math.min(x.range()[1], x(selection[1]))],
    );
    this.movingBrush = false;
    this.canvas.dataset.visibleSpans = String(visibleSpans);
    return { visibleSpans, arrows: drawn, arrowsAvailable: available };
  }

  private drawArrows(x: ScaleLinear<number, number>, range: Range, scale: number): [number, number] {
    const { model, layout, context } = this;
    const m = model.messages;
    context.save();
    context.setTransform(scale, 0, 0, scale, -MARGIN.left * scale, 0);
    context.lineWidth = 1;
    context.globalAlpha = 0.5;
    let drawn = 0;
    let available = 0;
    for (let i = 0; i < m.count; i++) {
      if (m.sent[i] < range[0] || m.sent[i] > range[1]) continue;
      const y0 = endpointY(layout, model, m.from[i]);
      const y1 = endpointY(layout, model, m.to[i]);
      if (y0 === null || y1 === null) continue;
      available++;
      if (drawn >= MAX_ARROWS) continue;
      drawn++;
      const xa = x(m.sent[i]);
      const xb = x(m.recv[i]);
      context.strokeStyle = COLORS.messages[m.kind[i]] ?? COLORS.messages[0];
      context.fillStyle = context.strokeStyle;
      context.beginPath();
      context.moveTo(xa, y0);
      context.lineTo(xb, y1);
      context.stroke();
      const angle = Math.atan2(y1 - y0, xb - xa);
      context.beginPath();
      context.moveTo(xb, y1);
      context.lineTo(xb - 6 * Math.cos(angle - 0.35), y1 - 6 * Math.sin(angle - 0.35));
      context.lineTo(xb - 6 * Math.cos(angle + 0.35), y1 - 6 * Math.sin(angle + 0.35));
      context.closePath();
      context.fill();
    }
    context.restore();
    return [drawn, available];
  }

  private drawAxis(x: ScaleLinear<number, number>): void {
    const [t0, t1] = x.domain();
    const unit = unitFor(t1 - t0);
    const ticks = x.ticks(Math.max(2, Math.floor((this.widthPx - MARGIN.left - MARGIN.right) / 90)));
    const step = ticks.length > 1 ? ticks[1] - ticks[0] : t1 - t0;
    this.axisSvg
      .select<SVGGElement>(".axis")
      .attr("transform", "translate(0,0.5)")
      .call(
        axisBottom(x)
          .tickValues(ticks)
          .tickFormat((v) => formatIn(Number(v), unit, step))
          .tickSizeOuter(0),
      );
    this.axisSvg.select(".axis-label").text(`time (${unit.name})`);
  }

  /** Tooltip HTML for the point (x, y) in the stack's coordinates, or null over nothing. */
  hit(px: number, py: number): string | null {
    const { model, layout, x } = this;
    if (x === null || px < MARGIN.left || px > this.widthPx - MARGIN.right) return null;
    const row = rowAt(layout, py);
    if (row === null) return null;
    const t = x.invert(px);
    const slackNs = Math.abs(x.invert(px + 3) - t);
    if (row.kind === "server") {
      const s = row.index;
      const ticks = model.shardTicks;
      let clock = 0;
      for (let i = ticks.offsets[s]; i < ticks.offsets[s + 1] && ticks.t[i] <= t; i++) clock = ticks.clock[i];
      return `<div class="tt-title">shard ${s}</div><div>shard clock <b>${clock}</b> at ${formatDuration(t)}</div>`;
    }
    const w = row.index;
    const i = spanAt(model, w, t, slackNs);
    if (i < 0) return null;
    const sp = model.spans;
    const kind = SPAN_KINDS[sp.kind[i]];
    const lines = [
      `<div class="tt-title"><span class="swatch ${kind}"></span>worker ${w} <span class="muted">· ${model.header.host === "sim" ? "machine" : "process"} ${model.header.workerMachine[w]}</span></div>`,
      `<div>clock <b>${sp.clock[i]}</b> · ${KIND_LABEL[kind]}</div>`,
      `<div>start ${formatDuration(sp.t0[i])} · duration <b>${formatDuration(sp.t1[i] - sp.t0[i])}</b></div>`,
    ];
    if (sp.table[i] >= 0) lines.push(`<div>row: table ${sp.table[i]}, row ${sp.row[i]}</div>`);
    if (kind === "wait" && Number.isFinite(model.staleness)) {
      const min = stepAt(model.minClock, sp.t0[i]);
      lines.push(
        `<div class="muted">min clock ${min} at start; clock ${sp.clock[i]} needs ≥ ${sp.clock[i] - model.staleness}</div>`,
      );
    }
    const reads = readsIn(model, w, sp.t0[i], sp.t1[i]);
    if (reads.length === 0) lines.push(`<div class="muted">no reads in this span</div>`);
    else {
      const r = model.reads;
      lines.push(
        `<div class="tt-sub">${reads.length} read${reads.length === 1 ? "" : "s"} · observed staleness</div>`,
      );
      for (const j of reads.slice(0, 6)) {
        lines.push(
          `<div class="tt-read">table ${r.table[j]} row ${r.row[j]}: <b>${r.staleness[j]}</b> <span class="muted">(row clock ${r.rowClock[j]}, ${r.fromServer[j] ? "server" : "cache"})</span></div>`,
        );
      }
      if (reads.length > 6) lines.push(`<div class="muted">… and ${reads.length - 6} more</div>`);
    }
    return lines.join("");
  }

  /** Page coordinates of worker w's lane at time t (for tests and the hover API). */
  pointFor(w: number, t: number): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    const x = this.x ?? null;
    const px = x === null ? 0 : x(t) - MARGIN.left;
    return { x: rect.left + px, y: rect.top + this.layout.workerTop[w] + this.layout.laneHeightPx / 2 };
  }

  messageKindsLegend(): string {
    return MESSAGE_KINDS.map(
      (k, i) =>
        `<span class="legend-item"><span class="arrow" style="background:${COLORS.messages[i]}"></span>${escapeHtml(k)}</span>`,
    ).join("");
  }
}
