// Layout for figures with one row per model (bars, dot plots): the models' labels on the left, the rows'
// height fixed so a sweep with many models grows the figure instead of squeezing it.

import { scaleBand } from "d3";
import { textWidth } from "./svg.ts";

export const ROW_PX = 30;

export function rowsHeight(rows: number, top: number, bottom: number): number {
  return top + bottom + Math.max(2, rows) * ROW_PX;
}

export function labelMargin(labels: string[]): number {
  return Math.max(60, 20 + Math.max(0, ...labels.map((l) => textWidth(l))));
}

export function rowScale(labels: string[], innerHeight: number) {
  return scaleBand<string>().domain(labels).range([0, innerHeight]).paddingInner(0.3).paddingOuter(0.2);
}
