// Collects trace records: forwards them to an optional sink (the --trace file) and folds every record into
// a SHA-256 digest. The digest reads numbers as float64 bytes and strings as UTF-16 code units, so it is
// cheap enough to compute on every run, written to disk or not: the same seed gives the same traceSha256.
//
// Records are hashed in streams, each in its own order: two per simulated machine, and the run's own
// (header, objective samples, final rows, summary). A machine's first stream has what its events record:
// its workers' spans, reads, clocks and increments, its shards' clocks, and the messages it sends itself;
// the second has the messages that reach it through its NIC, in the order they were sent. traceSha256 is
// the hash of the streams' digests in a fixed order. A machine's events run in the same order however the
// run is split into partitions (partition.ts), and so do its NIC's arrivals, so the hash does not depend
// on the partitioning either, while the trace file keeps the order one queue ran the events in.

import { createHash, type Hash } from "node:crypto";
import { readRecord, type TraceMessage, type TraceRecord, type TraceSpan } from "../core/trace-format.ts";

/** Per stream: 2 KB, so that the 1,250 streams of 625 machines take 2.5 MB. */
const BUFFER_VALUES = 256;

/** The stream kinds, in the order their digests are hashed. */
const RUN = 0;
const MACHINE = 1;
const NIC = 2;
const KINDS = 3;

class Stream {
  readonly hash: Hash = createHash("sha256");
  readonly buffer = new Float64Array(BUFFER_VALUES);
  filled = 0;

  flush(): void {
    if (this.filled === 0) return;
    this.hash.update(new Uint8Array(this.buffer.buffer, 0, this.filled * 8));
    this.filled = 0;
  }
}

/** A recorder's streams, as their kind, index and digest: what a partition hands back. */
export type StreamDigests = Array<[kind: number, index: number, digest: string]>;

/**
 * What a trace file gets: "full" is every record; "timeline" leaves out reads and messages (the bulk of a
 * long run) and keeps spans, clocks, shard clocks, objective samples and the summary: what sweeps keep for
 * the report's timelines, at a few hundred kB instead of tens of MB per run.
 */
export type TraceDetail = "full" | "timeline";

export class TraceRecorder {
  /** streams[kind][index]; the run's stream is streams[RUN][0]. */
  private readonly streams: Stream[][] = Array.from({ length: KINDS }, () => []);
  /** Where push() writes: the stream of the record being folded. */
  private current!: Stream;
  private workerMachine: Int32Array = new Int32Array(0);
  private shardMachine: Int32Array = new Int32Array(0);
  records = 0;

  /**
   * @param sink receives every record (the --trace file), except what `detail` leaves out of it. Everything
   *   is hashed either way, so traceSha256 does not depend on what was written.
   */
  constructor(
    private readonly sink?: (record: TraceRecord) => void,
    private readonly detail: TraceDetail = "full",
  ) {}

  /** Where workers and shards run, which decides their records' streams; a host says it before recording. */
  placeOn(workerMachine: Int32Array, shardMachine: Int32Array): void {
    this.workerMachine = workerMachine;
    this.shardMachine = shardMachine;
  }

  private to(kind: number, index: number): void {
    const streams = this.streams[kind];
    let stream = streams[index];
    if (stream === undefined) {
      stream = new Stream();
      streams[index] = stream;
    }
    this.current = stream;
  }

  /** Any record (a worker's increments go to its machine's stream, the rest to the run's); the frequent kinds have faster methods below. */
  record(record: TraceRecord): void {
    this.records++;
    if (record.k === "inc") this.to(MACHINE, this.workerMachine[record.w]);
    else this.to(RUN, 0);
    this.fold(record);
    this.sink?.(record);
  }

  // The frequent kinds have their own methods: they fold the numbers straight into the digest and build the
  // record object only when a sink wants it, which keeps large runs free of that garbage.

  span(
    w: number,
    kind: TraceSpan["kind"],
    t0: number,
    t1: number,
    clock: number,
    table = -1,
    row = -1,
  ): void {
    this.records++;
    this.to(MACHINE, this.workerMachine[w]);
    this.push(-11e300);
    this.push(w);
    this.push(kind === "compute" ? 0 : kind === "wait" ? 1 : 2);
    this.push(t0);
    this.push(t1);
    this.push(clock);
    this.push(table);
    this.push(row);
    if (this.sink !== undefined) {
      this.sink(
        table < 0 ? { k: "span", w, kind, t0, t1, clock } : { k: "span", w, kind, t0, t1, clock, table, row },
      );
    }
  }

  /**
   * A message between client `client` and shard `shard`; `toShard` gives the direction. It goes to a stream
   * of the machine `receiver` that receives it: its own if it never left it (`sameMachine`), else its NIC's.
   */
  message(
    toShard: boolean,
    client: number,
    shard: number,
    sent: number,
    recv: number,
    bytes: number,
    kind: TraceMessage["kind"],
    receiver: number,
    sameMachine: boolean,
  ): void {
    this.records++;
    this.to(sameMachine ? MACHINE : NIC, receiver);
    this.push(-12e300);
    this.push(toShard ? 1 : 0);
    this.push(client);
    this.push(shard);
    this.push(sent);
    this.push(recv);
    this.push(bytes);
    this.push(kind === "batch" ? 0 : kind === "read" ? 1 : kind === "row" ? 2 : 3);
    if (this.sink !== undefined && this.detail === "full") {
      const c = `c${client}`;
      const s = `s${shard}`;
      this.sink({ k: "msg", from: toShard ? c : s, to: toShard ? s : c, sent, recv, bytes, kind });
    }
  }

  clock(w: number, clock: number, t: number): void {
    this.records++;
    this.to(MACHINE, this.workerMachine[w]);
    this.push(-14e300);
    this.push(w);
    this.push(clock);
    this.push(t);
    this.sink?.({ k: "clock", w, clock, t });
  }

  serverClock(s: number, clock: number, t: number): void {
    this.records++;
    this.to(MACHINE, this.shardMachine[s]);
    this.push(-15e300);
    this.push(s);
    this.push(clock);
    this.push(t);
    this.sink?.({ k: "sclock", s, clock, t });
  }

  /** A completed read, as the core reported it, at time t; `values` in check mode. */
  read(
    e: {
      worker: number;
      clock: number;
      table: number;
      row: number;
      rowClock: number;
      staleness: number;
      source: "cache" | "server";
    },
    t: number,
    values?: Array<[number, number]>,
  ): void {
    this.records++;
    this.to(MACHINE, this.workerMachine[e.worker]);
    this.push(-13e300);
    this.push(e.worker);
    this.push(t);
    this.push(e.clock);
    this.push(e.table);
    this.push(e.row);
    this.push(e.rowClock);
    this.push(e.staleness);
    this.push(e.source === "cache" ? 0 : 1);
    if (values !== undefined) this.fold(values);
    if (this.sink !== undefined && this.detail === "full") this.sink(readRecord(e, t, values));
  }

  /** Each stream's digest, in hashing order; call once, at the end. */
  streamDigests(): StreamDigests {
    const out: StreamDigests = [];
    this.streams.forEach((streams, kind) => {
      streams.forEach((stream, index) => {
        stream.flush();
        out.push([kind, index, stream.hash.digest("hex")]);
      });
    });
    return out;
  }

  /**
   * traceSha256: the digest of every stream's digest in order (kind, then index), this recorder's own and
   * those the partitions of a partitioned run recorded. Call once, at the end.
   */
  digest(partitions: readonly StreamDigests[] = []): string {
    const all = [...this.streamDigests(), ...partitions.flat()];
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const hash = createHash("sha256");
    for (let i = 0; i < all.length; i++) {
      const [kind, index, digest] = all[i];
      if (i > 0 && all[i - 1][0] === kind && all[i - 1][1] === index) {
        throw new Error(`trace stream ${kind}/${index} was recorded by two partitions`);
      }
      hash.update(`${kind}/${index}:${digest}\n`);
    }
    return hash.digest("hex");
  }

  private push(x: number): void {
    const stream = this.current;
    if (stream.filled === BUFFER_VALUES) stream.flush();
    stream.buffer[stream.filled++] = x;
  }

  private fold(value: unknown): void {
    switch (typeof value) {
      case "number":
        this.push(value);
        return;
      case "string":
        this.push(-1e300);
        for (let i = 0; i < value.length; i++) this.push(value.charCodeAt(i));
        return;
      case "boolean":
        this.push(value ? -2e300 : -3e300);
        return;
      case "undefined":
        return;
      case "object":
        if (value === null) {
          this.push(-4e300);
        } else if (Array.isArray(value)) {
          this.push(-5e300);
          for (const v of value) this.fold(v);
        } else {
          this.push(-6e300);
          for (const [k, v] of Object.entries(value)) {
            this.fold(k);
            this.fold(v);
          }
        }
        return;
      default:
        throw new TypeError(
          `trace records hold numbers, strings, booleans, arrays and objects, not ${typeof value}`,
        );
    }
  }
}
