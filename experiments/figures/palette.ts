// One look per consistency model, shared by every figure and the report, so a model has the same colour
// everywhere: BSP near-black, SSP by s on a sequential colour-blind-safe ramp (plasma, whose light end is
// cut off so lines stay visible on white), ESSP the same ramp dashed, async grey. The ramp position
// depends on s alone (log2 s, so each doubling moves one step), never on which other s a sweep ran, so
// s=4 looks the same in every report.

import { interpolatePlasma } from "d3";
import type { RunConfig } from "../sweep/results.ts";

export interface ModelStyle {
  color: string;
  /** stroke-dasharray, for ESSP. */
  dash?: string;
}

const BSP_COLOR = "#1a1a1a";
const ASYNC_COLOR = "#8c8c8c";
/** s at the light end of the ramp; larger s share its colour. */
const RAMP_MAX_STALENESS = 32;
const RAMP_FROM = 0.08;
const RAMP_TO = 0.82;
export const ESSP_DASH = "6 3";

export function stalenessColor(staleness: number): string {
  const position = Math.min(1, Math.log2(Math.max(1, staleness)) / Math.log2(RAMP_MAX_STALENESS));
  return interpolatePlasma(RAMP_FROM + position * (RAMP_TO - RAMP_FROM));
}

export function modelStyle(config: Pick<RunConfig, "consistency" | "staleness">): ModelStyle {
  switch (config.consistency) {
    case "bsp":
      return { color: BSP_COLOR };
    case "async":
      return { color: ASYNC_COLOR };
    case "ssp":
      // SSP with s = 0 is BSP, and is drawn as such.
      return {
        color: config.staleness === 0 ? BSP_COLOR : stalenessColor(config.staleness ?? RAMP_MAX_STALENESS),
      };
    case "essp":
      return { color: stalenessColor(config.staleness ?? RAMP_MAX_STALENESS), dash: ESSP_DASH };
  }
}

/** Okabe–Ito colours for the parts of a worker's time, distinct from each other under every common CVD. */
export const TIME_PART_COLORS = {
  compute: "#009E73",
  wait: "#D55E00",
  comm: "#56B4E9",
} as const;
