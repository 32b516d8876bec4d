// Greedy placement of point labels: each label tries spots around its point (right, left, above, below,
// diagonals, then further out, where a thin leader line ties it to its point) and takes the first that stays
// inside the plot and overlaps no point or label placed so far. A label with no free spot is left out
// (null): the legend still names the point by its colour, and an overlapping label would name nothing.

import { textWidth } from "./svg.ts";

export interface PlacedLabel {
  x: number;
  y: number;
  anchor: "start" | "end" | "middle";
  /** From the point to the label's near edge, for labels placed away from their point. */
  leader?: { x1: number; y1: number; x2: number; y2: number };
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const overlaps = (a: Box, b: Box) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

export function placeLabels(
  points: Array<{ x: number; y: number; label: string }>,
  width: number,
  height: number,
  fontSizePx = 11,
  pointRadiusPx = 5,
): Array<PlacedLabel | null> {
  const taken: Box[] = points.map((p) => ({
    left: p.x - pointRadiusPx,
    right: p.x + pointRadiusPx,
    top: p.y - pointRadiusPx,
    bottom: p.y + pointRadiusPx,
  }));
  return points.map((p) => {
    const w = textWidth(p.label, fontSizePx);
    const h = fontSizePx + 2;
    const gap = pointRadiusPx + 3;
    const candidates: Array<[PlacedLabel, Box]> = [];
    // Right, left, above, below, then the diagonals, then all of them again further out.
    for (const reach of [gap, gap + 10, gap + 22, gap + 36]) {
      const right: Box = { left: p.x + reach, right: p.x + reach + w, top: p.y - h / 2, bottom: p.y + h / 2 };
      const left: Box = { left: p.x - reach - w, right: p.x - reach, top: p.y - h / 2, bottom: p.y + h / 2 };
      const up = { top: p.y - reach - h, bottom: p.y - reach };
      const down = { top: p.y + reach, bottom: p.y + reach + h };
      const centred = { left: p.x - w / 2, right: p.x + w / 2 };
      const boxes: Array<[Box, PlacedLabel["anchor"]]> = [
        [right, "start"],
        [left, "end"],
        [{ ...centred, ...up }, "middle"],
        [{ ...centred, ...down }, "middle"],
        [{ left: p.x + 2, right: p.x + 2 + w, ...up }, "start"],
        [{ left: p.x + 2, right: p.x + 2 + w, ...down }, "start"],
        [{ left: p.x - 2 - w, right: p.x - 2, ...up }, "end"],
        [{ left: p.x - 2 - w, right: p.x - 2, ...down }, "end"],
      ];
      for (const [box, anchor] of boxes) {
        const x = anchor === "start" ? box.left : anchor === "end" ? box.right : (box.left + box.right) / 2;
        const label: PlacedLabel = { x, y: box.bottom - 3.5, anchor };
        if (reach > gap + 10) {
          // The leader runs from the point's edge to the nearest point of the label's box.
          const nx = Math.max(box.left, Math.min(p.x, box.right));
          const ny = Math.max(box.top, Math.min(p.y, box.bottom));
          const d = Math.hypot(nx - p.x, ny - p.y);
          label.leader = {
            x1: p.x + ((nx - p.x) / d) * (pointRadiusPx + 1),
            y1: p.y + ((ny - p.y) / d) * (pointRadiusPx + 1),
            x2: nx,
            y2: ny,
          };
        }
        candidates.push([label, box]);
      }
    }
    const inside = (b: Box) => b.left >= 0 && b.right <= width && b.top >= 0 && b.bottom <= height;
    const free = candidates.find(([, box]) => inside(box) && !taken.some((t) => overlaps(t, box)));
    if (!free) return null;
    taken.push(free[1]);
    return free[0];
  });
}
