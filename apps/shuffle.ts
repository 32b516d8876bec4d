// A seeded permutation, for splitting data and spreading it over workers.

import type { Random } from "./random.ts";

export function permutation(n: number, random: Random): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** The indices a worker owns when `order` is dealt round-robin over `workers`. */
export function dealt(order: ArrayLike<number>, workers: number, rank: number): number[] {
  const out: number[] = [];
  for (let i = rank; i < order.length; i += workers) out.push(order[i]);
  return out;
}

/** The next `count` items of `items` from `cursor`, cyclically; returns them and the new cursor. */
export function nextBatch<T>(
  items: readonly T[],
  cursor: number,
  count: number,
): { batch: T[]; cursor: number } {
  const n = items.length;
  if (n === 0) return { batch: [], cursor: 0 };
  const batch: T[] = [];
  for (let b = 0; b < Math.min(count, n); b++) batch.push(items[(cursor + b) % n]);
  return { batch, cursor: (cursor + batch.length) % n };
}
