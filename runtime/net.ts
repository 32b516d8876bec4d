// Listening and connecting with deadlines, so no step of a job waits silently forever.

import { connect, createServer, type NetConnectOpts, type Server, type Socket } from "node:net";

export interface Address {
  host: string;
  port: number;
}

export function formatAddress(a: Address): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** "host:port" → Address, with an error that shows the expected form. */
export function parseAddress(text: string, what: string): Address {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text.trim());
  const port = m === null ? Number.NaN : Number(m[2]);
  if (m === null || m[1] === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${what} must look like host:port (e.g. 127.0.0.1:9000), got ${JSON.stringify(text)}`);
  }
  return { host: m[1], port };
}

/**
 * Bytes a socket buffers in this process before write() says to wait. Node's 16 KB default makes a stream of
 * 4 KB rows stop for a drain (a turn of the event loop) every four rows; at 1 MB a turn carries a few hundred.
 */
export const SOCKET_HIGH_WATER_BYTES = 1 << 20;

export function listen(host: string, port: number, onSocket: (socket: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Paused until adoptReadBuffer has pointed the socket's reads at a fixed buffer, so no read comes first.
    const server = createServer(
      { noDelay: true, highWaterMark: SOCKET_HIGH_WATER_BYTES, pauseOnConnect: true },
      (socket) => {
        adoptReadBuffer(socket);
        onSocket(socket);
        socket.resume();
      },
    );
    server.once("error", (e) =>
      reject(new Error(`cannot listen on ${formatAddress({ host, port })}: ${e.message}`)),
    );
    server.listen(port, host, () => resolve(server));
  });
}

export function boundAddress(server: Server): Address {
  const a = server.address();
  if (a === null || typeof a === "string") throw new Error("the listener has no TCP address");
  return { host: a.address, port: a.port };
}

/**
 * Bytes one read of a socket may bring. Sockets read into one fixed buffer (`onread`) instead of a fresh
 * 64 KB buffer per read, which the garbage collector then frees: on a pull of 256 KB rows that freeing was a
 * quarter of the worker's time, and on a push of them it was over a third of the server's.
 */
export const READ_BUFFER_BYTES = 256 * 1024;

/** Takes bytes that are valid only until it returns. */
export type TransientBytes = (bytes: Buffer) => void;

/**
 * Where the socket's next read should land, or null for its fixed buffer. A reader that knows the next bytes
 * belong to a long frame names the frame's unfilled part, and the kernel copies them straight there.
 */
export type ReadTarget = () => Buffer | null;

/** A socket's reads: its fixed buffer, and where they go once readInto() says (until then, kept as copies). */
interface SocketReads {
  fixed: Buffer;
  reader: TransientBytes | Buffer[];
  target: ReadTarget | null;
}

const reads = new WeakMap<Socket, SocketReads>();

function newReads(): SocketReads {
  return { fixed: Buffer.allocUnsafe(READ_BUFFER_BYTES), reader: [], target: null };
}

/** Node asks this before every read of the socket for the buffer to read into. */
function nextReadBuffer(state: SocketReads): Buffer {
  return (Array.isArray(state.reader) ? null : state.target?.()) ?? state.fixed;
}

/**
 * For a socket from connectWithRetry or listen: sends its reads (first any that came before) to `reader`, in
 * a buffer reused once it returns, and returns true. With `target`, a read goes where it says instead (see
 * ReadTarget); the reader then gets a view of that. Returns false for other sockets (and for accepted ones
 * where adoptReadBuffer could not take): read those from 'data'.
 */
export function readInto(socket: Socket, reader: TransientBytes, target: ReadTarget | null = null): boolean {
  const state = reads.get(socket);
  if (state === undefined || !Array.isArray(state.reader)) return false;
  const early = state.reader;
  state.reader = reader;
  state.target = target;
  for (const bytes of early) reader(bytes);
  return true;
}

/**
 * Node offers `onread` only to sockets it dials. An accepted socket gets the same through what the option
 * sets up inside Node (the socket's kBuffer, kBufferGen and kBufferCb slots and its handle's useUserBuffer),
 * found by name, before its first read. Returns false, leaving the socket to 'data' events, where a Node
 * version lacks them. Node 20 has them; test/runtime/connection.test.ts checks that the adoption takes.
 */
export function adoptReadBuffer(socket: Socket): boolean {
  const slots = new Map(Object.getOwnPropertySymbols(socket).map((s) => [s.description, s]));
  const bufferSlot = slots.get("kBuffer");
  const generatorSlot = slots.get("kBufferGen");
  const callbackSlot = slots.get("kBufferCb");
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Uint8Array) => void } })._handle;
  if (
    bufferSlot === undefined ||
    generatorSlot === undefined ||
    callbackSlot === undefined ||
    typeof handle?.useUserBuffer !== "function"
  ) {
    return false;
  }
  const state = newReads();
  const target = socket as unknown as Record<symbol, unknown>;
  target[bufferSlot] = state.fixed;
  // Node calls the generator after each read for the next read's buffer, as for `onread: { buffer: fn }`.
  target[generatorSlot] = () => nextReadBuffer(state);
  target[callbackSlot] = (n: number, bytes: Uint8Array): boolean => {
    onRead(state, (bytes as Buffer).subarray(0, n));
    return true;
  };
  handle.useUserBuffer(state.fixed);
  reads.set(socket, state);
  return true;
}

function onRead(state: SocketReads, bytes: Buffer): void {
  if (Array.isArray(state.reader)) state.reader.push(Buffer.from(bytes));
  else state.reader(bytes);
}

function attempt(address: Address, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const state = newReads();
    // Node hands connect()'s options to the stream constructor, which takes highWaterMark; @types/node
    // does not list it for connect.
    const socket: Socket = connect({
      host: address.host,
      port: address.port,
      noDelay: true,
      highWaterMark: SOCKET_HIGH_WATER_BYTES,
      onread: {
        buffer: () => nextReadBuffer(state),
        callback: (n: number, buffer: Uint8Array): boolean => {
          onRead(state, (buffer as Buffer).subarray(0, n));
          return true;
        },
      },
    } as NetConnectOpts);
    reads.set(socket, state);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("timed out"));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/**
 * Connects, retrying until `deadlineMs` has passed; the error names the address, attempts and last fault. The
 * socket emits no 'data': read it with readInto (a Connection does).
 */
export async function connectWithRetry(address: Address, what: string, deadlineMs: number): Promise<Socket> {
  const start = Date.now();
  let tries = 0;
  let last = "";
  for (;;) {
    tries++;
    const left = deadlineMs - (Date.now() - start);
    try {
      return await attempt(address, Math.max(50, Math.min(left, 2000)));
    } catch (e) {
      last = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
    if (Date.now() - start + 100 >= deadlineMs) {
      throw new Error(
        `could not reach ${what} at ${formatAddress(address)} within ${deadlineMs} ms (${tries} attempts, last: ${last})`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(100 * tries, 500)));
  }
}
