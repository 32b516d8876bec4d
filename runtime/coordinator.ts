// The coordinator (ps-lite's scheduler): waits for every server and worker process to register, assigns
// ranks, hands out the job and the servers' addresses, then watches the job to its end: it evaluates the
// objective on the servers' snapshots at the sampled clocks (objective-samples.ts), then collects the final
// model from the servers and evaluates the objective on it. Nothing waits silently: bootstrap has a deadline
// whose error names the missing roles and the addresses involved.

import type { Server, Socket } from "node:net";
import { join } from "node:path";
import type { AppInstance } from "../apps/api.ts";
import { rowKey } from "../core/keys.ts";
import { RowView } from "../core/rows.ts";
import type { TableSpec } from "../core/tables.ts";
import { type RunSummary, TRACE_FORMAT, TRACE_VERSION, type TraceHeader } from "../core/trace-format.ts";
import { jobClock, jobStartNow } from "./clock.ts";
import { controlOnlySchema, type Frame } from "./codec.ts";
import { Connection, DEFAULT_MAX_QUEUED_BYTES } from "./connection.ts";
import { type Assignment, CONTROL_MAX_FRAME_BYTES, type WorkerStats } from "./control.ts";
import { acceptPeer } from "./handshake.ts";
import {
  createApp,
  type JobConfig,
  jobSchema,
  jobTables,
  numShards,
  processOfWorker,
  serverOfShard,
} from "./job.ts";
import { type Address, boundAddress, formatAddress, listen } from "./net.ts";
import {
  jobSampler,
  type ModelRow,
  type ObjectiveSample,
  type ObjectiveSampler,
} from "./objective-samples.ts";
import { TraceWriter } from "./trace-writer.ts";

export interface CoordinatorOptions {
  job: JobConfig;
  token: string;
  listen: Address;
  bootstrapTimeoutMs: number;
  /** Directory for per-process traces, or null for no tracing. */
  traceDir: string | null;
  log: (line: string) => void;
}

/** The `ssp sim --json` fields that apply to a real run (RunSummary), plus the runtime's own. */
export interface RuntimeSummary extends RunSummary {
  host: "runtime";
  workerProcesses: number;
  shards: number;
  wallTimeNs: number;
  /**
   * The longest worker process's run, from its workers' first clock to their last (after bootstrap and the
   * connections to the servers): what a benchmark of the data plane measures.
   */
  runNs: number;
}

export interface JobResult {
  summary: RuntimeSummary;
  /** Every row the servers hold at the end, as non-zero (column, value) pairs. */
  finalRows: Array<{ table: number; row: number; values: Array<[number, number]> }>;
  /** Trace files written by the processes (coordinator first), when tracing. */
  traceFiles: string[];
  /**
   * The objective curve: clock 0, every K-th clock and the last (job.objectiveEvery = K), on the consistent
   * model of that clock; with K = 0, one sample on the final model. The last sample's value is the summary's
   * objective (the clock-C model is the final one).
   */
  objectives: ObjectiveSample[];
}

interface Registered {
  role: "server" | "worker";
  requested: number;
  rank: number;
  conn: Connection;
  address: Address | null;
  pid: number;
}

export class Coordinator {
  private readonly registered: Registered[] = [];
  private readonly app: AppInstance;
  private readonly tables: TableSpec[];
  private bootstrapDone = false;
  private settle: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private readonly connections = new Set<Connection>();
  private readonly sampler: ObjectiveSampler;
  /** Set while the final model is being collected: a server's rows and its "dumped". */
  private onDumped: ((server: Registered, rows: ModelRow[]) => void) | null = null;
  /** Set while the final model is being collected: any frame from a server shows it is still sending. */
  private heardFromServer: (() => void) | null = null;

  private constructor(
    private readonly options: CoordinatorOptions,
    private readonly listener: Server,
    readonly address: Address,
    app: AppInstance,
  ) {
    const { job } = options;
    this.app = app;
    this.tables = jobTables(this.app, job);
    this.sampler = jobSampler(this.app, this.tables, job, options.log);
  }

  static async start(options: CoordinatorOptions): Promise<Coordinator> {
    // Fail on a bad app or options here, before anything listens or waits.
    const app = createApp(options.job);
    let self: Coordinator | null = null;
    const pending: Socket[] = [];
    const listener = await listen(options.listen.host, options.listen.port, (socket) => {
      if (self === null) pending.push(socket);
      else self.accept(socket);
    });
    self = new Coordinator(options, listener, boundAddress(listener), app);
    for (const s of pending) self.accept(s);
    return self;
  }

  /** Stops the job with this reason (e.g. a child process died); run() rejects with it. */
  abort(reason: Error): void {
    if (this.failure === null) this.failure = reason;
    this.settle?.reject(reason);
  }

  async run(): Promise<JobResult> {
    const { job } = this.options;
    try {
      await this.bootstrap();
      this.listenToServers();
      const jobStart = jobStartNow();
      const now = jobClock(jobStart);
      const traceFiles: string[] = [];
      const coordTrace =
        this.options.traceDir === null ? null : join(this.options.traceDir, "coordinator.jsonl");
      if (coordTrace !== null) traceFiles.push(coordTrace);
      for (const r of this.sorted()) {
        const tracePath =
          this.options.traceDir === null ? null : join(this.options.traceDir, `${r.role}-${r.rank}.jsonl`);
        if (tracePath !== null) traceFiles.push(tracePath);
        const assignment: Assignment = {
          rank: r.rank,
          job,
          servers: this.sorted("server").map((s) => s.address!),
          jobStart,
          tracePath,
        };
        r.conn.sendControl({ t: "assign", ...assignment });
      }
      // Clock 0's sample once the assignments have left (a turn later: sends are corked until then), so an
      // objective that takes long does not hold up the workers, which wait for them with a timeout.
      await new Promise((resolve) => setImmediate(resolve));
      this.sampler.start();
      const stats = await this.collectDone();
      const wallTimeNs = Math.max(...stats.map((s) => s.endNs));
      const model = await this.collectModel();
      // The final model's objective, evaluated on the dump; the clock-C sample, taken on the shards' own
      // snapshots, must equal it (a test checks they do).
      const final = this.sampler.evaluate(job.clocks, wallTimeNs, model);
      const objectives = this.objectiveCurve(final);
      const summary = this.summarize(stats, wallTimeNs, final.value);
      const finalRows = [...model]
        .sort((a, b) => a[0] - b[0])
        .map(([, r]) => {
          const width = this.tables.find((t) => t.id === r.table)!.width;
          return { table: r.table, row: r.row, values: new RowView(width, r.values).nonZeros() };
        });
      for (const r of this.registered) r.conn.sendControl({ t: "shutdown" });
      if (coordTrace !== null) await this.writeTrace(coordTrace, summary, objectives, finalRows, now());
      return {
        summary,
        finalRows: finalRows.map((r) => ({ table: r.table, row: r.row, values: r.values })),
        traceFiles,
        objectives,
      };
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.listener.close();
    // Let shutdown frames leave before the sockets go.
    await Promise.all([...this.connections].map((c) => c.drained()));
    for (const c of this.connections) c.close();
  }

  private accept(socket: Socket): void {
    const conn = new Connection(socket, {
      label: `${socket.remoteAddress}:${socket.remotePort}`,
      schema: controlOnlySchema(CONTROL_MAX_FRAME_BYTES),
      maxQueuedBytes: DEFAULT_MAX_QUEUED_BYTES,
      now: () => 0,
    });
    this.connections.add(conn);
    conn.onClose(() => this.connections.delete(conn));
    this.register(conn).catch((e: Error) =>
      this.options.log(`coordinator: refused ${conn.label}: ${e.message}`),
    );
  }

  private async register(conn: Connection): Promise<void> {
    const { job } = this.options;
    const peer = await acceptPeer(conn, this.options.token, "coordinator", this.options.bootstrapTimeoutMs);
    const frame = await conn.next(this.options.bootstrapTimeoutMs, "registration");
    if (
      frame.kind !== "control" ||
      frame.body.t !== "register" ||
      (peer.role !== "server" && peer.role !== "worker")
    ) {
      conn.fail(new Error("expected a registration from a server or worker process"));
      return;
    }
    const role = peer.role;
    const limit = role === "server" ? job.servers : job.workerProcesses;
    const what = role === "server" ? "server" : "worker process";
    const fail = (message: string): void => {
      conn.fail(new Error(message));
    };
    if (this.bootstrapDone)
      return fail(`the job already has all its processes; this ${what} is one too many`);
    const same = this.registered.filter((r) => r.role === role);
    if (same.length >= limit) return fail(`the job has only ${limit} ${what}es and all have registered`);
    if (peer.rank >= limit) return fail(`${what} rank ${peer.rank} is outside [0, ${limit})`);
    if (peer.rank >= 0 && same.some((r) => r.requested === peer.rank)) {
      return fail(`${what} rank ${peer.rank} is already taken`);
    }
    const address = frame.body.address as Address | null;
    if (
      role === "server" &&
      (address === null || typeof address?.host !== "string" || !Number.isInteger(address?.port))
    ) {
      return fail("a server must register the address workers can reach it at");
    }
    const pid = typeof frame.body.pid === "number" ? frame.body.pid : -1;
    this.registered.push({ role, requested: peer.rank, rank: -1, conn, address, pid });
    this.options.log(
      `coordinator: ${what} registered from ${conn.label} (pid ${pid})${address ? `, listening at ${formatAddress(address)}` : ""}`,
    );
    conn.onClose((error) => {
      if (!this.bootstrapDone) {
        const i = this.registered.findIndex((r) => r.conn === conn);
        if (i >= 0) this.registered.splice(i, 1);
        return;
      }
      this.settle?.reject(
        new Error(
          `${describe(this.registered.find((r) => r.conn === conn)!)} disconnected${error ? `: ${error.message}` : ""}`,
        ),
      );
    });
    this.checkComplete();
  }

  private bootstrapResolve: (() => void) | null = null;

  private bootstrap(): Promise<void> {
    const { job, bootstrapTimeoutMs } = this.options;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const servers = this.registered.filter((r) => r.role === "server");
        const workers = this.registered.filter((r) => r.role === "worker");
        const missing: string[] = [];
        if (servers.length < job.servers)
          missing.push(`${job.servers - servers.length} of ${job.servers} servers`);
        if (workers.length < job.workerProcesses) {
          missing.push(`${job.workerProcesses - workers.length} of ${job.workerProcesses} worker processes`);
        }
        const seen = [...servers, ...workers].map(describe).join("; ") || "none";
        reject(
          new Error(
            `bootstrap timed out after ${bootstrapTimeoutMs} ms: missing ${missing.join(" and ")}. ` +
              `Registered: ${seen}. The coordinator listened at ${formatAddress(this.address)}: ` +
              "check that the missing processes were started with SSP_COORD pointing there and the same token.",
          ),
        );
      }, bootstrapTimeoutMs);
      this.settle = {
        resolve: () => {},
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.bootstrapResolve = () => {
        clearTimeout(timer);
        resolve();
      };
      if (this.failure !== null) this.settle.reject(this.failure);
      this.checkComplete();
    });
  }

  private checkComplete(): void {
    const { job } = this.options;
    if (this.bootstrapDone || this.bootstrapResolve === null) return;
    const servers = this.registered.filter((r) => r.role === "server");
    const workers = this.registered.filter((r) => r.role === "worker");
    if (servers.length < job.servers || workers.length < job.workerProcesses) return;
    this.bootstrapDone = true;
    for (const group of [servers, workers]) {
      const taken = new Set(group.filter((r) => r.requested >= 0).map((r) => r.requested));
      let next = 0;
      for (const r of group) {
        if (r.requested >= 0) r.rank = r.requested;
        else {
          while (taken.has(next)) next++;
          r.rank = next++;
        }
      }
    }
    this.bootstrapResolve();
  }

  private sorted(role?: "server" | "worker"): Registered[] {
    return this.registered
      .filter((r) => role === undefined || r.role === role)
      .sort((a, b) => (a.role === b.role ? a.rank - b.rank : a.role === "server" ? -1 : 1));
  }

  private collectDone(): Promise<WorkerStats[]> {
    const workers = this.sorted("worker");
    const stats: Array<WorkerStats | undefined> = [];
    let left = workers.length;
    return new Promise((resolve, reject) => {
      this.settle = { resolve: () => {}, reject };
      if (this.failure !== null) reject(this.failure);
      for (const r of workers) {
        r.conn.listen((frame) => {
          const body = controlBody(frame, describe(r));
          if (body.t === "failed") {
            reject(new Error(`${describe(r)} failed: ${String(body.message)}`));
          } else if (body.t === "done" && stats[r.rank] === undefined) {
            stats[r.rank] = body.stats as WorkerStats;
            if (--left === 0) resolve(stats as WorkerStats[]);
          } else {
            throw new Error(`unexpected "${body.t}" from ${describe(r)}`);
          }
        });
      }
    });
  }

  /**
   * From the assignment on, servers send objective samples: a shard's rows, then a "sample" naming the shard
   * and clock; at the end, every row, then "dumped". Frames of one connection arrive in order, so the rows
   * since the last marker are the marker's.
   */
  private listenToServers(): void {
    const schema = jobSchema(this.options.job, this.tables);
    for (const r of this.sorted("server")) {
      r.conn.setSchema(schema);
      let rows: ModelRow[] = [];
      /** The shard and clock each row frame since the last marker claimed, checked against the marker. */
      let from: Array<[number, number]> = [];
      r.conn.listen((frame) => {
        this.heardFromServer?.();
        if (frame.kind === "row") {
          for (const m of frame.messages) {
            rows.push({ table: m.table, row: m.row, values: m.values });
            from.push([m.shard, m.clock]);
          }
          return;
        }
        const body = controlBody(frame, describe(r));
        if (body.t === "sample") {
          const { shard, clock, time } = body;
          if (
            !Number.isInteger(shard) ||
            !Number.isInteger(clock) ||
            typeof time !== "number" ||
            !Number.isFinite(time) ||
            body.rows !== rows.length ||
            from.some(([s, c]) => s !== shard || c !== clock) ||
            serverOfShard(this.options.job, shard as number) !== r.rank
          ) {
            throw new Error(
              `malformed objective sample from ${describe(r)}: ${JSON.stringify(body)} after ${rows.length} rows`,
            );
          }
          this.sampler.add(shard as number, clock as number, time, rows);
        } else if (body.t === "dumped" && this.onDumped !== null) {
          this.onDumped(r, rows);
        } else {
          throw new Error(`unexpected "${body.t}" from ${describe(r)}`);
        }
        rows = [];
        from = [];
      });
    }
  }

  /** The samples, or (objectiveEvery 0) just the final model's. */
  private objectiveCurve(final: ObjectiveSample): ObjectiveSample[] {
    if (this.options.job.objectiveEvery === 0) return [final];
    const missing = this.sampler.missing();
    if (missing.length > 0) {
      throw new Error(`no objective sample at clock${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
    }
    return this.sampler.samples;
  }

  /** Asks every server for its rows once all clocks are applied; the union is the final model. */
  private collectModel(): Promise<Map<number, ModelRow>> {
    const servers = this.sorted("server");
    const model = new Map<number, ModelRow>();
    const waiting = new Set(servers);
    const timeoutMs = Math.max(60_000, this.options.bootstrapTimeoutMs);
    return new Promise((resolve, reject) => {
      // From the last frame any server sent, not from the dump request: samples queued before the final rows
      // may keep this process busy evaluating objectives for a while, and they show the servers are alive.
      const timer = setTimeout(() => {
        reject(
          new Error(
            `${[...waiting].map(describe).join(", ")} sent no final rows, and no server sent anything for ${timeoutMs} ms, ` +
              "after every worker finished: a shard never saw every batch (see that server's log)",
          ),
        );
      }, timeoutMs);
      this.heardFromServer = () => timer.refresh();
      this.settle = {
        resolve: () => {},
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.onDumped = (r, rows) => {
        if (!waiting.delete(r)) throw new Error(`a second "dumped" from ${describe(r)}`);
        for (const row of rows) model.set(rowKey(row.table, row.row), row);
        if (waiting.size === 0) {
          clearTimeout(timer);
          this.heardFromServer = null;
          resolve(model);
        }
      };
      for (const r of servers) r.conn.sendControl({ t: "dump" });
    });
  }

  private summarize(stats: WorkerStats[], wallTimeNs: number, objective: number): RuntimeSummary {
    const { job } = this.options;
    let compute = 0;
    let wait = 0;
    let comm = 0;
    let reads = 0;
    let messages = 0;
    let bytes = 0;
    let runNs = 0;
    const histogram = new Map<number, number>();
    for (const s of stats) {
      compute += s.computeNs;
      wait += s.waitNs;
      comm += s.commNs;
      reads += s.reads;
      messages += s.messages;
      bytes += s.bytes;
      runNs = Math.max(runNs, s.runNs);
      for (const [k, v] of Object.entries(s.staleness))
        histogram.set(Number(k), (histogram.get(Number(k)) ?? 0) + v);
    }
    const total = compute + wait + comm || 1;
    return {
      host: "runtime",
      app: job.app,
      workers: job.workers,
      workerProcesses: job.workerProcesses,
      machines: job.workerProcesses,
      servers: job.servers,
      shards: numShards(job),
      consistency: job.consistency,
      staleness: job.staleness,
      seed: job.seed,
      clocks: job.clocks,
      stragglers: job.stragglers,
      wallTimeNs,
      runNs,
      clocksPerSecond: job.clocks / (wallTimeNs / 1e9),
      computeFraction: compute / total,
      waitFraction: wait / total,
      commFraction: comm / total,
      stalenessP50: percentile(histogram, 0.5),
      stalenessP99: percentile(histogram, 0.99),
      reads,
      objectiveName: this.app.objectiveName,
      objective,
      messages,
      bytes,
    };
  }

  private async writeTrace(
    path: string,
    summary: RuntimeSummary,
    objectives: readonly ObjectiveSample[],
    finalRows: Array<{ table: number; row: number; values: Array<[number, number]> }>,
    t: number,
  ): Promise<void> {
    const { job } = this.options;
    const header: TraceHeader = {
      k: "header",
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      host: "runtime",
      app: job.app,
      seed: job.seed,
      workers: job.workers,
      machines: job.workerProcesses,
      servers: numShards(job),
      consistency: job.consistency,
      staleness: job.staleness,
      clocks: job.clocks,
      workerMachine: Array.from({ length: job.workers }, (_, w) => processOfWorker(job, w)),
      objectiveName: this.app.objectiveName,
      objectiveGoal: this.app.objectiveGoal,
      config: { ...job, appDescription: this.app.describe() },
    };
    const trace = new TraceWriter(path);
    trace.write(header);
    for (const sample of objectives) trace.write({ k: "obj", ...sample });
    for (const r of finalRows) trace.write({ k: "final", table: r.table, row: r.row, values: r.values });
    trace.write({ k: "end", t, summary: { ...summary } });
    await trace.close();
  }
}

function controlBody(frame: Frame, from: string): { t: string; [k: string]: unknown } {
  if (frame.kind !== "control") throw new Error(`${from} sent a ${frame.kind} frame to the coordinator`);
  return frame.body;
}

function describe(r: Registered): string {
  const what = r.role === "server" ? "server" : "worker process";
  const rank = r.rank >= 0 ? ` ${r.rank}` : r.requested >= 0 ? ` ${r.requested}` : "";
  const where = r.address !== null ? ` at ${formatAddress(r.address)}` : ` from ${r.conn.label}`;
  return `${what}${rank}${where}${r.pid >= 0 ? ` (pid ${r.pid})` : ""}`;
}

function percentile(histogram: Map<number, number>, q: number): number {
  let total = 0;
  for (const v of histogram.values()) total += v;
  if (total === 0) return 0;
  const keys = [...histogram.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const k of keys) {
    seen += histogram.get(k)!;
    if (seen >= q * total) return k;
  }
  return keys[keys.length - 1];
}
