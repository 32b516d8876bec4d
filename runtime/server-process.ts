// A server process: hosts one or more ServerShards and serves every worker process over TCP. Each frame in
// goes to its shard (after checking it came from the client it claims), then the shard is drained and its
// rows are sent. A peer that breaks the protocol loses its own connection; the shards and the others go on.

import type { Server } from "node:net";
import { keyRow, keyTable } from "../core/keys.ts";
import { ProtocolError, type RowMessage } from "../core/messages.ts";
import type { RowValues } from "../core/rows.ts";
import { ServerShard } from "../core/server.ts";
import type { TableSpec } from "../core/tables.ts";
import { jobClock } from "./clock.ts";
import {
  controlOnlySchema,
  encodeControl,
  encodeRowsParts,
  type Frame,
  LEND_MIN_BYTES,
  messageShareBytes,
  ROW_FRAME_TARGET_BYTES,
  rowFrameRuns,
  type WireSchema,
} from "./codec.ts";
import { Connection, DEFAULT_MAX_QUEUED_BYTES } from "./connection.ts";
import { type Assignment, CONTROL_MAX_FRAME_BYTES, joinJob } from "./control.ts";
import { acceptPeer } from "./handshake.ts";
import { createApp, jobSchema, jobTables, wantsObjective } from "./job.ts";
import { type Address, boundAddress, listen } from "./net.ts";
import { sampleBacklogBytes } from "./objective-samples.ts";
import { TraceWriter } from "./trace-writer.ts";

export interface ServerProcessOptions {
  coordinator: Address;
  token: string;
  rank: number;
  /** Where to listen for workers; port 0 picks a free one. */
  listen: Address;
  /** The host workers should dial, when it differs from the listening one (e.g. listening on 0.0.0.0). */
  advertiseHost?: string;
  timeoutMs: number;
  log: (line: string) => void;
}

/** A listening server before it knows its job: used by tests to aim bad peers at a real server. */
export interface ServerHandle {
  address: Address;
  /** Resolves when the job ended cleanly; rejects if the coordinator is lost. */
  done: Promise<void>;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerHandle> {
  let host: ServerHost | null = null;
  // Workers may connect before this server has its assignment; their frames wait in the connection meanwhile.
  let hostReady!: (h: ServerHost) => void;
  const ready = new Promise<ServerHost>((resolve) => {
    hostReady = resolve;
  });
  const connections = new Set<Connection>();
  const listener: Server = await listen(options.listen.host, options.listen.port, (socket) => {
    const conn = new Connection(socket, {
      label: `${socket.remoteAddress}:${socket.remotePort}`,
      schema: controlOnlySchema(CONTROL_MAX_FRAME_BYTES),
      maxQueuedBytes: DEFAULT_MAX_QUEUED_BYTES,
      now: () => host?.now() ?? 0,
    });
    connections.add(conn);
    conn.onClose((error) => {
      connections.delete(conn);
      if (error !== null) options.log(error.message);
    });
    acceptWorker(conn, options, ready).catch(() => {
      // acceptPeer already closed the connection with the reason; the close listener logged it.
    });
  });
  const bound = boundAddress(listener);
  const address = { host: options.advertiseHost ?? bound.host, port: bound.port };
  const done = (async () => {
    try {
      const { conn: coord, assignment } = await joinJob({
        coordinator: options.coordinator,
        token: options.token,
        role: "server",
        rank: options.rank,
        listenAddress: address,
        timeoutMs: options.timeoutMs,
      });
      try {
        host = new ServerHost(assignment, coord, options.log);
      } catch (e) {
        // Without the coordinator connection closed, this process would never exit and the job would hang.
        coord.close();
        throw e;
      }
      hostReady(host);
      await host.finished.finally(() => host!.close());
    } finally {
      listener.close();
      for (const c of connections) c.close();
    }
  })();
  return { address, done };
}

async function acceptWorker(
  conn: Connection,
  options: ServerProcessOptions,
  ready: Promise<ServerHost>,
): Promise<void> {
  // The handshake starts only once the job is known, so the peer's first data frame already meets the
  // job's schema (workers wait for our challenge with a timeout).
  const host = await ready;
  if (!conn.isOpen) return;
  const peer = await acceptPeer(conn, options.token, "server", options.timeoutMs);
  if (peer.role !== "worker") {
    conn.fail(new ProtocolError(`only worker processes connect to a server, not a ${peer.role}`));
    return;
  }
  host.adopt(conn, peer.rank);
}

/**
 * A long read frame is answered in slices of this many reads, each slice's rows written before the next is
 * looked up, so the worker decodes the first rows while this process encodes the rest. Answering a 2,048-read
 * frame at once left the worker idle until all of it was encoded (1 K-float pulls: ~650 → ~725 MB/s).
 */
const READS_PER_FLUSH = 256;

class ServerHost {
  readonly now: () => number;
  private readonly shards: ServerShard[];
  private readonly firstShard: number;
  private readonly tables: TableSpec[];
  private readonly schema: WireSchema;
  /** Row frames are filled up to this many bytes. */
  private readonly rowFrameBytes: number;
  private readonly clients: Array<Connection | null>;
  /** Written as `this.trace?.write({...})`: without a trace, the record is not even built. */
  private readonly trace: TraceWriter | null;
  private dumpRequested = false;
  /** Workers are paused until the coordinator reads the samples queued for it (see SAMPLE_BACKLOG_BYTES). */
  private samplesBacklogged = false;
  private readonly sampleBacklogBytes = sampleBacklogBytes();
  private toldBacklog = false;
  private endJob!: (error?: Error) => void;
  readonly finished: Promise<void>;

  constructor(
    private readonly assignment: Assignment,
    private readonly coord: Connection,
    private readonly log: (line: string) => void,
  ) {
    const { job, rank } = assignment;
    const app = createApp(job);
    this.tables = jobTables(app, job);
    this.schema = jobSchema(job, this.tables);
    this.rowFrameBytes = Math.min(ROW_FRAME_TARGET_BYTES, job.maxFrameBytes);
    this.firstShard = rank * job.shardsPerServer;
    this.trace = assignment.tracePath === null ? null : new TraceWriter(assignment.tracePath);
    // Shard clocks are all the host uses (for the trace and the objective samples): the shards build no
    // other events, and none at all when neither wants them.
    const events = this.trace === null && job.objectiveEvery === 0 ? [] : (["serverClock"] as const);
    this.shards = Array.from(
      { length: job.shardsPerServer },
      (_, i) =>
        new ServerShard({
          shard: this.firstShard + i,
          numClients: job.workerProcesses,
          tables: this.tables,
          events,
        }),
    );
    this.clients = Array.from({ length: job.workerProcesses }, () => null);
    this.now = jobClock(assignment.jobStart);
    this.finished = new Promise((resolve, reject) => {
      this.endJob = (error) => (error === undefined ? resolve() : reject(error));
    });
    coord.listen((frame) => this.onControl(frame));
    coord.onClose((error) =>
      this.endJob(error ?? new Error("the coordinator closed the connection before shutdown")),
    );
  }

  adopt(conn: Connection, client: number): void {
    if (client < 0 || client >= this.clients.length) {
      conn.fail(new ProtocolError(`worker rank ${client} outside this job's [0, ${this.clients.length})`));
      return;
    }
    if (this.clients[client]?.isOpen) {
      conn.fail(new ProtocolError(`worker ${client} is already connected`));
      return;
    }
    conn.setSchema(this.schema);
    this.clients[client] = conn;
    // onData hands each frame to its shard at once, and shards never keep a batch's deltas.
    conn.consumeInPlace();
    conn.listen((frame) => this.onData(frame, client));
  }

  private onData(frame: Frame, client: number): void {
    if (frame.kind !== "batch" && frame.kind !== "read") {
      throw new ProtocolError(
        `expected batches and reads, got a ${frame.kind === "control" ? `"${frame.body.t}" message` : `${frame.kind} frame`}`,
      );
    }
    const messages = frame.kind === "batch" ? [frame.message] : frame.messages;
    // A read frame's reads share one client field, so checking the first checks them all.
    if (messages[0].client !== client) {
      throw new ProtocolError(
        `frame claims to come from client ${messages[0].client}, but this connection is worker ${client}`,
      );
    }
    const index = frame.shard - this.firstShard;
    if (index < 0 || index >= this.shards.length) {
      throw new ProtocolError(`shard ${frame.shard} is not hosted by server ${this.assignment.rank}`);
    }
    const shard = this.shards[index];
    const recv = this.trace === null ? 0 : this.now();
    for (let i = 0; i < messages.length; i++) {
      if (i > 0 && i % READS_PER_FLUSH === 0) {
        this.pump(shard);
        this.clients[client]?.flush();
      }
      this.trace?.write({
        k: "msg",
        from: `c${client}`,
        to: `s${frame.shard}`,
        sent: frame.sentNs,
        recv,
        bytes: messageShareBytes(frame.bytes, messages.length, i),
        kind: frame.kind,
      });
      shard.receive(messages[i]);
    }
    this.pump(shard);
  }

  private pump(shard: ServerShard): void {
    const ready = shard.drain();
    const t = this.now();
    // Each client's rows, in order, go out in as few frames as rowFrameBytes allows.
    const byClient = new Map<number, RowMessage[]>();
    for (const { client, message } of ready.messages) {
      const rows = byClient.get(client);
      if (rows === undefined) byClient.set(client, [message]);
      else rows.push(message);
    }
    for (const [client, rows] of byClient) {
      const conn = this.clients[client];
      if (conn === null || !conn.isOpen) continue;
      for (const run of rowFrameRuns(rows, this.rowFrameBytes)) {
        // Rows of LEND_MIN_BYTES or more are sent from the reply's own values, not copied: a shard never
        // changes a reply's values once drained (a fresh row, or one it copies before its next change).
        if (!conn.send(encodeRowsParts(shard.shard, run, t, LEND_MIN_BYTES)) && !conn.socket.isPaused()) {
          // Backpressure: stop reading from a worker we cannot write to; its requests are what fill the pipe.
          conn.socket.pause();
          conn.drained().then(() => this.resumeWhenClear(conn));
        }
      }
    }
    for (const e of ready.events) {
      if (e.type !== "serverClock") continue;
      this.trace?.write({ k: "sclock", s: e.shard, clock: e.clock, t });
      if (wantsObjective(this.assignment.job, e.clock)) this.sendSample(shard, e.clock, t);
    }
    if (this.dumpRequested) this.tryDump();
  }

  /**
   * Sends the shard's settled rows (every update stamped < clock) to the coordinator, which evaluates the
   * objective once every shard has sent this clock. Called right after the batch that advanced the clock,
   * before anything else changes the rows; sendRows copies the values into the frames, so later clocks,
   * which change the shard's rows in place, cannot reach the sample.
   */
  private sendSample(shard: ServerShard, clock: number, t: number): void {
    const rows = this.sendRows(shard, clock, t);
    this.coord.send(encodeControl({ t: "sample", shard: shard.shard, clock, time: t, rows }, t));
    if (this.coord.socket.writableLength > this.sampleBacklogBytes && !this.samplesBacklogged) {
      this.samplesBacklogged = true;
      if (!this.toldBacklog) {
        this.toldBacklog = true;
        this.log(
          `objective samples are backing up (over ${this.sampleBacklogBytes} bytes queued for the coordinator): workers wait for them; a larger --objective-every takes fewer`,
        );
      }
      for (const c of this.clients) if (c?.isOpen) c.socket.pause();
      this.coord.drained().then(() => {
        this.samplesBacklogged = false;
        for (const c of this.clients) if (c?.isOpen) this.resumeWhenClear(c);
      });
    }
  }

  /** Reads from a worker again once neither its replies nor the samples to the coordinator are backed up. */
  private resumeWhenClear(conn: Connection): void {
    if (this.samplesBacklogged || !conn.isOpen) return; // the samples' drain resumes every worker
    if (conn.congested) conn.drained().then(() => this.resumeWhenClear(conn));
    else conn.socket.resume();
  }

  private onControl(frame: Frame): void {
    if (frame.kind !== "control") throw new ProtocolError("the coordinator sent a data frame");
    if (frame.body.t === "dump") {
      this.dumpRequested = true;
      this.tryDump();
    } else if (frame.body.t === "shutdown") {
      this.endJob();
    } else {
      throw new ProtocolError(`unexpected "${frame.body.t}" message from the coordinator`);
    }
  }

  /** Sends every row once all shards have applied all clocks: the final model, for the objective. */
  private tryDump(): void {
    const clocks = this.assignment.job.clocks;
    if (this.shards.some((s) => s.clock < clocks)) return;
    this.dumpRequested = false;
    let rows = 0;
    const t = this.now();
    for (const shard of this.shards) rows += this.sendRows(shard, shard.clock, t);
    this.coord.send(encodeControl({ t: "dumped", rows }, t));
  }

  /** Sends a shard's settled rows to the coordinator, copied into the frames; returns how many. */
  private sendRows(shard: ServerShard, clock: number, t: number): number {
    const rows: RowMessage[] = [];
    for (const [key, values] of shard.settledRows()) rows.push(settledRowMessage(shard, key, values, clock));
    for (const run of rowFrameRuns(rows, this.rowFrameBytes))
      this.coord.send(encodeRowsParts(shard.shard, run, t));
    return rows.length;
  }

  async close(): Promise<void> {
    for (const c of this.clients) c?.close();
    this.coord.close();
    await this.trace?.close();
  }
}

/** A settled row as a row frame's message, for the coordinator (samples and the final dump). */
function settledRowMessage(shard: ServerShard, key: number, values: RowValues, clock: number): RowMessage {
  return {
    type: "row",
    shard: shard.shard,
    table: keyTable(key),
    row: keyRow(key),
    clock,
    version: 0,
    values,
    pushed: false,
  };
}
