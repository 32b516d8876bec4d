// `ssp bench net`: the TCP runtime between a real worker process and a real server process (spawned by the
// launcher, coordinator in this process), next to raw Node TCP between this process and a child on loopback
// moving the same bytes in messages of the same size. Push: the worker sends one whole row of N float32s per
// clock, then reads a fence row that the server answers only after applying them all; pull: every clock the
// worker refreshes a whole table (one readMany of enough rows to move ~8 MB), so requests pipeline as in a
// real cache refresh; small rows: 256 one-float increments per clock; RTT: one cache-miss read per clock
// under BSP, next to a raw one-byte ping-pong. Runtime times are the worker's run (first clock to last,
// reported by the job as runNs), so process start, bootstrap and handshakes are not counted.

import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { defineTable } from "../../core/tables.ts";
import { SMALL_ROWS_PER_CLOCK } from "../../runtime/bench-app.ts";
import { encodeBatch } from "../../runtime/codec.ts";
import { FrameDecoder } from "../../runtime/frame-decoder.ts";
import { runOnRuntime } from "../../runtime/run-job.ts";
import { median } from "../sweep/results.ts";
import type { BenchSuite } from "./suite.ts";

// The raw peer: a child process that sinks, sources or echoes bytes on loopback, as plainly as Node allows.
const PEER = `
const net = require("node:net");
const [mode, total] = [process.argv[1], Number(process.argv[2])];
const server = net.createServer({ noDelay: true }, (s) => {
  if (mode === "sink") {
    let got = 0;
    s.on("data", (d) => { got += d.length; if (got >= total) s.end("k"); });
  } else if (mode === "source") {
    // One write per message, as the server sends one frame per row.
    const chunk = Buffer.alloc(Number(process.argv[3]), 7);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return s.once("drain", pump);
      }
    };
    pump();
  } else {
    s.on("data", (d) => s.write(d));
  }
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

function startPeer(
  mode: "sink" | "source" | "echo",
  total: number,
  messageBytes = 1,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", PEER, mode, String(total), String(messageBytes)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    createInterface({ input: child.stdout! }).once("line", (line) => resolve({ child, port: Number(line) }));
    child.once("error", reject);
  });
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Raw TCP: this process writes `messages` buffers of `bytes` to a sink child; bytes per second. */
async function rawPush(bytes: number, messages: number): Promise<number> {
  const total = bytes * messages;
  const { child, port } = await startPeer("sink", total);
  try {
    const socket = connect({ port, host: "127.0.0.1", noDelay: true });
    await new Promise((r) => socket.once("connect", r));
    const message = Buffer.alloc(bytes, 1);
    const start = process.hrtime.bigint();
    const done = new Promise((r) => socket.once("data", r));
    for (let i = 0; i < messages; i++) {
      if (!socket.write(message)) await new Promise((r) => socket.once("drain", r));
    }
    await done;
    const s = seconds(start);
    socket.destroy();
    return total / s;
  } finally {
    child.kill();
  }
}

/** Raw TCP: a source child streams `messages` writes of `bytes` to this process; bytes per second. */
async function rawPull(bytes: number, messages: number): Promise<number> {
  const total = bytes * messages;
  const { child, port } = await startPeer("source", total, bytes);
  try {
    const socket = connect({ port, host: "127.0.0.1", noDelay: true });
    const start = process.hrtime.bigint();
    let got = 0;
    await new Promise<void>((resolve) => {
      socket.on("data", (d: Buffer) => {
        got += d.length;
        if (got >= total) resolve();
      });
    });
    const s = seconds(start);
    socket.destroy();
    return total / s;
  } finally {
    child.kill();
  }
}

/** Raw TCP one-byte ping-pong with an echo child; seconds per round trip. */
async function rawRtt(rounds: number): Promise<number> {
  const { child, port } = await startPeer("echo", 0);
  try {
    const socket = connect({ port, host: "127.0.0.1", noDelay: true });
    await new Promise((r) => socket.once("connect", r));
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) {
      const back = new Promise((r) => socket.once("data", r));
      socket.write("x");
      await back;
    }
    const s = seconds(start);
    socket.destroy();
    return s / rounds;
  } finally {
    child.kill();
  }
}

/**
 * One runtime job (1 server process, 1 worker process) of the netbench app; seconds of the worker's run
 * (first clock to last), without process start, bootstrap and handshakes.
 */
async function runtimeJob(
  mode: string,
  width: number,
  clocks: number,
  consistency: "async" | "bsp",
  rows = 1,
): Promise<number> {
  const bin = process.argv[1];
  if (bin === undefined || !bin.endsWith(".js")) {
    throw new Error(
      "ssp bench net spawns the ssp binary: run it as 'node dist/ssp.js bench net' after 'npm run build'",
    );
  }
  const result = await runOnRuntime({
    app: "netbench",
    appOptions: { mode, width: String(width), rows: String(rows) },
    workers: 1,
    machines: 1,
    servers: 1,
    consistency,
    staleness: null,
    clocks,
    seed: 1,
    // Samples would copy the bench's tables every clock, inside the timed run.
    objectiveEvery: 0,
    bin,
    log: (line) => {
      if (/error|fail/i.test(line)) process.stderr.write(`${line}\n`);
    },
  });
  return result.summary.runNs / 1e9;
}

/**
 * Both ends in this process over loopback: `messages` buffers of `bytes` raw, or the same rows as batch
 * frames through the codec (encode, then the streaming decoder with full validation). Bytes per second of
 * row payload; this isolates the wire from the core's own per-value work.
 */
async function inProcess(kind: "raw" | "wire", width: number, messages: number): Promise<number> {
  const table = defineTable({ id: 0, name: "rows", width, valueType: "float32" });
  const decoder = new FrameDecoder({
    tables: new Map([[0, table]]),
    numClients: 1,
    numShards: 1,
    maxFrameBytes: width * 4 + 4096,
  });
  const total = width * 4 * messages;
  let received = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => {
    finish = r;
  });
  const server = createServer({ noDelay: true }, (s: Socket) => {
    s.on("data", (d: Buffer) => {
      if (kind === "raw") received += d.length;
      else for (const f of decoder.push(d)) if (f.kind === "batch") received += width * 4;
      if (received >= total) finish();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address() as { port: number };
  const socket = connect({ port: address.port, host: "127.0.0.1", noDelay: true });
  await new Promise((r) => socket.once("connect", r));
  const delta = new Float32Array(width).fill(1);
  const raw = Buffer.alloc(width * 4, 1);
  const start = process.hrtime.bigint();
  for (let i = 0; i < messages; i++) {
    const frame =
      kind === "raw"
        ? raw
        : encodeBatch(0, {
            type: "batch",
            client: 0,
            version: i + 1,
            clock: i,
            rows: [{ table: 0, row: 0, delta }],
          });
    if (!socket.write(frame)) await new Promise((r) => socket.once("drain", r));
  }
  await done;
  const s = seconds(start);
  socket.destroy();
  server.close();
  return total / s;
}

const MB = 1024 * 1024;

/** One measurement of ours next to raw TCP, taken back to back (bytes per second). */
interface Pair {
  raw: number;
  ours: number;
}

/** Bytes one pull clock refreshes: enough that the per-clock round trip is small next to the transfer. */
const PULL_BYTES_PER_CLOCK = 8 * MB;

export const netBench: BenchSuite = {
  name: "net",
  summary: "TCP runtime push/pull throughput, small-row ops/s and cache-miss RTT, next to raw Node TCP",
  async run({ quick, log }) {
    const widths = quick ? [1024, 65536] : [1024, 65536, 1024 * 1024];
    // 4 GB a run, for raw TCP as for ours: a bulk transfer takes about a second to reach its steady rate
    // here (raw TCP alone: ~140 ms for its first 256 MB, ~75 ms for each 256 MB after the first GB), and
    // each of our runs also starts new processes that compile their hot paths. In 1 GB runs that start was
    // half of a run, and the ratios measured it.
    const pushBytes = quick ? 32 * MB : 4096 * MB;
    const pullBytes = quick ? 32 * MB : 4096 * MB;
    const rows: Array<Record<string, unknown>> = [];
    for (const width of widths) {
      const rowBytes = width * 4;
      const pushClocks = Math.max(4, Math.round(pushBytes / rowBytes));
      // A pull is a cache refresh of a whole table per clock: enough rows to move PULL_BYTES_PER_CLOCK.
      const pullRows = Math.max(1, Math.round(PULL_BYTES_PER_CLOCK / rowBytes));
      const pullClocks = Math.max(4, Math.round(pullBytes / (rowBytes * pullRows)));
      const pulled = pullClocks * pullRows;
      log(
        `net: rows of ${width} floats: push ${pushClocks} rows, pull ${pullClocks} clocks × ${pullRows} rows`,
      );
      const rawInProcessBps = await inProcess("raw", width, pushClocks);
      const wireBps = await inProcess("wire", width, pushClocks);
      // The machine is shared, so its load drifts: each rep runs raw and ours back to back, and the figures
      // are the medians over reps (a ratio from one pair, not from a raw run minutes away from ours).
      const reps = quick ? 1 : 3;
      const push: Pair[] = [];
      const pull: Pair[] = [];
      for (let rep = 0; rep < reps; rep++) {
        const rawPushBps = await rawPush(rowBytes, pushClocks);
        const oursPushBps = (rowBytes * pushClocks) / (await runtimeJob("push", width, pushClocks, "async"));
        push.push({ raw: rawPushBps, ours: oursPushBps });
        const rawPullBps = await rawPull(rowBytes, pulled);
        const oursPullBps =
          (rowBytes * pulled) / (await runtimeJob("pull", width, pullClocks, "bsp", pullRows));
        pull.push({ raw: rawPullBps, ours: oursPullBps });
      }
      const oursPushBps = median(push.map((p) => p.ours));
      const rawPushBps = median(push.map((p) => p.raw));
      const oursPullBps = median(pull.map((p) => p.ours));
      const rawPullBps = median(pull.map((p) => p.raw));
      rows.push({
        floats: width,
        rowBytes,
        pushRows: pushClocks,
        pullRowsPerClock: pullRows,
        pullClocks,
        reps,
        pushMBps: oursPushBps / MB,
        rawPushMBps: rawPushBps / MB,
        pushRatio: median(push.map((p) => p.ours / p.raw)),
        pullMBps: oursPullBps / MB,
        rawPullMBps: rawPullBps / MB,
        pullRatio: median(pull.map((p) => p.ours / p.raw)),
        wireMBps: wireBps / MB,
        rawInProcessMBps: rawInProcessBps / MB,
        wireRatio: wireBps / rawInProcessBps,
      });
      log(`net: ${JSON.stringify(rows[rows.length - 1])}`);
    }
    const smallClocks = quick ? 200 : 2000;
    const smallOpsPerSec =
      (smallClocks * SMALL_ROWS_PER_CLOCK) / (await runtimeJob("small", 1, smallClocks, "async"));
    const rttClocks = quick ? 300 : 3000;
    const oursRttSec = (await runtimeJob("rtt", 1, rttClocks, "bsp")) / rttClocks;
    const rawRttSec = await rawRtt(rttClocks);
    return {
      setup:
        "1 worker process → 1 server process (children of this one) vs raw Node TCP this process ↔ a child, loopback",
      timing:
        "runtime: the worker's run (first clock to last; push ends with a fence read the server answers after applying every row) without process start and bootstrap; raw: first write to last byte",
      pullNote:
        "pull = every clock one readMany of a whole table (pullRowsPerClock rows, ~8 MB) under BSP: the requests travel as read frames of up to 4,096 reads, the rows come back in row frames of up to 64 KB (a longer row alone); raw pull = the same bytes as one write per row",
      bulk: rows,
      goal: "bulk pushRatio and pullRatio ≥ 0.7 (ours / raw TCP, same bytes)",
      repsNote:
        "bulk figures: medians over reps; each rep runs raw, then ours, back to back; ratio = median of the reps' ratios",
      wireNote: "wire*: codec + socket only, both ends in this process, vs raw bytes the same way",
      smallRows: { opsPerSec: smallOpsPerSec, rowsPerClock: SMALL_ROWS_PER_CLOCK, clocks: smallClocks },
      cacheMissRead: {
        rttMicros: oursRttSec * 1e6,
        rawTcpRttMicros: rawRttSec * 1e6,
        ratio: rawRttSec / oursRttSec,
        note: "one clock = one batch out + one cache-miss read answered once the shard applied it",
      },
    };
  },
};
