// WebAssembly SIMD kernels for long dense float rows: add, finite check, and v + 0 (which turns −0 into +0),
// alone or with the finite check in the same pass, in place or from one row to another.
//
// Why our own code here: V8 does not vectorise typed-array loops, and a Float32Array add costs a float64
// round trip per value, ~1.3–1.7 ns a value on this project's machines; f32x4 / f64x2 lanes do it in
// ~0.1–0.2 ns. Rows live in JavaScript typed arrays, so a kernel copies them into wasm memory and back
// (`TypedArray.set`, a memcpy, ~0.1 ns a value each way) and a call costs ~0.25 µs, so below SIMD_MIN_VALUES
// the copies and the call cost more than the lanes save and callers keep their JavaScript loops (measured on
// float32 rows: 0.5× a JavaScript add at 64 values, even at 128, 1.7× at 256, 5× at 1,024, 3.9× at 64 K).
//
// The results are bit for bit those of the JavaScript loops: IEEE adds round the same in a lane as in a
// scalar (float32 `a += b` in JavaScript rounds the float64 sum once more, which for one add of two float32
// values is exact-then-rounded either way), and x·0 is NaN exactly for ±∞ and NaN in both.
//
// The module is a few dozen bytes assembled below from named opcodes, rather than a checked-in binary, so a
// reader can check every instruction against the WebAssembly SIMD specification.

/** Rows at least this long go through the SIMD kernels (the measured break-even, above). */
export const SIMD_MIN_VALUES = 128;

type FloatRow = Float32Array | Float64Array;

const I32 = 0x7f;
const V128 = 0x7b;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_GT_U = 0x4b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a non-negative n, as i32.const takes its operand (bit 6 of the last byte is the sign). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (; n >= 64; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

const localGet = (i: number): number[] => [0x20, i];
const localSet = (i: number): number[] => [0x21, i];
const localTee = (i: number): number[] => [0x22, i];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
/** v128.load / v128.store with a 16-byte alignment hint, `offset` bytes past the address on the stack. */
const v128Load = (offset: number): number[] => [...simd(0x00), 4, ...uleb(offset)];
const v128Store = (offset: number): number[] => [...simd(0x0b), 4, ...uleb(offset)];
const I32X4_ALL_TRUE = simd(0xa3);
const V128_OR = simd(0x50);

interface Lanes {
  add: number;
  mul: number;
  eq: number;
}
const F32X4: Lanes = { add: 0xe4, mul: 0xe6, eq: 0x41 };
const F64X2: Lanes = { add: 0xf0, mul: 0xf2, eq: 0x47 };

/** Bytes a kernel's main loop covers per turn: four vectors, so the loop's own work is paid once per four. */
const UNROLLED_BYTES = 64;

/**
 * `for (; i + stride <= bytes; i += stride) body`, with i in local `counter` and the byte count in local
 * `bytes`. (The stride is a signed LEB128 constant: 64 takes two bytes.)
 */
function loopBy(stride: number, counter: number, bytes: number, body: number[]): number[] {
  const strideConst = [I32_CONST, ...sleb(stride)];
  return [
    ...BLOCK,
    ...LOOP,
    ...localGet(counter),
    ...strideConst,
    I32_ADD,
    ...localGet(bytes),
    I32_GT_U,
    BR_IF,
    1,
    ...body,
    ...localGet(counter),
    ...strideConst,
    I32_ADD,
    ...localSet(counter),
    BR,
    0,
    END,
    END,
  ];
}

/**
 * `step(offset)` over every 16 bytes of [0, bytes), bytes a multiple of 16: four vectors a turn while 64
 * bytes are left, then one a turn. Counter in local `counter` (starting at 0), byte count in local `bytes`.
 */
function eachVector(counter: number, bytes: number, step: (offset: number) => number[]): number[] {
  const four = [0, 16, 32, 48].flatMap(step);
  return [...loopBy(UNROLLED_BYTES, counter, bytes, four), ...loopBy(16, counter, bytes, step(0))];
}

/** address = local p + local counter */
const at = (p: number, counter: number): number[] => [...localGet(p), ...localGet(counter), I32_ADD];

/** add(dst, src, bytes): dst[k] += src[k] lane by lane. Locals: 0 dst, 1 src, 2 bytes, 3 i. */
function addBody(lanes: Lanes): number[] {
  const step = (offset: number): number[] => [
    ...at(0, 3),
    ...at(0, 3),
    ...v128Load(offset),
    ...at(1, 3),
    ...v128Load(offset),
    ...simd(lanes.add),
    ...v128Store(offset),
  ];
  return [...uleb(1), 1, I32, ...eachVector(3, 2, step), END];
}

/**
 * A kernel (p…, bytes) → i32, with `pointers` address parameters, that runs `step` over every 16 bytes and
 * returns 1 if the bits it ORs together in the first v128 local make no NaN lane (a NaN lane is the one lane
 * not equal to itself). Locals: the pointers from 0, then bytes, then i, then `vectors` v128s, all starting
 * at 0. With one pointer: 0 p, 1 bytes, 2 i, v128s from 3.
 */
function orIsFiniteBody(
  lanes: Lanes,
  pointers: number,
  vectors: number,
  step: (offset: number) => number[],
): number[] {
  const bytes = pointers;
  const counter = pointers + 1;
  const seen = pointers + 2;
  return [
    ...uleb(2),
    1,
    I32,
    vectors,
    V128,
    ...eachVector(counter, bytes, step),
    ...localGet(seen),
    ...localGet(seen),
    ...simd(lanes.eq),
    ...I32X4_ALL_TRUE,
    END,
  ];
}

/**
 * finite(p, bytes) → 1 if every value is finite, else 0: p[k]·0 is ±0 for a finite value and NaN for ±∞ or
 * NaN, and ORing those bits into `seen` keeps a NaN's all-ones exponent and non-zero fraction. An OR, not a
 * sum, so that no step waits for the last one's add. Locals from 3: seen, zero.
 */
function finiteBody(lanes: Lanes): number[] {
  const step = (offset: number): number[] => [
    ...localGet(3),
    ...at(0, 2),
    ...v128Load(offset),
    ...localGet(4),
    ...simd(lanes.mul),
    ...V128_OR,
    ...localSet(3),
  ];
  return orIsFiniteBody(lanes, 1, 2, step);
}

/**
 * One step of a checked copy from the row at local `src` to the row at local `dst` (the same local for an
 * in-place copy): dst[k] = src[k] + 0, and seen |= src[k] · 0. `pointers` locals come first, then bytes
 * and the counter, then the v128s seen, zero and v.
 */
function copyCheckStep(
  lanes: Lanes,
  dst: number,
  src: number,
  pointers: number,
): (offset: number) => number[] {
  const counter = pointers + 1;
  const seen = pointers + 2;
  const zero = seen + 1;
  const v = seen + 2;
  return (offset: number): number[] => [
    ...at(dst, counter),
    ...at(src, counter),
    ...v128Load(offset),
    ...localTee(v),
    ...localGet(zero),
    ...simd(lanes.add),
    ...v128Store(offset),
    ...localGet(seen),
    ...localGet(v),
    ...localGet(zero),
    ...simd(lanes.mul),
    ...V128_OR,
    ...localSet(seen),
  ];
}

/**
 * copyFinite(p, bytes) → what finite returns, and p[k] = p[k] + 0 as it goes: the check and the v + 0 of a
 * copy in one pass. Locals from 3: seen, zero, v.
 */
function copyFiniteBody(lanes: Lanes): number[] {
  return orIsFiniteBody(lanes, 1, 3, copyCheckStep(lanes, 0, 0, 1));
}

/**
 * copyFiniteFrom(dst, src, bytes) → what finite returns for src, and dst[k] = src[k] + 0: the copy, its check
 * and its v + 0 in one pass, for two rows both in kernel memory. Locals: 0 dst, 1 src, 2 bytes, 3 i, then
 * the v128s seen, zero, v.
 */
function copyFiniteFromBody(lanes: Lanes): number[] {
  return orIsFiniteBody(lanes, 2, 3, copyCheckStep(lanes, 0, 1, 2));
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

const EXPORTS = [
  "addF32",
  "addF64",
  "finiteF32",
  "finiteF64",
  "copyFiniteF32",
  "copyFiniteF64",
  "copyFiniteFromF32",
  "copyFiniteFromF64",
] as const;

function moduleBytes(): Uint8Array {
  const voidOf3 = [0x60, 3, I32, I32, I32, 0];
  const i32Of2 = [0x60, 2, I32, I32, 1, I32];
  const i32Of3 = [0x60, 3, I32, I32, I32, 1, I32];
  const bodies = [
    addBody(F32X4),
    addBody(F64X2),
    finiteBody(F32X4),
    finiteBody(F64X2),
    copyFiniteBody(F32X4),
    copyFiniteBody(F64X2),
    copyFiniteFromBody(F32X4),
    copyFiniteFromBody(F64X2),
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([voidOf3, i32Of2, i32Of3])),
    ...section(3, vector([[0], [0], [1], [1], [1], [1], [2], [2]])),
    // One page of memory (64 KB): two SIMD_CHUNK_BYTES scratch regions.
    ...section(5, vector([[0x00, 1]])),
    ...section(7, vector([[...name("memory"), 0x02, 0], ...EXPORTS.map((e, i) => [...name(e), 0x00, i])])),
    ...section(10, vector(bodies.map((b) => [...uleb(b.length), ...b]))),
  ]);
}

export interface Kernels {
  memory: WebAssembly.Memory;
  addF32(dst: number, src: number, bytes: number): void;
  addF64(dst: number, src: number, bytes: number): void;
  finiteF32(p: number, bytes: number): number;
  finiteF64(p: number, bytes: number): number;
  copyFiniteF32(p: number, bytes: number): number;
  copyFiniteF64(p: number, bytes: number): number;
  copyFiniteFromF32(dst: number, src: number, bytes: number): number;
  copyFiniteFromF64(dst: number, src: number, bytes: number): number;
}

/** A fresh instance of the kernels, with a memory of its own (the functions below share one). */
export function instantiateKernels(): Kernels {
  return new WebAssembly.Instance(new WebAssembly.Module(moduleBytes() as BufferSource), {})
    .exports as unknown as Kernels;
}

let kernels: Kernels | null = null;
let f32 = new Float32Array(0);
let f64 = new Float64Array(0);
/** The shared kernels' memory's buffer, kept: the getter costs a call into the engine. */
let memoryBuffer: ArrayBuffer | null = null;

/**
 * Where the arena (core/kernel-arena.ts) starts in the shared kernels' memory: after the one 64 KB page that
 * holds the two scratch chunks.
 */
export const KERNEL_ARENA_OFFSET = 64 * 1024;
/**
 * Bytes of the arena. The system gives its pages only as they are first written, so an unused arena costs
 * address space, not memory.
 */
export const KERNEL_ARENA_BYTES = 64 << 20;
const PAGE_BYTES = 64 * 1024;

/** Views of the shared kernels' memory, taken again whenever it grows (growing detaches every view). */
function viewMemory(k: Kernels): void {
  memoryBuffer = k.memory.buffer;
  f32 = new Float32Array(memoryBuffer);
  f64 = new Float64Array(memoryBuffer);
}

/**
 * The shared kernels, and views of their memory: two scratch regions of one chunk each, the first at 0 and
 * the second at SECOND_OPERAND, in the module's one page; then, once kernelArenaBuffer has grown it, the
 * arena. Callers go a chunk at a time through the scratch regions.
 */
function shared(): Kernels {
  if (kernels === null) {
    kernels = instantiateKernels();
    viewMemory(kernels);
  }
  return kernels;
}

/**
 * The shared kernels' memory, grown to hold the arena on the first call (before the arena hands out any
 * view, since growing detaches them). Only then: a process whose kernel memory had grown pushed a stream of
 * 4 KB rows ~7% slower (medians of 6 runs; the cause is inside V8, not found), and a process that moves no
 * long rows never needs the arena.
 */
export function kernelArenaBuffer(): ArrayBuffer {
  const k = shared();
  const bytes = (memoryBuffer as ArrayBuffer).byteLength;
  if (bytes < KERNEL_ARENA_OFFSET + KERNEL_ARENA_BYTES) {
    k.memory.grow((KERNEL_ARENA_OFFSET + KERNEL_ARENA_BYTES - bytes) / PAGE_BYTES);
    viewMemory(k);
  }
  return memoryBuffer as ArrayBuffer;
}

/** Whether a row lives in the shared kernels' memory, where they can work on it without copying it. */
function inKernelMemory(row: FloatRow): boolean {
  return row.buffer === memoryBuffer;
}

/** Copies `row` into wasm memory at byte `offset`, zeroing the lanes after it up to the next 16 bytes. */
function load(row: FloatRow, offset: number): number {
  if (row instanceof Float32Array) {
    const at = offset >> 2;
    f32.set(row, at);
    f32.fill(0, at + row.length, at + ((row.length + 3) & ~3));
  } else {
    const at = offset >> 3;
    f64.set(row, at);
    if (row.length & 1) f64[at + row.length] = 0;
  }
  return (row.byteLength + 15) & ~15;
}

function store(row: FloatRow, offset: number): void {
  if (row instanceof Float32Array) row.set(f32.subarray(offset >> 2, (offset >> 2) + row.length));
  else row.set(f64.subarray(offset >> 3, (offset >> 3) + row.length));
}

/**
 * Bytes of each operand one kernel call works on. A long row goes through wasm memory a chunk at a time, so
 * both operands stay in the L1 cache between copy-in, kernel and copy-out: a 4 MB row then costs one read
 * and one write of main memory per operand instead of a round trip of the whole row through wasm memory
 * (adding 1 M-float rows: ~1.9 times faster).
 */
export const SIMD_CHUNK_BYTES = 16 * 1024;

/** Where a kernel's second operand goes in wasm memory: after the first operand's chunk. */
const SECOND_OPERAND = SIMD_CHUNK_BYTES;

/** Values of `row`'s type in one chunk. */
function chunkValues(row: FloatRow): number {
  return SIMD_CHUNK_BYTES / row.BYTES_PER_ELEMENT;
}

/** The part [from, to) of a row, without a new view when that is the whole row. */
function part(row: FloatRow, from: number, to: number): FloatRow {
  return from === 0 && to === row.length ? row : row.subarray(from, to);
}

/** target[k] += source[k]; both the same float type and length. */
export function simdAdd(target: FloatRow, source: FloatRow): void {
  const k = shared();
  const float32 = target instanceof Float32Array;
  // A source in kernel memory (a frame the runtime read there) is read where it is. The kernel's last lanes
  // may read up to 12 bytes past its end, which the arena's blocks leave room for; those lanes' sums fall past
  // the target's chunk in scratch memory and are never stored.
  const sourceInPlace = inKernelMemory(source);
  const per = chunkValues(target);
  for (let from = 0; from < target.length; from += per) {
    const to = Math.min(from + per, target.length);
    const t = part(target, from, to);
    const bytes = load(t, 0);
    let src = SECOND_OPERAND;
    if (sourceInPlace) src = source.byteOffset + from * source.BYTES_PER_ELEMENT;
    else load(part(source, from, to), SECOND_OPERAND);
    if (float32) k.addF32(0, src, bytes);
    else k.addF64(0, src, bytes);
    store(t, 0);
  }
}

/** Whether v (a value of a row in kernel memory past its last whole 16 bytes) is finite, as the kernels judge. */
function finiteValue(v: number): boolean {
  return v - v === 0;
}

/** Whether every value is finite (no NaN, no ±∞). */
export function simdAllFinite(values: FloatRow): boolean {
  const k = shared();
  const float32 = values instanceof Float32Array;
  if (inKernelMemory(values)) {
    // In place, and in one call: the lanes of whole 16 bytes, then the few values after them.
    const whole = values.byteLength & ~15;
    if ((float32 ? k.finiteF32(values.byteOffset, whole) : k.finiteF64(values.byteOffset, whole)) !== 1)
      return false;
    for (let i = whole / values.BYTES_PER_ELEMENT; i < values.length; i++)
      if (!finiteValue(values[i])) return false;
    return true;
  }
  const per = chunkValues(values);
  for (let from = 0; from < values.length; from += per) {
    const bytes = load(part(values, from, Math.min(from + per, values.length)), 0);
    if ((float32 ? k.finiteF32(0, bytes) : k.finiteF64(0, bytes)) !== 1) return false;
  }
  return true;
}

/**
 * target[k] = source[k] + 0 if every source value is finite, and returns true; otherwise returns false, with
 * target partly written. (0 + v is what adding a row of deltas into a zero row stores: −0 becomes +0.)
 */
export function simdCopyFinite(target: FloatRow, source: FloatRow): boolean {
  const k = shared();
  const float32 = source instanceof Float32Array;
  const per = chunkValues(source);
  // A target in kernel memory (a delta row from the arena) is copied straight into, and the kernel then adds
  // the 0 and checks in place, while the chunk is still in the L1 cache: one copy instead of two. The lanes
  // of the last whole 16 bytes end the kernel's work; the values after them are done here.
  const targetInPlace = inKernelMemory(target);
  if (targetInPlace && inKernelMemory(source)) {
    // Both in kernel memory (an app's row from newKernelDense): the copy itself is the kernel's, one pass.
    const whole = source.byteLength & ~15;
    const ok = float32
      ? k.copyFiniteFromF32(target.byteOffset, source.byteOffset, whole)
      : k.copyFiniteFromF64(target.byteOffset, source.byteOffset, whole);
    if (ok !== 1) return false;
    for (let i = whole / source.BYTES_PER_ELEMENT; i < source.length; i++) {
      if (!finiteValue(source[i])) return false;
      target[i] = source[i] + 0;
    }
    return true;
  }
  for (let from = 0; from < source.length; from += per) {
    const to = Math.min(from + per, source.length);
    if (targetInPlace) {
      const t = part(target, from, to);
      t.set(part(source, from, to));
      const whole = t.byteLength & ~15;
      const ok = float32 ? k.copyFiniteF32(t.byteOffset, whole) : k.copyFiniteF64(t.byteOffset, whole);
      if (ok !== 1) return false;
      for (let i = whole / t.BYTES_PER_ELEMENT; i < t.length; i++) {
        if (!finiteValue(t[i])) return false;
        t[i] += 0;
      }
      continue;
    }
    const bytes = load(part(source, from, to), 0);
    if ((float32 ? k.copyFiniteF32(0, bytes) : k.copyFiniteF64(0, bytes)) !== 1) return false;
    store(part(target, from, to), 0);
  }
  return true;
}
