// Connection on its own, over loopback: a burst of frames sent in one turn (one writev) arrives whole and in
// order, frames sent as parts arrive as one frame, and many callers waiting for one drain share one listener.

import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { defineTable } from "../../core/tables.ts";
import { controlOnlySchema, encodeBatchParts, encodeControl, type Frame } from "../../runtime/codec.ts";
import { Connection } from "../../runtime/connection.ts";
import { FrameDecoder } from "../../runtime/frame-decoder.ts";
import { connectWithRetry, listen, readInto, SOCKET_HIGH_WATER_BYTES } from "../../runtime/net.ts";

const table = defineTable({ id: 0, name: "rows", width: 600, valueType: "float32" });
const schema = { tables: new Map([[0, table]]), numClients: 1, numShards: 1, maxFrameBytes: 1 << 20 };

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

/** A listening peer on loopback; resolves with the sender's Connection and the peer's socket. */
async function pair(): Promise<{ conn: Connection; peer: Socket }> {
  let accepted!: (s: Socket) => void;
  const peerSocket = new Promise<Socket>((r) => {
    accepted = r;
  });
  const listener = createServer((s) => accepted(s));
  server = listener;
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const { port } = listener.address() as { port: number };
  const socket = await connectWithRetry({ host: "127.0.0.1", port }, "test peer", 5000);
  const conn = new Connection(socket, {
    label: "test peer",
    schema: controlOnlySchema(1 << 20),
    maxQueuedBytes: 1 << 30,
    now: () => 0,
  });
  return { conn, peer: await peerSocket };
}

/** A socket dialled with connectWithRetry and its peer accepted by listen(); `onAccept` runs at once on the peer. */
async function runtimeSockets(
  onAccept: (s: Socket) => void = () => {},
): Promise<{ dialled: Socket; peer: Socket }> {
  let accepted!: (s: Socket) => void;
  const peerSocket = new Promise<Socket>((r) => {
    accepted = r;
  });
  const listener = await listen("127.0.0.1", 0, (s) => {
    onAccept(s);
    accepted(s);
  });
  server = listener;
  const { port } = listener.address() as { port: number };
  const dialled = await connectWithRetry({ host: "127.0.0.1", port }, "test peer", 5000);
  return { dialled, peer: await peerSocket };
}

describe("Connection", () => {
  it("delivers a burst of frames sent in one turn, and frames sent as parts, whole and in order", async () => {
    const { conn, peer } = await pair();
    const receiver = new Connection(peer, { label: "sender", schema, maxQueuedBytes: 1 << 30, now: () => 0 });
    const got: Frame[] = [];
    const all = new Promise<void>((resolve) =>
      receiver.listen((f) => {
        got.push(f);
        if (got.length === 201) resolve();
      }),
    );
    for (let i = 0; i < 100; i++) conn.sendControl({ t: "n", i });
    for (let i = 0; i < 100; i++) {
      const delta = new Float32Array(table.width).fill(i);
      // Lent rows: the values go out from `delta` itself, after the header part.
      conn.send(
        encodeBatchParts(
          0,
          { type: "batch", client: 0, version: i + 1, clock: i, rows: [{ table: 0, row: 0, delta }] },
          0,
          0,
        ),
      );
    }
    conn.send(encodeControl({ t: "end" }));
    await all;
    expect(got.slice(0, 100).map((f) => f.kind === "control" && f.body.i)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    for (let i = 0; i < 100; i++) {
      const f = got[100 + i];
      if (f.kind !== "batch") throw new Error(`frame ${100 + i} is a ${f.kind}`);
      expect(f.message.version).toBe(i + 1);
      expect(Array.from(f.message.rows[0].delta as Float32Array)).toEqual(new Array(table.width).fill(i));
    }
    expect(got[200].kind === "control" && got[200].body.t).toBe("end");
    conn.close();
    receiver.close();
  });

  it("runtime sockets, dialled and accepted, buffer SOCKET_HIGH_WATER_BYTES before asking to wait", async () => {
    const { dialled, peer } = await runtimeSockets();
    expect(SOCKET_HIGH_WATER_BYTES).toBeGreaterThan(16 * 1024);
    expect(dialled.writableHighWaterMark).toBe(SOCKET_HIGH_WATER_BYTES);
    expect(peer.writableHighWaterMark).toBe(SOCKET_HIGH_WATER_BYTES);
    dialled.destroy();
    peer.destroy();
  });

  it("dialled and accepted sockets read into one buffer each; bytes that came before anyone read them arrive first, in order", async () => {
    const { dialled, peer } = await runtimeSockets((s) => s.write("early "));
    dialled.write("first ");
    await new Promise((r) => setTimeout(r, 50)); // the early bytes are read before anyone asks for them
    const reader = (socket: Socket) => {
      let text = "";
      let live = false;
      /** Buffers of the reads that came after readInto (the early ones were replayed from copies). */
      const buffers = new Set<ArrayBufferLike>();
      let waiter: { last: string; resolve: () => void } | null = null;
      expect(
        readInto(socket, (bytes) => {
          text += bytes.toString();
          if (live) buffers.add(bytes.buffer);
          if (waiter !== null && text.endsWith(waiter.last)) waiter.resolve();
        }),
      ).toBe(true);
      live = true;
      const until = (last: string) =>
        new Promise<string>((resolve) => {
          if (text.endsWith(last)) resolve(text);
          else waiter = { last, resolve: () => resolve(text) };
        });
      return { until, buffers };
    };
    const atDialled = reader(dialled);
    const atPeer = reader(peer);
    peer.write("and late");
    dialled.write("then more");
    expect(await atDialled.until("late")).toBe("early and late");
    expect(await atPeer.until("more")).toBe("first then more");
    for (let i = 0; i < 20; i++) {
      dialled.write(`${i} `);
      peer.write(`${i} `);
      await new Promise((r) => setImmediate(r));
    }
    dialled.write("end");
    peer.write("end");
    await Promise.all([atDialled.until("end"), atPeer.until("end")]);
    expect(atDialled.buffers.size).toBe(1);
    expect(atPeer.buffers.size).toBe(1);
    dialled.destroy();
    peer.destroy();
  });

  it("dialled and accepted sockets read the rest of a long frame straight into it, and every frame arrives whole", async () => {
    const wide = defineTable({ id: 0, name: "wide", width: 50_000, valueType: "float32" });
    const wideSchema = { ...schema, tables: new Map([[0, wide]]) };
    const { dialled, peer } = await runtimeSockets();
    const receive = (socket: Socket, count: number) => {
      const decoder = new FrameDecoder(wideSchema);
      const sums: number[] = [];
      let inPlaceReads = 0;
      let resolve!: () => void;
      const done = new Promise<void>((r) => {
        resolve = r;
      });
      const onFrame = (f: Frame): void => {
        sums.push(f.kind === "batch" ? (f.message.rows[0].delta as Float32Array)[49_999] : -1);
        if (sums.length === count) resolve();
      };
      let target: Buffer | null = null;
      readInto(
        socket,
        (bytes) => {
          if (target !== null && bytes.buffer === target.buffer && bytes.byteOffset === target.byteOffset)
            inPlaceReads++;
          decoder.pushTransient(bytes, onFrame);
        },
        () => {
          target = decoder.readTarget();
          return target;
        },
      );
      return { done, sums, inPlaceReads: () => inPlaceReads };
    };
    // Long batch frames (200 KB) with short control frames between them, each way.
    const frames = (n: number) =>
      Array.from({ length: n }, (_, i) => [
        ...encodeBatchParts(
          0,
          {
            type: "batch",
            client: 0,
            version: i + 1,
            clock: i,
            rows: [{ table: 0, row: 0, delta: new Float32Array(wide.width).fill(i) }],
          },
          0,
          0,
        ),
        encodeControl({ t: "between", i }),
      ]).flat();
    const atDialled = receive(dialled, 40);
    const atPeer = receive(peer, 40);
    for (const part of frames(20)) {
      dialled.write(part);
      peer.write(part);
    }
    await Promise.all([atDialled.done, atPeer.done]);
    const expected = Array.from({ length: 20 }, (_, i) => [i, -1]).flat();
    expect(atDialled.sums).toEqual(expected);
    expect(atPeer.sums).toEqual(expected);
    expect(atDialled.inPlaceReads()).toBeGreaterThan(0);
    expect(atPeer.inPlaceReads()).toBeGreaterThan(0);
    dialled.destroy();
    peer.destroy();
  });

  it("an accepted socket reading into its fixed buffer reads nothing while paused (a server's backpressure)", async () => {
    const { dialled, peer } = await runtimeSockets();
    let bytes = 0;
    expect(readInto(peer, (b) => (bytes += b.length))).toBe(true);
    peer.pause();
    expect(peer.isPaused()).toBe(true);
    dialled.write(Buffer.alloc(100_000, 1));
    await new Promise((r) => setTimeout(r, 200));
    expect(bytes).toBe(0);
    peer.resume();
    // Bounded: loopback delivers 100 KB in far less than the 5 s this allows.
    for (let i = 0; i < 500 && bytes < 100_000; i++) await new Promise((r) => setTimeout(r, 10));
    expect(bytes).toBe(100_000);
    dialled.destroy();
    peer.destroy();
  });

  it("tells the sender once each frame's bytes have left, whole frames and frames in parts alike", async () => {
    const { conn, peer } = await pair();
    const written: string[] = [];
    let received = 0;
    const arrived = new Promise<void>((resolve) => {
      peer.on("data", (d: Buffer) => {
        received += d.length;
        if (received === 3 * 4096) resolve();
      });
    });
    conn.send(Buffer.alloc(4096), () => written.push("whole"));
    conn.send([Buffer.alloc(1024), Buffer.alloc(3072)], () => written.push("parts"));
    conn.send(Buffer.alloc(4096));
    expect(written).toEqual([]);
    await arrived;
    expect(written).toEqual(["whole", "parts"]);
    conn.close();
    peer.destroy();
  });

  it("lets many callers wait for one drain with one listener, and wakes them all", async () => {
    const { conn, peer } = await pair();
    peer.pause(); // the peer does not read, so the sender's queue fills
    // Fill the kernel's buffers too: send (bytes the peer never decodes) until the socket stays congested
    // after the corked turn has left. Bounded: loopback buffers hold a few MB.
    const chunk = Buffer.alloc(1 << 20);
    for (let i = 0; i < 256; i++) {
      conn.send(chunk);
      await new Promise<void>((r) => setImmediate(r));
      if (conn.congested) break;
    }
    expect(conn.congested).toBe(true);
    const before = conn.socket.listenerCount("drain");
    const waits = Array.from({ length: 1000 }, () => conn.drained());
    expect(conn.socket.listenerCount("drain") - before).toBeLessThanOrEqual(1);
    let sunk = 0;
    peer.on("data", (d: Buffer) => {
      sunk += d.length;
    });
    peer.resume();
    await Promise.all(waits);
    expect(conn.congested).toBe(false);
    expect(sunk).toBeGreaterThan(0);
    conn.close();
    peer.destroy();
  });
});
