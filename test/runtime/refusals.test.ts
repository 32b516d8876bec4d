// A real server on loopback, attacked while a healthy job runs through it: wrong token, wrong protocol
// version, oversized frame, unknown table, garbage, impersonation. Each attacker gets its own error and a
// closed connection; the healthy workers finish with every increment in place.

import type { Socket } from "node:net";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  controlOnlySchema,
  encodeControl,
  encodeReads,
  HEADER_BYTES,
  PROTOCOL_VERSION,
} from "../../runtime/codec.ts";
import { Connection } from "../../runtime/connection.ts";
import { joinJob } from "../../runtime/control.ts";
import { Coordinator } from "../../runtime/coordinator.ts";
import { joinPeer } from "../../runtime/handshake.ts";
import type { JobConfig } from "../../runtime/job.ts";
import { type Address, connectWithRetry } from "../../runtime/net.ts";
import { startServerProcess } from "../../runtime/server-process.ts";
import { runAssigned, runWorkerProcess } from "../../runtime/worker-process.ts";

const TOKEN = "a-test-token-of-decent-length-0123456789";
const CLOCKS = 30;
const job: JobConfig = {
  app: "indicator",
  appOptions: { "check-staleness": "1" },
  workers: 2,
  workerProcesses: 2,
  servers: 1,
  shardsPerServer: 2,
  consistency: "ssp",
  staleness: 1,
  clocks: CLOCKS,
  seed: 3,
  maxFrameBytes: 64 * 1024,
  stragglers: "none",
  checkMode: false,
  objectiveEvery: 0,
};
const logs: string[] = [];
const log = (line: string): void => {
  logs.push(line);
};

function open(address: Address): Promise<Socket> {
  return connectWithRetry(address, "the server under test", 5000);
}

function wrap(socket: Socket): Connection {
  return new Connection(socket, {
    label: "server under test",
    schema: controlOnlySchema(1 << 20),
    maxQueuedBytes: 1 << 20,
    now: () => 0,
  });
}

/** The error the server's refusal carries, once it has closed the connection. */
function refusal(conn: Connection): Promise<string> {
  return new Promise((resolve) => conn.onClose((e) => resolve(e?.message ?? "closed without an error")));
}

async function authenticated(address: Address, rank: number): Promise<Connection> {
  const conn = wrap(await open(address));
  await joinPeer(conn, TOKEN, { role: "worker", rank }, 5000);
  return conn;
}

let coordinator: Coordinator | null = null;
afterAll(async () => {
  await coordinator?.close();
});

describe("a server refuses bad peers and carries on", () => {
  it("each refusal names the fault and closes only that connection; the healthy job completes", async () => {
    coordinator = await Coordinator.start({
      job,
      token: TOKEN,
      listen: { host: "127.0.0.1", port: 0 },
      bootstrapTimeoutMs: 20_000,
      traceDir: null,
      log,
    });
    const result = coordinator.run();
    const server = await startServerProcess({
      coordinator: coordinator.address,
      token: TOKEN,
      rank: 0,
      listen: { host: "127.0.0.1", port: 0 },
      timeoutMs: 10_000,
      log,
    });
    const workerOptions = { coordinator: coordinator.address, token: TOKEN, timeoutMs: 10_000, log };
    const healthy = runWorkerProcess({ ...workerOptions, rank: 0 });
    // Worker process 1 registers now (so the job starts) but connects to the server only after the attacks,
    // which borrow its rank for the ones that need a valid worker identity.
    const late = await joinJob({ ...workerOptions, role: "worker", rank: 1 });
    const address = server.address;

    const wrongToken = wrap(await open(address));
    const wrongTokenRefusal = refusal(wrongToken);
    await expect(joinPeer(wrongToken, `${TOKEN}-not`, { role: "worker", rank: 1 }, 5000)).rejects.toThrow();
    expect(await wrongTokenRefusal).toMatch(/refused us: auth: .* does not hold this job's token/);

    const wrongVersion = wrap(await open(address));
    const versionRefusal = refusal(wrongVersion);
    const hello = encodeControl({ t: "auth", role: "worker", rank: 1, nonce: "00", mac: "00" });
    hello.writeUInt8(PROTOCOL_VERSION + 1, 4);
    wrongVersion.socket.write(hello);
    expect(await versionRefusal).toMatch(
      new RegExp(
        `refused us: version: protocol version ${PROTOCOL_VERSION + 1}, this build speaks version ${PROTOCOL_VERSION}`,
      ),
    );

    const garbage = wrap(await open(address));
    const garbageRefusal = refusal(garbage);
    garbage.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await garbageRefusal).toMatch(/refused us: magic: bad magic/);

    const oversized = await authenticated(address, 1);
    const oversizedRefusal = refusal(oversized);
    const big = encodeReads(0, [
      { type: "read", client: 1, table: 0, row: 0, requiredClock: 0, subscribe: false },
    ]);
    big.writeUInt32LE(10 * 1024 * 1024, 8);
    oversized.socket.write(big.subarray(0, HEADER_BYTES));
    expect(await oversizedRefusal).toMatch(
      /refused us: oversized: frame of \d+ bytes exceeds the cap of 65536 bytes/,
    );

    const unknownTable = await authenticated(address, 1);
    const tableRefusal = refusal(unknownTable);
    const read = encodeReads(0, [
      { type: "read", client: 1, table: 0, row: 0, requiredClock: 0, subscribe: false },
    ]);
    read.writeUInt16LE(9, HEADER_BYTES + 12);
    unknownTable.socket.write(read);
    expect(await tableRefusal).toMatch(/refused us: table: unknown table 9 \(this job's tables: 0\)/);

    const impostor = await authenticated(address, 1);
    const impostorRefusal = refusal(impostor);
    impostor.send(
      encodeReads(0, [{ type: "read", client: 0, table: 0, row: 0, requiredClock: 0, subscribe: false }]),
    );
    expect(await impostorRefusal).toMatch(/claims to come from client 0, but this connection is worker 1/);

    const duplicate = await authenticated(address, 0);
    expect(await refusal(duplicate)).toMatch(/worker 0 is already connected/);

    // The server logged each refusal with the peer it came from.
    expect(
      logs.some((l) =>
        /closed the connection with worker 1 at 127\.0\.0\.1:\d+: table: unknown table 9/.test(l),
      ),
    ).toBe(true);

    // Mutated valid frames over real connections, before and after authentication: the server survives all.
    const frames = fc.sample(
      fc.tuple(
        fc.constantFrom(
          encodeReads(0, [{ type: "read", client: 1, table: 0, row: 3, requiredClock: 0, subscribe: true }]),
          encodeControl({ t: "auth", role: "worker", rank: 1, nonce: "ab", mac: "cd" }),
        ),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
      ),
      { numRuns: 60, seed: 7 },
    );
    for (const [frame, flips, authenticate] of frames) {
      const conn = authenticate ? await authenticated(address, 1) : wrap(await open(address));
      const closed = refusal(conn);
      const bytes = Buffer.from(frame);
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      conn.socket.end(bytes);
      await closed;
    }

    await runAssigned(late.conn, late.assignment, { ...workerOptions, rank: 1 });
    await healthy;
    const { summary } = await result;
    expect(summary.objective).toBe(2 * 2 * CLOCKS);
    await server.done;
  });
});
