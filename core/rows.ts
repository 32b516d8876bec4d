// Row storage: dense rows are typed arrays; sparse rows are maps from column to value.
// Every add goes through here so that int32 wraps and float32 rounds the same way everywhere.

import { ARENA_MIN_BYTES, arenaAlloc, arenaFree } from "./kernel-arena.ts";
import { SIMD_MIN_VALUES, simdAdd, simdCopyFinite } from "./simd.ts";
import type { TableSpec, ValueType } from "./tables.ts";

export type DenseValues = Float64Array | Float32Array | Int32Array;

export class SparseValues {
  readonly entries = new Map<number, number>();
  constructor(readonly valueType: ValueType) {}
}

export type RowValues = DenseValues | SparseValues;

// Rows of a few dozen values are carved out of shared slabs. A typed array with a buffer of its own costs a
// native allocation and garbage-collector bookkeeping (V8 keeps buffers over 64 bytes off its heap); a view
// into a slab costs one small object. Slab regions are never reused, so a carved row starts zeroed.
const SLAB_BYTES = 1 << 14;
/** Rows up to this long are carved from slabs; the recycled pool keeps only longer ones. */
export const SLAB_ROW_MAX_BYTES = 1 << 10;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsedBytes = 0;

function carve(bytes: number): number {
  if (slabUsedBytes + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsedBytes = 0;
  }
  const offset = slabUsedBytes;
  slabUsedBytes += (bytes + 7) & ~7;
  return offset;
}

// Memory of rows too long for a slab, handed back (recycleDense, recycleBuffer) once nothing referred to it,
// by byte length. A fresh long typed array costs a zeroed native allocation and, summed over a stream of
// them, garbage collections forced by external memory: on a 256 KB-row push that was a third of the sending
// process's time. A received frame costs the same in page faults, so the runtime reads frames into it too.
const RECYCLED_MAX_BYTES = 64 << 20;
const recycled = new Map<number, ArrayBuffer[]>();
let recycledBytes = 0;

/** Hands back a buffer that nothing refers to any more, for newDense or reuseBuffer to hand out again. */
export function recycleBuffer(buffer: ArrayBuffer): void {
  const bytes = buffer.byteLength;
  if (bytes <= SLAB_ROW_MAX_BYTES || recycledBytes + bytes > RECYCLED_MAX_BYTES) return;
  const free = recycled.get(bytes);
  if (free === undefined) recycled.set(bytes, [buffer]);
  else free.push(buffer);
  recycledBytes += bytes;
}

/** A recycled buffer of exactly this many bytes, its contents left as they were; undefined if none. */
export function reuseBuffer(byteLength: number): ArrayBuffer | undefined {
  if (recycledBytes === 0) return undefined;
  const buffer = recycled.get(byteLength)?.pop();
  if (buffer !== undefined) recycledBytes -= byteLength;
  return buffer;
}

/**
 * Hands back a row nothing refers to any more, for newDense to reuse, or its block to the kernel arena if
 * newKernelDense made it. Only rows with a buffer of their own are kept: not those carved from a slab, nor
 * views into a larger buffer (a frame's, say).
 */
export function recycleDense(values: DenseValues): void {
  // Length first: asking a short typed array for its buffer makes V8 move it off its heap.
  if (values.byteLength <= SLAB_ROW_MAX_BYTES) return;
  if (values.buffer.byteLength === values.byteLength) recycleBuffer(values.buffer as ArrayBuffer);
  else if (values.byteLength >= ARENA_MIN_BYTES) arenaFree(values);
}

/**
 * A float row whose values the caller is about to set, every one: in the SIMD kernels' memory when it is long
 * enough and the arena has room (core/kernel-arena.ts), where copying into it and checking it take one copy,
 * else from newDense. Only for a host that hands it back with recycleDense, or drops it: the garbage
 * collector then returns the block.
 */
export function newKernelDense(valueType: "float32" | "float64", width: number): Float32Array | Float64Array {
  const Type = valueType === "float32" ? Float32Array : Float64Array;
  const bytes = width * Type.BYTES_PER_ELEMENT;
  const row =
    bytes >= ARENA_MIN_BYTES
      ? arenaAlloc(bytes, (buffer, byteOffset) => new Type(buffer, byteOffset, width))
      : null;
  return row ?? (newDense(valueType, width, true) as Float32Array | Float64Array);
}

/** A zero row; with `overwrite`, a row whose values the caller is about to set, every one (maybe not zero). */
export function newDense(valueType: ValueType, width: number, overwrite = false): DenseValues {
  const bytes = width * (valueType === "float64" ? 8 : 4);
  if (bytes > 64 && bytes <= SLAB_ROW_MAX_BYTES) {
    const offset = carve(bytes);
    if (valueType === "int32") return new Int32Array(slab, offset, width);
    if (valueType === "float32") return new Float32Array(slab, offset, width);
    return new Float64Array(slab, offset, width);
  }
  const buffer = bytes > SLAB_ROW_MAX_BYTES ? reuseBuffer(bytes) : undefined;
  if (buffer !== undefined) {
    const values = new (denseArrayType(valueType))(buffer);
    return overwrite ? values : values.fill(0);
  }
  if (valueType === "int32") return new Int32Array(width);
  if (valueType === "float32") return new Float32Array(width);
  return new Float64Array(width);
}

/** A zero row: the shape of a delta. */
export function newRow(spec: TableSpec): RowValues {
  return spec.rowKind === "sparse" ? new SparseValues(spec.valueType) : newDense(spec.valueType, spec.width);
}

/** A row as the shard first creates it: zero, or the table's initial value. */
export function initialRow(spec: TableSpec, row: number): RowValues {
  const values = newRow(spec);
  if (spec.initRow !== undefined && !(values instanceof SparseValues)) spec.initRow(row, values);
  return values;
}

export function cloneRow(values: RowValues): RowValues {
  if (values instanceof SparseValues) {
    const copy = new SparseValues(values.valueType);
    for (const [col, v] of values.entries) copy.entries.set(col, v);
    return copy;
  }
  const copy = newDense(valueTypeOf(values), values.length);
  copy.set(values);
  return copy;
}

/** The typed array that holds a dense row of this value type. */
export function denseArrayType(
  valueType: ValueType,
): Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor {
  return valueType === "int32" ? Int32Array : valueType === "float32" ? Float32Array : Float64Array;
}

function valueTypeOf(values: DenseValues): ValueType {
  return values instanceof Float64Array ? "float64" : values instanceof Float32Array ? "float32" : "int32";
}

function storeAs(valueType: ValueType, x: number): number {
  if (valueType === "int32") return x | 0;
  if (valueType === "float32") return Math.fround(x);
  return x;
}

/** target[col] += delta. Typed arrays wrap/round by themselves; sparse values are rounded explicitly. */
export function addAt(target: RowValues, col: number, delta: number): void {
  if (target instanceof SparseValues) {
    const next = storeAs(target.valueType, (target.entries.get(col) ?? 0) + delta);
    if (next === 0) target.entries.delete(col);
    else target.entries.set(col, next);
    return;
  }
  target[col] += delta;
}

/** target += source, element-wise. Both rows come from the same table, so they are the same kind. */
export function addRow(target: RowValues, source: RowValues): void {
  if (target instanceof SparseValues) {
    if (!(source instanceof SparseValues)) throw new TypeError("addRow: sparse target with dense source");
    for (const [col, v] of source.entries) addAt(target, col, v);
    return;
  }
  if (source instanceof SparseValues) throw new TypeError("addRow: dense target with sparse source");
  const n = target.length;
  if (source.length !== n) throw new RangeError(`addRow: width ${source.length} does not match ${n}`);
  if (n >= SIMD_MIN_VALUES && !(target instanceof Int32Array) && target.constructor === source.constructor) {
    simdAdd(target, source as typeof target);
    return;
  }
  // Four values a step: the same adds in the same order per value, with a quarter less loop overhead.
  let i = 0;
  for (; i + 3 < n; i += 4) {
    target[i] += source[i];
    target[i + 1] += source[i + 1];
    target[i + 2] += source[i + 2];
    target[i + 3] += source[i + 3];
  }
  for (; i < n; i++) target[i] += source[i];
}

/**
 * target[k] = source[k] + 0 (what adding source into a zero row stores: −0 becomes +0, floats round alike)
 * if every source value is finite, and returns true; otherwise returns false, target partly written.
 * One pass instead of a check pass and then an add pass.
 */
export function copyIfFinite(target: Float32Array | Float64Array, source: ArrayLike<number>): boolean {
  const n = target.length;
  if (n >= SIMD_MIN_VALUES && source.constructor === target.constructor) {
    return simdCopyFinite(target, source as typeof target);
  }
  // x·0 is 0 for finite x and NaN for ±∞ and NaN; two sums, so the adds do not wait on each other.
  let p0 = 0;
  let p1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a = source[i];
    const b = source[i + 1];
    p0 += a * 0;
    p1 += b * 0;
    target[i] = a + 0;
    target[i + 1] = b + 0;
  }
  if (i < n) {
    p0 += source[i] * 0;
    target[i] = source[i] + 0;
  }
  return p0 + p1 === 0;
}

export function getAt(values: RowValues, col: number): number {
  if (values instanceof SparseValues) return values.entries.get(col) ?? 0;
  return values[col];
}

export function isZeroRow(values: RowValues): boolean {
  if (values instanceof SparseValues) return values.entries.size === 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) return false;
  return true;
}

/** Number of stored values: what a row costs on the wire and in memory. */
export function storedCount(values: RowValues): number {
  return values instanceof SparseValues ? values.entries.size : values.length;
}

export function bytesPerValue(valueType: ValueType): number {
  return valueType === "float64" ? 8 : 4;
}

/** Bytes a row occupies on the wire: raw values for dense rows, (column, value) pairs for sparse ones. */
export function rowPayloadBytes(values: RowValues, valueType: ValueType): number {
  const n = storedCount(values);
  return values instanceof SparseValues ? n * (4 + bytesPerValue(valueType)) : n * bytesPerValue(valueType);
}

/** What an app sees: an immutable snapshot of a row taken when the read completed. */
export class RowView {
  constructor(
    readonly width: number,
    private readonly values: RowValues,
  ) {}

  get(col: number): number {
    return getAt(this.values, col);
  }

  /** The dense values (a copy for sparse rows). Do not write to it: it is this read's snapshot. */
  array(): DenseValues {
    const v = this.values;
    if (!(v instanceof SparseValues)) return v;
    const out = newDense(v.valueType, this.width);
    for (const [col, x] of v.entries) out[col] = x;
    return out;
  }

  /** Non-zero (column, value) pairs in column order. */
  nonZeros(): Array<[number, number]> {
    const v = this.values;
    if (v instanceof SparseValues) return [...v.entries].sort((a, b) => a[0] - b[0]);
    const out: Array<[number, number]> = [];
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) out.push([i, v[i]]);
    return out;
  }
}
