// A tiny SVG builder for the sweep's figures: strings in, strings out, no DOM, so figures are made in Node
// and embedded inline in the report. Every piece of text goes through escapeXml.

export type AttrValue = string | number | undefined | null | false;
export type Attrs = Record<string, AttrValue>;

/** Fonts installed nearly everywhere, Liberation Sans on Debian; layout estimates assume Arial-like widths. */
export const FONT_FAMILY = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif";
export const FONT_SIZE_PX = 12;
export const INK = "#222";
export const MUTED_INK = "#666";
export const GRID = "#e6e6e6";

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Numbers are written with at most 2 decimals: sub-pixel precision beyond that only bloats the page. */
function attrText(value: string | number): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`SVG attribute value must be finite, got ${value}`);
    return String(Math.round(value * 100) / 100);
  }
  return escapeXml(value);
}

export function el(tag: string, attrs: Attrs = {}, children: string | string[] = []): string {
  const parts = [tag];
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    parts.push(`${name}="${attrText(value)}"`);
  }
  const inner = Array.isArray(children) ? children.join("") : children;
  return inner === "" ? `<${parts.join(" ")}/>` : `<${parts.join(" ")}>${inner}</${tag}>`;
}

export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el("text", { x, y, ...attrs }, escapeXml(content));
}

/** Rough width of a label in px (Arial-like average glyph width); enough to keep labels from colliding. */
export function textWidth(content: string, fontSizePx = FONT_SIZE_PX): number {
  let em = 0;
  for (const ch of content) {
    if (/[ilj.,:;|!'·]/.test(ch)) em += 0.28;
    else if (/[mwMW@%]/.test(ch)) em += 0.85;
    else if (/[A-Z0-9×≥≤∞]/.test(ch)) em += 0.66;
    else if (ch === " ") em += 0.28;
    else em += 0.55;
  }
  return em * fontSizePx;
}

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** The figure's outer size and its plotting area (the inner rectangle scales map onto). */
export interface Frame {
  width: number;
  height: number;
  margin: Margin;
  innerWidth: number;
  innerHeight: number;
}

export function makeFrame(width: number, height: number, margin: Margin): Frame {
  const innerWidth = width - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  if (innerWidth <= 20 || innerHeight <= 20) {
    throw new RangeError(`figure ${width}×${height} px leaves no room to plot inside its margins`);
  }
  return { width, height, margin, innerWidth, innerHeight };
}

/** The outer <svg>: accessible title and description, white background, the plot area translated. */
export function svgDocument(frame: Frame, title: string, description: string, body: string[]): string {
  const titleText = text(frame.margin.left, 18, title, {
    "font-size": 14,
    "font-weight": 600,
    fill: INK,
  });
  return el(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      width: frame.width,
      height: frame.height,
      viewBox: `0 0 ${frame.width} ${frame.height}`,
      role: "img",
      "font-family": FONT_FAMILY,
      "font-size": FONT_SIZE_PX,
    },
    [
      el("title", {}, escapeXml(title)),
      el("desc", {}, escapeXml(description)),
      el("rect", { width: frame.width, height: frame.height, fill: "#fff" }),
      titleText,
      el("g", { transform: `translate(${frame.margin.left},${frame.margin.top})` }, body),
    ],
  );
}

/** What the axes need of a d3 continuous scale (linear or log). */
export interface ContinuousScale {
  (value: number): number;
  ticks(count?: number): number[];
  tickFormat(count?: number, specifier?: string): (value: number) => string;
  domain(): number[];
  range(): number[];
}

export interface AxisOptions {
  label: string;
  ticks?: number;
  format?: (value: number) => string;
  /** Light grid lines across the plot at each tick. */
  grid?: boolean;
}

function tickLabels(scale: ContinuousScale, options: AxisOptions): Array<[number, string]> {
  const count = options.ticks ?? 6;
  const format = options.format ?? scale.tickFormat(count);
  return scale.ticks(count).map((v) => [v, format(v)] as [number, string]);
}

export function bottomAxis(scale: ContinuousScale, frame: Frame, options: AxisOptions): string {
  const y = frame.innerHeight;
  const parts: string[] = [];
  let lastRight = Number.NEGATIVE_INFINITY;
  for (const [value, label] of tickLabels(scale, options)) {
    const x = scale(value);
    if (options.grid) parts.push(el("line", { x1: x, x2: x, y1: 0, y2: y, stroke: GRID }));
    parts.push(el("line", { x1: x, x2: x, y1: y, y2: y + 5, stroke: INK }));
    // Log scales offer many ticks; a label that would touch its neighbour is left out, its tick kept.
    const half = textWidth(label) / 2;
    if (label !== "" && x - half > lastRight + 4) {
      parts.push(text(x, y + 18, label, { "text-anchor": "middle", fill: INK }));
      lastRight = x + half;
    }
  }
  const [r0, r1] = scale.range();
  parts.push(el("line", { x1: Math.min(r0, r1), x2: Math.max(r0, r1), y1: y, y2: y, stroke: INK }));
  parts.push(
    text(frame.innerWidth / 2, y + 38, options.label, {
      "text-anchor": "middle",
      fill: INK,
      "font-size": 12.5,
    }),
  );
  return el("g", { class: "axis axis-x" }, parts);
}

export function leftAxis(scale: ContinuousScale, frame: Frame, options: AxisOptions): string {
  const parts: string[] = [];
  let lastTop = Number.POSITIVE_INFINITY;
  let widest = 0;
  for (const [value, label] of tickLabels(scale, options)) {
    const y = scale(value);
    if (options.grid) parts.push(el("line", { x1: 0, x2: frame.innerWidth, y1: y, y2: y, stroke: GRID }));
    parts.push(el("line", { x1: -5, x2: 0, y1: y, y2: y, stroke: INK }));
    if (label !== "" && y + 7 < lastTop) {
      parts.push(text(-8, y + 4, label, { "text-anchor": "end", fill: INK }));
      lastTop = y - 7;
      widest = Math.max(widest, textWidth(label));
    }
  }
  const [r0, r1] = scale.range();
  parts.push(el("line", { x1: 0, x2: 0, y1: Math.min(r0, r1), y2: Math.max(r0, r1), stroke: INK }));
  const labelX = -Math.max(widest + 20, frame.margin.left - 14);
  parts.push(
    text(0, 0, options.label, {
      transform: `translate(${labelX},${frame.innerHeight / 2}) rotate(-90)`,
      "text-anchor": "middle",
      fill: INK,
      "font-size": 12.5,
    }),
  );
  return el("g", { class: "axis axis-y" }, parts);
}

/** A categorical axis on the left: one label per band, centred on it. */
export function leftBandAxis(
  labels: string[],
  centre: (label: string) => number,
  frame: Frame,
  axisLabel?: string,
): string {
  const parts = labels.map((label) =>
    text(-8, centre(label) + 4, label, { "text-anchor": "end", fill: INK, class: "category" }),
  );
  parts.push(el("line", { x1: 0, x2: 0, y1: 0, y2: frame.innerHeight, stroke: INK }));
  if (axisLabel) {
    parts.push(
      text(0, 0, axisLabel, {
        transform: `translate(${-frame.margin.left + 14},${frame.innerHeight / 2}) rotate(-90)`,
        "text-anchor": "middle",
        fill: INK,
        "font-size": 12.5,
      }),
    );
  }
  return el("g", { class: "axis axis-y" }, parts);
}

export interface LegendEntry {
  label: string;
  color: string;
  /** stroke-dasharray for line swatches. */
  dash?: string;
  swatch: "line" | "box" | "dot";
}

export const LEGEND_ROW_PX = 17;

/** A point marker: filled, or a ring for dashed (ESSP) styles, which a dot cannot show by its outline. */
export function markerAttrs(style: { color: string; dash?: string }, radius: number): Attrs {
  return style.dash
    ? { r: radius, fill: "#fff", stroke: style.color, "stroke-width": 2 }
    : { r: radius, fill: style.color };
}

/** A vertical legend whose top-left corner is at (x, y) in the plot's coordinates. */
export function legend(entries: LegendEntry[], x: number, y: number, heading?: string): string {
  const parts: string[] = [];
  let top = y;
  if (heading) {
    parts.push(text(x, top + 9, heading, { fill: MUTED_INK, "font-size": 11 }));
    top += LEGEND_ROW_PX;
  }
  entries.forEach((entry, i) => {
    const cy = top + i * LEGEND_ROW_PX + 5;
    if (entry.swatch === "line") {
      parts.push(
        el("line", {
          x1: x,
          x2: x + 22,
          y1: cy,
          y2: cy,
          stroke: entry.color,
          "stroke-width": 2.2,
          "stroke-dasharray": entry.dash,
        }),
      );
    } else if (entry.swatch === "dot") {
      parts.push(el("circle", { cx: x + 11, cy, ...markerAttrs(entry, 4) }));
    } else {
      parts.push(el("rect", { x: x + 4, y: cy - 6, width: 14, height: 12, fill: entry.color }));
    }
    parts.push(text(x + 28, cy + 4, entry.label, { fill: INK, class: "legend-label" }));
  });
  return el("g", { class: "legend" }, parts);
}

/** The widest legend label plus its swatch, to size a figure's right margin. */
export function legendWidth(entries: LegendEntry[]): number {
  return 28 + Math.max(0, ...entries.map((e) => textWidth(e.label)));
}

/** A note in the plot area for a figure with nothing to draw, rather than empty axes. */
export function emptyNote(frame: Frame, message: string): string {
  return text(frame.innerWidth / 2, frame.innerHeight / 2, message, {
    "text-anchor": "middle",
    fill: MUTED_INK,
    "font-style": "italic",
  });
}

/**
 * A short stable hash for ids (clip paths) that must be unique among the figures inlined in one page yet
 * identical from one build of the report to the next.
 */
export function fnv1a(content: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < content.length; i++) {
    hash ^= content.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
