// One number names a (table, row) pair, so maps stay keyed by numbers on the hot paths.

const ROW_SPACE = 4294967296; // 2^32 rows per table; table ids are below 2^16, so keys stay below 2^48.

export function rowKey(table: number, row: number): number {
  return table * ROW_SPACE + row;
}

export function keyTable(key: number): number {
  return Math.floor(key / ROW_SPACE);
}

export function keyRow(key: number): number {
  return key % ROW_SPACE;
}

export function isRowId(row: number): boolean {
  return Number.isInteger(row) && row >= 0 && row < ROW_SPACE;
}
