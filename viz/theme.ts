// Colours and geometry shared by every panel. A calm palette (muted Tableau-like hues) on white; the one
// warm colour is waiting, which is what the viewer is for.

import { PIXEL } from "./raster.ts";

export const COLORS = {
  compute: "#5b84b1",
  comm: "#7fbfb4",
  wait: "#e3955a",
  clockBoundary: "#ffffff",
  laneBackground: "#f3f4f6",
  serverBackground: "#eceae4",
  serverTick: "#6b6f76",
  minClock: "#1f2937",
  maxClock: "#9aa3ae",
  window: "#f6d7b8",
  envelope: "#e5e7eb",
  objective: "#3f5f8a",
  selection: "rgba(91, 132, 177, 0.12)",
  text: "#1f2937",
  muted: "#6b7280",
  grid: "#e5e7eb",
  messages: ["#4b5563", "#8e6bb0", "#3c8d6e", "#c0577a"],
} as const;

/** RGBA for each raster pixel code, as ImageData bytes. */
export const PIXEL_RGBA: Record<number, [number, number, number, number]> = {
  [PIXEL.empty]: [255, 255, 255, 0],
  [PIXEL.laneBackground]: hex(COLORS.laneBackground),
  [PIXEL.serverBackground]: hex(COLORS.serverBackground),
  [PIXEL.compute]: hex(COLORS.compute),
  [PIXEL.comm]: hex(COLORS.comm),
  [PIXEL.wait]: hex(COLORS.wait),
  [PIXEL.serverTick]: hex(COLORS.serverTick),
  [PIXEL.clockBoundary]: hex(COLORS.clockBoundary),
};

function hex(color: string): [number, number, number, number] {
  const n = Number.parseInt(color.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
}

/** Every panel shares these horizontal margins so their time axes line up exactly. */
export const MARGIN = { left: 112, right: 180 } as const;
