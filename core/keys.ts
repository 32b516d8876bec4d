// One number names a (table, row) pair, so maps stay keyed by numbers on the hot paths.

const ROW_SPACE = 4294967296; // 2^32 rows per table; table ids are below 2^16, so keys stay below 2^48.

// Table 0's keys below 2^31 are made with `| 0`, an int32, which V8 keeps unboxed (a "Smi"). Arithmetic with
// 2^32, even 0 · 2^32 + row, gives a double, and a double in an object's field costs each object a heap number
// of its own: one more allocation, and one more cold read wherever the key is read (every client row entry).
// The key's value is the same either way.

export function rowKey(table: number, row: number): number {
  if (table === 0) {
    const small = row | 0;
    if (small === row && small >= 0) return small;
  }
  return table * ROW_SPACE + row;
}

export function keyTable(key: number): number {
  return key < ROW_SPACE ? 0 : Math.floor(key / ROW_SPACE);
}

export function keyRow(key: number): number {
  const small = key | 0;
  return small === key ? small : key % ROW_SPACE;
}

export function isRowId(row: number): boolean {
  return Number.isInteger(row) && row >= 0 && row < ROW_SPACE;
}
