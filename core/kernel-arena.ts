// Blocks of the SIMD kernels' own memory (core/simd.ts) for long rows and frames, so that the kernels work
// on them where they are instead of copying them in and out a chunk at a time. A server that reads a pushed
// row's frame into a block checks and adds it without copying it first; a worker that copies an app's row
// into a block as its delta checks it there. On a 1 M-float push those copies were a third of each side's
// memory traffic.
//
// Blocks are kept by size for reuse and never merged: the runtime asks for a few sizes over and over (its
// frames and rows), and when the arena is full callers get null and use ordinary memory, so fragmentation
// costs speed, never correctness. A block whose view nobody gives back returns when the garbage collector
// finds the view unreachable, so a forgotten view never leaks a block for good.

import { KERNEL_ARENA_BYTES, KERNEL_ARENA_OFFSET, kernelArenaBuffer } from "./simd.ts";

/** Shorter requests get ordinary memory: below this, the copies the arena saves cost less than its upkeep. */
export const ARENA_MIN_BYTES = 64 * 1024;
/** Blocks are multiples of this, so every block starts on a cache line. */
const BLOCK_ALIGN_BYTES = 64;
/** A kernel works in 16-byte lanes and may read up to 12 bytes past a row's end: each block has room for it. */
const LANE_SLACK_BYTES = 16;

interface Block {
  offset: number;
  bytes: number;
}

let top = KERNEL_ARENA_OFFSET;
const freeBySize = new Map<number, number[]>();
/** The block behind each view handed out and not yet given back. */
const blockOf = new WeakMap<object, Block>();
const finalizer = new FinalizationRegistry<Block>(giveBack);

function giveBack(block: Block): void {
  const free = freeBySize.get(block.bytes);
  if (free === undefined) freeBySize.set(block.bytes, [block.offset]);
  else free.push(block.offset);
}

/**
 * A view, made by `view`, of a block of at least `bytes` bytes in kernel memory (its contents left as they
 * were); null if `bytes` is under ARENA_MIN_BYTES or the arena has no room. Give it back with arenaFree.
 */
export function arenaAlloc<T extends object>(
  bytes: number,
  view: (buffer: ArrayBuffer, byteOffset: number) => T,
): T | null {
  if (bytes < ARENA_MIN_BYTES) return null;
  const blockBytes = (bytes + LANE_SLACK_BYTES + BLOCK_ALIGN_BYTES - 1) & -BLOCK_ALIGN_BYTES;
  let offset = freeBySize.get(blockBytes)?.pop();
  if (offset === undefined) {
    if (top + blockBytes > KERNEL_ARENA_OFFSET + KERNEL_ARENA_BYTES) return null;
    offset = top;
    top += blockBytes;
  }
  const block = { offset, bytes: blockBytes };
  const made = view(kernelArenaBuffer(), offset);
  blockOf.set(made, block);
  finalizer.register(made, block, made);
  return made;
}

/**
 * Gives back the block behind a view arenaAlloc made, and returns true; returns false, and does nothing, for
 * any other object, or for a view already given back. The view, and every view of its bytes, must not be
 * used again.
 */
export function arenaFree(view: object): boolean {
  const block = blockOf.get(view);
  if (block === undefined) return false;
  blockOf.delete(view);
  finalizer.unregister(view);
  giveBack(block);
  return true;
}

/** Bytes of the arena in blocks handed out and not given back (for tests and diagnostics). */
export function arenaBytesInUse(): number {
  let free = 0;
  for (const [bytes, offsets] of freeBySize) free += bytes * offsets.length;
  return top - KERNEL_ARENA_OFFSET - free;
}
