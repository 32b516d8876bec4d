// One peer over TCP: frames in through the streaming decoder, frames out with backpressure. A fault in what
// the peer sent (bad frame, protocol violation) closes this connection only, with an error frame that names
// the fault, so the process and its other peers carry on.

import type { Socket } from "node:net";
import { type ControlBody, encodeControl, encodeError, type Frame, type WireSchema } from "./codec.ts";
import { FrameDecoder } from "./frame-decoder.ts";
import { readInto } from "./net.ts";

export interface ConnectionOptions {
  /** Who the peer is, for messages: "worker 1 at 127.0.0.1:50412". Updated once the peer says who it is. */
  label: string;
  schema: WireSchema;
  /** Bytes the socket may hold unsent before the peer counts as not reading and is dropped. */
  maxQueuedBytes: number;
  /** Time in ns since job start, stamped on outgoing frames. */
  now: () => number;
}

export const DEFAULT_MAX_QUEUED_BYTES = 512 * 1024 * 1024;

export class Connection {
  label: string;
  readonly decoder: FrameDecoder;
  private handler: ((frame: Frame) => void) | null = null;
  private readonly queued: Frame[] = [];
  private readonly waiting: Array<() => void> = [];
  private failure: Error | null = null;
  private ended = false;
  private readonly closeListeners: Array<(error: Error | null) => void> = [];
  /** Set when the peer closed in an orderly way or we did. */
  private closedCleanly = false;
  /** The wait for the socket's next drain, shared by every caller of drained(). */
  private drain: Promise<void> | null = null;
  /** See consumeInPlace. */
  private inPlace = false;
  /** The socket is corked until the end of this turn (see send). */
  private corked = false;
  /** The `onWritten` callbacks of frames sent while corked (see uncork), each to run once. */
  private writtenThisTurn: Array<() => void> = [];
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
    if (this.writtenThisTurn.length > 0) {
      // Nothing queued in this process: the kernel took every byte in the writev, and lent memory is free
      // now, not a turn later when the write callbacks run (a worker's clock waits for its lent rows).
      if (this.socket.writableLength === 0) for (const written of this.writtenThisTurn) written();
      this.writtenThisTurn = [];
    }
  };

  constructor(
    readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.label = options.label;
    this.decoder = new FrameDecoder(options.schema);
    socket.setNoDelay(true);
    socket.on("error", (e) => this.finish(new Error(`connection to ${this.label}: ${e.message}`)));
    socket.on("close", () => this.finish(null));
    const reader = (bytes: Buffer): void => this.onData(bytes, true);
    if (!readInto(socket, reader, () => this.decoder.readTarget())) {
      socket.on("data", (chunk: Buffer) => this.onData(chunk, false));
    }
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  get error(): Error | null {
    return this.failure;
  }

  /** Replaces the schema data frames are checked against (after the handshake told us the job). */
  setSchema(schema: WireSchema): void {
    this.decoder.schema = schema;
  }

  /**
   * Promises that the handler is done with each frame when it returns and keeps no view into it (a server:
   * a shard never keeps a batch's deltas), so the decoder may reuse the buffer it joins long frames in.
   * Frames that arrive while no handler listens are queued, so they never use it.
   */
  consumeInPlace(): void {
    this.inPlace = true;
  }

  /** Frames go to `handler` from now on, starting with any that arrived before. */
  listen(handler: (frame: Frame) => void): void {
    this.handler = handler;
    while (this.queued.length > 0 && this.handler === handler && !this.ended)
      this.dispatch(this.queued.shift()!);
  }

  /** The next frame, for request–response steps like the handshake. Rejects on close or timeout. */
  next(timeoutMs: number, what: string): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.label} sent no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const attempt = (): void => {
        if (this.queued.length > 0) {
          clearTimeout(timer);
          resolve(this.queued.shift()!);
        } else if (this.ended) {
          clearTimeout(timer);
          reject(
            this.failure ?? new Error(`${this.label} closed the connection while we waited for ${what}`),
          );
        } else {
          this.waiting.push(attempt);
        }
      };
      attempt();
    });
  }

  onClose(listener: (error: Error | null) => void): void {
    if (this.ended) listener(this.failure);
    else this.closeListeners.push(listener);
  }

  /**
   * Sends one encoded frame (or its parts, in order). Returns false when the socket's buffer is full: wait
   * for drained(). Frames sent in one turn of the event loop leave in one writev: the socket is corked at
   * the first and uncorked once the turn's synchronous work and promise jobs are done, so a burst of small
   * frames costs one system call instead of one each (noDelay stays on: nothing waits for a timer).
   * `onWritten` runs once the frame's bytes have left the process (or the socket failed): lent memory in
   * the frame may be reused from then on.
   */
  send(frame: Buffer | readonly Buffer[], onWritten?: () => void): boolean {
    if (this.ended) throw this.failure ?? new Error(`connection to ${this.label} is closed`);
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    let written: (() => void) | undefined;
    if (onWritten !== undefined) {
      let done = false;
      written = () => {
        if (done) return;
        done = true;
        onWritten();
      };
      this.writtenThisTurn.push(written);
    }
    let ok = true;
    if (Buffer.isBuffer(frame)) ok = this.socket.write(frame, written);
    else
      for (let i = 0; i < frame.length; i++)
        ok = this.socket.write(frame[i], i === frame.length - 1 ? written : undefined);
    if (this.socket.writableLength > this.options.maxQueuedBytes) {
      this.fail(
        new Error(
          `${this.label} is not reading: ${this.socket.writableLength} bytes queued (cap ${this.options.maxQueuedBytes})`,
        ),
      );
    }
    return ok;
  }

  /** Writes what this turn has sent so far now, rather than at the end of the turn (see send). */
  flush(): void {
    if (!this.corked) return;
    this.socket.uncork();
    this.socket.cork();
  }

  sendControl(body: ControlBody): boolean {
    return this.send(encodeControl(body, this.options.now()));
  }

  /** Bytes are waiting in this process for the socket (past its high-water mark): wait for drained(). */
  get congested(): boolean {
    return this.socket.writableNeedDrain;
  }

  /**
   * Resolves once the socket's buffer has room again (or the connection ended). Every caller waiting for
   * the same drain shares one promise: a server that fills its socket with a burst of replies calls this
   * once per reply, and a listener pair each would make the drain cost quadratic in the burst.
   */
  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.ended) return Promise.resolve();
    if (this.drain === null) {
      this.drain = new Promise((resolve) => {
        const done = (): void => {
          this.socket.off("drain", done);
          this.socket.off("close", done);
          this.drain = null;
          resolve();
        };
        this.socket.on("drain", done);
        this.socket.on("close", done);
      });
    }
    return this.drain;
  }

  /** Refuses the peer: tells it why in an error frame, then closes. Our side reports `error`. */
  fail(error: Error): void {
    if (this.ended) return;
    this.failure = new Error(`closed the connection with ${this.label}: ${error.message}`);
    this.handler = null;
    this.socket.pause();
    this.socket.end(encodeError(error.message, this.options.now()));
    // A peer that does not read its socket must not keep ours open.
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.finish(this.failure);
  }

  /** Orderly close. */
  close(): void {
    if (this.ended) return;
    this.closedCleanly = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.finish(null);
  }

  /** `transient`: the bytes are valid only during this call (see readInto). */
  private onData(chunk: Buffer, transient: boolean): void {
    if (this.ended) return;
    this.decoder.reuseJoinBuffer = this.inPlace && this.handler !== null;
    try {
      // Each frame is handled as soon as it is complete, so an in-place consumer's join buffer serves the next.
      if (transient) this.decoder.pushTransient(chunk, this.onFrame);
      else this.decoder.push(chunk, this.onFrame);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private readonly onFrame = (frame: Frame): void => {
    if (this.ended) return;
    if (frame.kind === "error") {
      this.socket.destroy();
      this.finish(new Error(`${this.label} refused us: ${frame.message}`));
      return;
    }
    if (this.handler !== null) this.dispatch(frame);
    else {
      this.queued.push(frame);
      for (const w of this.waiting.splice(0)) w();
    }
  };

  private dispatch(frame: Frame): void {
    try {
      this.handler!(frame);
    } catch (e) {
      // The core throws ProtocolError for messages that break SSP's rules; either way this peer is done.
      this.fail(e as Error);
    }
  }

  private finish(error: Error | null): void {
    if (this.ended) {
      if (error !== null && this.failure === null && !this.closedCleanly) this.failure = error;
      return;
    }
    this.ended = true;
    if (error !== null) this.failure = error;
    for (const w of this.waiting.splice(0)) w();
    for (const l of this.closeListeners.splice(0)) l(this.failure);
  }
}
