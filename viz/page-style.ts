// The viewer's stylesheet, inlined into every page so a written page is one self-contained file.

import { COLORS, MARGIN } from "./theme.ts";

export const PAGE_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: ${COLORS.text};
  font: 13px/1.45 "Inter", "Helvetica Neue", Helvetica, Arial, "Liberation Sans", sans-serif;
  font-variant-numeric: tabular-nums; }
.muted { color: ${COLORS.muted}; font-weight: normal; }
code { font: 12px "DejaVu Sans Mono", Menlo, monospace; background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
.topbar { display: flex; align-items: center; justify-content: space-between; padding: 10px 24px;
  border-bottom: 1px solid ${COLORS.grid}; }
.brand { font-weight: 600; letter-spacing: 0.01em; }
.file-button { cursor: pointer; border: 1px solid #d1d5db; border-radius: 6px; padding: 4px 10px; color: ${COLORS.text}; }
.file-button:hover { background: #f9fafb; }
.file-button input { display: none; }
main { padding: 8px 24px 40px; }
.empty { max-width: 640px; margin: 80px auto; text-align: center; color: ${COLORS.muted}; }
.empty h1 { color: ${COLORS.text}; font-weight: 600; font-size: 22px; }
.error { margin: 16px 24px 0; padding: 12px 16px; border: 1px solid #e9b4a6; border-left: 4px solid #c8553d;
  background: #fdf4f1; border-radius: 6px; color: #5b2518; }
.drop-overlay { position: fixed; inset: 0; background: rgba(255,255,255,0.85); display: flex; align-items: center;
  justify-content: center; border: 3px dashed ${COLORS.compute}; font-size: 20px; color: ${COLORS.compute}; z-index: 20; }
.drop-overlay[hidden], .tooltip[hidden], .error[hidden] { display: none; }
.summary { padding: 10px 0 4px; }
.title-row { display: flex; align-items: baseline; gap: 16px; justify-content: space-between; }
.summary h1 { font-size: 20px; font-weight: 600; margin: 0; }
.source { color: ${COLORS.muted}; font-size: 12px; max-width: 40%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.facts { margin: 2px 0 10px; color: #374151; }
.facts .dot { color: #c0c4cc; padding: 0 8px; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; }
.tile { min-width: 128px; padding: 8px 12px; border: 1px solid ${COLORS.grid}; border-radius: 8px; background: #fbfbfc; }
.tile .label { font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; color: ${COLORS.muted}; }
.tile .value { font-size: 18px; font-weight: 600; }
.tile .note { font-size: 11px; color: ${COLORS.muted}; min-height: 15px; }
.config { margin-top: 8px; color: ${COLORS.muted}; font-size: 12px; }
.config pre { max-height: 200px; overflow: auto; background: #f9fafb; padding: 8px; border-radius: 6px; }
.toolbar { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 8px;
  margin-top: 12px; padding: 8px 0; border-top: 1px solid ${COLORS.grid}; border-bottom: 1px solid ${COLORS.grid}; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; padding-left: ${MARGIN.left - 24}px; }
.legend-item { display: inline-flex; align-items: center; gap: 6px; color: #374151; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; }
.swatch.compute { background: ${COLORS.compute}; }
.swatch.comm { background: ${COLORS.comm}; }
.swatch.wait { background: ${COLORS.wait}; }
.swatch.boundary { background: linear-gradient(90deg, ${COLORS.compute} 0 42%, #fff 42% 58%, ${COLORS.compute} 58%); }
.swatch.server { background: linear-gradient(90deg, ${COLORS.serverBackground} 0 42%, ${COLORS.serverTick} 42% 58%, ${COLORS.serverBackground} 58%); }
.controls { display: flex; gap: 10px; align-items: center; }
.controls button { font: inherit; border: 1px solid #d1d5db; background: #fff; border-radius: 6px; padding: 3px 10px; cursor: pointer; }
.controls button:disabled { color: #b0b5bd; cursor: default; }
.toggle { display: inline-flex; align-items: center; gap: 4px; cursor: pointer; }
.selection-note { margin: 6px 0 0; padding-left: ${MARGIN.left}px; color: ${COLORS.muted}; min-height: 19px; }
.panels { user-select: none; cursor: grab; }
.panels:active { cursor: grabbing; }
.panel { margin-top: 10px; }
.panel-heading { display: flex; align-items: baseline; gap: 12px; padding-left: ${MARGIN.left}px; }
.panel-heading h2 { font-size: 13px; font-weight: 600; margin: 0; }
.panel-note { color: ${COLORS.muted}; font-size: 12px; }
.stack { position: relative; }
.stack canvas { position: absolute; top: 0; image-rendering: pixelated; }
.stack svg { position: absolute; top: 0; left: 0; pointer-events: none; }
svg { display: block; overflow: visible; }
.axis text { font-size: 11px; fill: #4b5563; font-family: inherit; }
.axis path, .axis line { stroke: #9ca3af; }
.axis-label { font-size: 11px; fill: ${COLORS.muted}; }
.axis-hint { font-size: 11px; fill: #9ca3af; }
.lane-label { font-size: 10.5px; fill: #4b5563; }
.group-label { font-size: 11px; fill: #374151; font-weight: 600; }
.group-rule { stroke: #9ca3af; stroke-width: 1.5; }
.selection-band { fill: ${COLORS.selection}; stroke: ${COLORS.compute}; stroke-opacity: 0.5; }
.lanes .selection-band { fill: rgba(91,132,177,0.10); }
.time-axis .brush .selection { fill: ${COLORS.compute}; fill-opacity: 0.25; stroke: ${COLORS.compute}; }
.time-axis .brush .overlay { cursor: crosshair; }
.envelope { fill: ${COLORS.envelope}; stroke: none; }
.window { fill: ${COLORS.window}; fill-opacity: 0.75; stroke: none; }
rect.window { fill: ${COLORS.window}; }
.min-clock { fill: none; stroke: ${COLORS.minClock}; stroke-width: 2; }
.max-clock { fill: none; stroke: ${COLORS.maxClock}; stroke-width: 1.25; stroke-dasharray: 4 3; }
.worker-line { fill: none; stroke: ${COLORS.compute}; stroke-opacity: 0.55; stroke-width: 1; }
.side-legend text, .side-note { font-size: 11px; fill: #4b5563; }
.side-value { font-size: 13px; font-weight: 600; fill: ${COLORS.text}; }
.objective-line { fill: none; stroke: ${COLORS.objective}; stroke-width: 1.75; }
.objective-dots circle { fill: #fff; stroke: ${COLORS.objective}; stroke-width: 1.25; }
.histogram rect { fill: #5d79a6; }
.histogram text { font-size: 10.5px; fill: #4b5563; }
.s-limit { stroke: ${COLORS.wait}; stroke-dasharray: 5 3; stroke-width: 1.25; }
.s-limit-label { font-size: 11px; fill: #b0642f; }
.tooltip { position: fixed; z-index: 30; pointer-events: none; background: rgba(255,255,255,0.97);
  border: 1px solid #d1d5db; border-radius: 8px; padding: 8px 10px; box-shadow: 0 6px 20px rgba(17,24,39,0.12);
  font-size: 12px; line-height: 1.5; max-width: 380px; }
.tt-title { font-weight: 600; margin-bottom: 2px; display: flex; align-items: center; gap: 6px; }
.tt-sub { margin-top: 4px; color: ${COLORS.muted}; font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; }
.tt-read { padding-left: 4px; }
`;
