// What the page exposes as window.__sspViz: its state and counts, and a few actions, for the browser tests
// (and for anyone scripting the viewer from the devtools console).

import type { RenderStats } from "./view.ts";

export interface VizHook {
  state: "empty" | "loading" | "ready" | "error";
  error: string | null;
  source: string | null;
  lanes: number;
  spans: number;
  timings: { parseMs: number; firstRenderMs: number };
  stats(): RenderStats | null;
  /** The visible time range, ns. */
  domain(): [number, number] | null;
  selection(): [number, number] | null;
  zoomTo(t0: number, t1: number): void;
  select(t0: number, t1: number): void;
  setArrows(on: boolean): void;
  /** Viewport coordinates of worker w's lane at time t. */
  pointFor(w: number, t: number): { x: number; y: number } | null;
  loadText(text: string, source: string): void;
}

declare global {
  interface Window {
    __sspViz: VizHook;
  }
}
