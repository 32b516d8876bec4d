// Deterministic per-cell initial values for initRow: a hash of (seed, table, row, column), so any shard can
// create any row on demand and get the same numbers, with no stream whose position would depend on order.

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) from (seed, table, row, col). */
export function hashUniform(seed: number, table: number, row: number, col: number): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ Math.floor(seed / 2 ** 32));
  h = fmix32(h ^ Math.imul(table + 1, 0x27d4eb2f));
  h = fmix32(h ^ Math.imul(row + 1, 0x165667b1));
  h = fmix32(h ^ Math.imul(col + 1, 0x61c88647));
  return h / 2 ** 32;
}

/** An initRow giving each cell a uniform value in [-scale, scale]. */
export function uniformRowInit(seed: number, table: number, scale: number) {
  return (row: number, out: Float64Array | Float32Array | Int32Array): void => {
    for (let c = 0; c < out.length; c++) out[c] = scale * (2 * hashUniform(seed, table, row, c) - 1);
  };
}
