// Cuts a TCP byte stream into frames. Chunks are kept as they arrive and joined only once a whole frame is
// there, so a 8 MB row split over hundreds of chunks is copied once. The header is checked as soon as its
// 20 bytes are in, so an oversized or foreign frame is refused before its payload is buffered.

import { checkHeader, decodeFrame, type Frame, HEADER_BYTES, type WireSchema } from "./codec.ts";
import { WireError } from "./wire-error.ts";

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being assembled, once its header has been read. */
  private frameBytes = -1;
  private broken: WireError | null = null;
  /**
   * Set by a consumer that is done with every frame before its next push() (see Connection.consumeInPlace):
   * a frame joined from several chunks is then built in one buffer kept for the next, instead of a fresh one.
   * A fresh multi-megabyte buffer costs more in page faults than the copy into it.
   */
  reuseJoinBuffer = false;
  private joinBuffer: Buffer | null = null;
  /** The join buffer holds a frame returned by the current push(). */
  private joinBusy = false;

  constructor(public schema: WireSchema) {}

  /** Bytes received but not yet part of a returned frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds bytes and returns the frames they complete. After a WireError the decoder refuses all input. */
  push(chunk: Buffer): Frame[] {
    if (this.broken !== null) throw this.broken;
    try {
      return this.take(chunk);
    } catch (e) {
      this.broken = e instanceof WireError ? e : new WireError("field", (e as Error).message);
      throw this.broken;
    }
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
      frames.push(decodeFrame(frame, this.schema));
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
    if (this.joinBuffer === null || this.joinBuffer.length < n) this.joinBuffer = Buffer.allocUnsafe(n);
    return this.joinBuffer.subarray(0, n);
  }
}
