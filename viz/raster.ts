// Draws the lanes into a byte-per-pixel buffer, one code per pixel, which the browser turns into an
// ImageData in one pass. This is why the lanes are canvas, not SVG: 1,000 workers × 100 clocks is ~300,000
// spans, far beyond what the DOM can hold or restyle on every zoom frame, while this loop touches each
// visible span once and each pixel a bounded number of times.
//
// Where several spans fall in one pixel, the one that matters most wins: wait over communication over
// compute, so a straggler's blocked peers stay visible when zoomed out.

import type { LaneLayout } from "./layout.ts";
import { lowerBound, type TimelineModel } from "./model.ts";

export const PIXEL = {
  empty: 0,
  laneBackground: 1,
  serverBackground: 2,
  compute: 3,
  comm: 4,
  wait: 5,
  serverTick: 6,
  clockBoundary: 7,
} as const;

/** Span kind index (model.SPAN_KINDS order: compute, wait, comm) → pixel code. */
const KIND_PIXEL = [PIXEL.compute, PIXEL.wait, PIXEL.comm];
const PRIORITY = Uint8Array.from([0, 1, 1, 2, 3, 4, 5, 6]);

export interface RasterView {
  t0: number;
  t1: number;
  widthPx: number;
  heightPx: number;
  /** Device pixels per layout pixel. */
  scale: number;
}

/** Fills `out` (widthPx × heightPx codes, row-major) and returns how many spans were visible. */
export function rasterizeLanes(
  model: TimelineModel,
  layout: LaneLayout,
  view: RasterView,
  out: Uint8Array,
): number {
  out.fill(PIXEL.empty);
  const { widthPx, heightPx, scale } = view;
  const pxPerNs = widthPx / Math.max(1e-9, view.t1 - view.t0);
  const rowSpan = (top: number, height: number): [number, number] => {
    // A 1-px gutter between lanes once they are tall enough for it to read as separation, not stripes.
    const gutter = height * scale >= 5 ? 1 : 0;
    const y0 = Math.floor(top * scale);
    const y1 = Math.min(heightPx, Math.max(y0 + 1, Math.round((top + height) * scale) - gutter));
    return [y0, y1];
  };
  const fill = (y0: number, y1: number, x0: number, x1: number, code: number) => {
    const p = PRIORITY[code];
    for (let y = y0; y < y1; y++) {
      const base = y * widthPx;
      for (let x = x0; x < x1; x++) {
        if (PRIORITY[out[base + x]] < p) out[base + x] = code;
      }
    }
  };
  const toX = (t: number) => (t - view.t0) * pxPerNs;
  const clockWidthPx = (model.tEnd / Math.max(1, model.header.clocks)) * pxPerNs;
  const showBoundaries = clockWidthPx >= 6;
  const { offsets, t0, t1, kind } = model.spans;
  let visible = 0;
  for (let w = 0; w < model.workers; w++) {
    const [y0, y1] = rowSpan(layout.workerTop[w], layout.laneHeightPx);
    if (y0 >= heightPx || y1 <= 0) continue;
    fill(y0, y1, 0, widthPx, PIXEL.laneBackground);
    const end = offsets[w + 1];
    for (let i = lowerBound(t1, offsets[w], end, view.t0); i < end && t0[i] <= view.t1; i++) {
      if (t1[i] < view.t0) continue;
      visible++;
      const x0 = Math.max(0, Math.floor(toX(t0[i])));
      const x1 = Math.min(widthPx, Math.max(x0 + 1, Math.ceil(toX(t1[i]))));
      fill(y0, y1, x0, x1, KIND_PIXEL[kind[i]]);
    }
    if (showBoundaries) {
      const tt = model.ticks.t;
      const tickEnd = model.ticks.offsets[w + 1];
      for (let i = lowerBound(tt, model.ticks.offsets[w], tickEnd, view.t0); i < tickEnd; i++) {
        if (tt[i] > view.t1) break;
        const x = Math.min(widthPx - 1, Math.floor(toX(tt[i])));
        fill(y0, y1, x, x + 1, PIXEL.clockBoundary);
      }
    }
  }
  const st = model.shardTicks.t;
  for (let s = 0; s < model.servers; s++) {
    const [y0, y1] = rowSpan(layout.serverTop[s], layout.serverLaneHeightPx);
    if (y0 >= heightPx || y1 <= 0) continue;
    fill(y0, y1, 0, widthPx, PIXEL.serverBackground);
    const end = model.shardTicks.offsets[s + 1];
    for (let i = lowerBound(st, model.shardTicks.offsets[s], end, view.t0); i < end; i++) {
      if (st[i] > view.t1) break;
      const x = Math.min(widthPx - 1, Math.floor(toX(st[i])));
      fill(y0, y1, x, x + 1, PIXEL.serverTick);
    }
  }
  return visible;
}
