// Cuts a TCP byte stream into frames. Chunks are kept as they arrive and joined only once a whole frame is
// there, so a 8 MB row split over hundreds of chunks is copied once. The header is checked as soon as its
// 20 bytes are in, so an oversized or foreign frame is refused before its payload is buffered.

import { arenaAlloc, arenaFree } from "../core/kernel-arena.ts";
import {
  type RowValues,
  recycleBuffer,
  recycleDense,
  reuseBuffer,
  SLAB_ROW_MAX_BYTES,
  SparseValues,
} from "../core/rows.ts";
import { checkHeader, decodeFrame, type Frame, HEADER_BYTES, type WireSchema } from "./codec.ts";
import { WireError } from "./wire-error.ts";

/**
 * Frames with at least this many bytes still to come are read in place (see readTarget). Below it, one read
 * of a socket's fixed buffer carrying several frames costs less than a read per frame.
 */
export const DIRECT_READ_MIN_BYTES = 32 * 1024;

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being assembled, once its header has been read. */
  private frameBytes = -1;
  private broken: WireError | null = null;
  /**
   * Set by a consumer that is done with every frame before its next push() or pushTransient() (see
   * Connection.consumeInPlace): a frame joined from several chunks, or copied out of transient bytes, is
   * then built in one buffer kept for the next, instead of a fresh one. A fresh multi-megabyte buffer costs
   * more in page faults than the copy into it, and a stream of fresh ones keeps the garbage collector busy.
   */
  reuseJoinBuffer = false;
  private joinBuffer: Buffer | null = null;
  /** The join buffer holds a frame returned by the current call, or the frame being assembled. */
  private joinBusy = false;
  /** The frame being assembled by pushTransient is in the join buffer. */
  private assemblyInJoinBuffer = false;

  // pushTransient's state: the frame being copied in (its size known from its header), or the first bytes of
  // a header that has not all arrived.
  private assembly: Buffer | null = null;
  private assemblyFill = 0;
  private readonly headerCarry = Buffer.alloc(HEADER_BYTES);
  private headerFill = 0;
  /** Bytes of the last frame pushTransient completed. */
  private lastFrameBytes = 0;

  constructor(public schema: WireSchema) {}

  /** Bytes received but not yet part of a returned frame. */
  get pendingBytes(): number {
    return this.buffered + this.assemblyFill + this.headerFill;
  }

  /**
   * Where the stream's next bytes should be read to, for pushTransient, or null for anywhere (see
   * net.ts's ReadTarget): the unfilled part of a long frame being assembled, so that the kernel writes its
   * bytes in place and pushTransient copies nothing; and, after a long frame, just the next header, so that
   * the frame after it is read in place too instead of starting in the socket's buffer.
   */
  readTarget(): Buffer | null {
    if (this.broken !== null) return null;
    if (this.assembly !== null) {
      return this.assembly.length - this.assemblyFill >= DIRECT_READ_MIN_BYTES
        ? this.assembly.subarray(this.assemblyFill)
        : null;
    }
    return this.headerFill === 0 && this.lastFrameBytes >= DIRECT_READ_MIN_BYTES ? this.headerCarry : null;
  }

  /** Frames go here as they complete, during push(…, onFrame) and pushTransient(…, onFrame). */
  private onFrame: ((frame: Frame) => void) | null = null;

  /**
   * Adds bytes and returns the frames they complete. After a WireError the decoder refuses all input.
   * With `onFrame`, each frame goes to it as soon as it is complete instead, and the join buffer (see
   * reuseJoinBuffer) is free again once it returns: a read that ends one frame and starts the next then
   * needs no second buffer. `onFrame` must not throw.
   */
  push(chunk: Buffer, onFrame?: (frame: Frame) => void): Frame[] {
    return this.guarded(() => this.take(chunk), onFrame);
  }

  /**
   * Like push, for bytes in a buffer the caller reuses as soon as this returns (a socket read into one fixed
   * buffer, `onread`): each frame is copied into a buffer of its own as its bytes arrive, one copy per byte,
   * as push's join makes for long frames, and no buffer per socket read. Use one of push and pushTransient
   * per decoder.
   */
  pushTransient(bytes: Buffer, onFrame?: (frame: Frame) => void): Frame[] {
    return this.guarded(() => this.takeTransient(bytes), onFrame);
  }

  private guarded(step: () => Frame[], onFrame: ((frame: Frame) => void) | undefined): Frame[] {
    if (this.broken !== null) throw this.broken;
    this.onFrame = onFrame ?? null;
    try {
      return step();
    } catch (e) {
      this.broken = e instanceof WireError ? e : new WireError("field", (e as Error).message);
      throw this.broken;
    } finally {
      this.onFrame = null;
    }
  }

  /** Hands a complete frame to onFrame, after which the join buffer is free, or adds it to `frames`. */
  private emit(frames: Frame[], frame: Frame): void {
    if (this.onFrame === null) {
      frames.push(frame);
      return;
    }
    this.onFrame(frame);
    this.joinBusy = false;
  }

  private takeTransient(bytes: Buffer): Frame[] {
    this.joinBusy = this.assemblyInJoinBuffer;
    const frames: Frame[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (this.assembly === null) {
        // A frame starts: its header says how long it is, and is checked before any payload is kept.
        let header: Buffer;
        if (this.headerFill === 0 && bytes.length - at >= HEADER_BYTES) {
          header = bytes.subarray(at, at + HEADER_BYTES);
        } else {
          const take = Math.min(HEADER_BYTES - this.headerFill, bytes.length - at);
          bytes.copy(this.headerCarry, this.headerFill, at, at + take);
          this.headerFill += take;
          at += take;
          if (this.headerFill < HEADER_BYTES) return frames;
          header = this.headerCarry;
        }
        const frameBytes = HEADER_BYTES + checkHeader(header, this.schema.maxFrameBytes).payloadBytes;
        this.assemblyInJoinBuffer = this.reuseJoinBuffer && !this.joinBusy;
        this.assembly = this.assemblyInJoinBuffer ? this.joinTarget(frameBytes) : frameBuffer(frameBytes);
        if (header === this.headerCarry) {
          this.headerCarry.copy(this.assembly, 0);
          this.assemblyFill = HEADER_BYTES;
          this.headerFill = 0;
        } else {
          this.assemblyFill = 0;
        }
      }
      const frame = this.assembly;
      const reused = this.assemblyInJoinBuffer;
      const take = Math.min(frame.length - this.assemblyFill, bytes.length - at);
      // Bytes read in place (readTarget) are already where they belong.
      const inPlace =
        bytes.buffer === frame.buffer && bytes.byteOffset + at === frame.byteOffset + this.assemblyFill;
      if (!inPlace) bytes.copy(frame, this.assemblyFill, at, at + take);
      this.assemblyFill += take;
      at += take;
      if (this.assemblyFill < frame.length) return frames;
      this.assembly = null;
      this.assemblyFill = 0;
      this.assemblyInJoinBuffer = false;
      this.lastFrameBytes = frame.length;
      // A frame in the join buffer is overwritten by a later one: never exclusive, whatever its length.
      const exclusive = !reused && ownsItsBuffer(frame);
      const decoded = decodeFrame(frame, this.schema, exclusive);
      if (exclusive && decoded.kind === "row" && decoded.messages.length === 1)
        oneRowFrames.add(frame.buffer);
      this.emit(frames, decoded);
    }
    return frames;
  }

  private take(chunk: Buffer): Frame[] {
    this.joinBusy = false;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (this.frameBytes < 0) {
        if (this.buffered < HEADER_BYTES) return frames;
        const head = this.peek(HEADER_BYTES);
        this.frameBytes = HEADER_BYTES + checkHeader(head, this.schema.maxFrameBytes).payloadBytes;
      }
      if (this.buffered < this.frameBytes) return frames;
      const frame = this.consume(this.frameBytes);
      this.frameBytes = -1;
      this.emit(frames, decodeFrame(frame, this.schema));
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private consume(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0];
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = this.joinTarget(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0];
        const take = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, take);
        filled += take;
        if (take === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(take);
      }
    }
    this.buffered -= n;
    return out;
  }

  /** Where to join a frame of n bytes from several chunks. */
  private joinTarget(n: number): Buffer {
    if (!this.reuseJoinBuffer || this.joinBusy) return Buffer.allocUnsafe(n);
    this.joinBusy = true;
    if (this.joinBuffer === null || this.joinBuffer.length < n) {
      if (this.joinBuffer !== null) arenaFree(this.joinBuffer);
      // In the kernels' memory, the rows of a long frame are checked and added where the socket put them.
      this.joinBuffer =
        arenaAlloc(n, (buffer, byteOffset) => Buffer.from(buffer, byteOffset, n)) ?? Buffer.allocUnsafe(n);
    }
    return this.joinBuffer.subarray(0, n);
  }
}

/** Short buffers from Buffer.allocUnsafe are slices of a shared pool; long ones have an ArrayBuffer each. */
function ownsItsBuffer(frame: Buffer): boolean {
  return frame.byteOffset === 0 && frame.buffer.byteLength === frame.length;
}

/** Buffers of frames the decoder made that hold one row and nothing else another part of the process keeps. */
const oneRowFrames = new WeakSet<ArrayBufferLike>();

/** A buffer of its own for a frame of n bytes: memory a released row gave back, if some has that length. */
function frameBuffer(n: number): Buffer {
  const recycled = reuseBuffer(n);
  return recycled === undefined ? Buffer.allocUnsafe(n) : Buffer.from(recycled, 0, n);
}

/**
 * Gives back the memory of a received row that the client cache let go of (ClientConfig.releaseRow): the
 * whole frame, if the row was alone in a frame the decoder made for it, else the row's own buffer if it has
 * one. Each frame goes back once, however often its row is handed in.
 */
export function releaseReceivedRow(values: RowValues): void {
  // Short rows: nothing worth reusing (and asking a short typed array for its buffer makes V8 move it off
  // its heap). Most others share their frame with more rows: nothing to give back, and no set to look in.
  if (values instanceof SparseValues || values.byteLength <= SLAB_ROW_MAX_BYTES) return;
  if (values.byteLength * 2 <= values.buffer.byteLength) return;
  if (oneRowFrames.delete(values.buffer)) recycleBuffer(values.buffer as ArrayBuffer);
  else recycleDense(values);
}
