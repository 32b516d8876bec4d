// The coordinator's objective curve: servers send each shard's settled rows at the sampled clocks (see
// ServerHost.sendSample); once every shard has reached clock c, the objective and the app's metrics are
// evaluated on the union, the consistent model of clock c, as the simulator does (sim/host.ts
// evaluateObjective). The sample's time is when the last shard got there.

import { performance } from "node:perf_hooks";
import type { AppInstance, ModelView } from "../apps/api.ts";
import { rowKey } from "../core/keys.ts";
import { initialRow, type RowValues, RowView } from "../core/rows.ts";
import type { TableSpec } from "../core/tables.ts";
import { type JobConfig, numShards, wantsObjective } from "./job.ts";

/** A row of the model as the coordinator receives it from a server. */
export interface ModelRow {
  table: number;
  row: number;
  values: RowValues;
}

/** The objective (and the app's other metrics) on the consistent model at a clock; t in job-clock ns. */
export interface ObjectiveSample {
  clock: number;
  t: number;
  value: number;
  metrics?: Record<string, number>;
}

/**
 * Snapshot bytes a server lets queue toward the coordinator before it stops reading from workers until they
 * drain: the coordinator evaluates the objective between reads, and without a bound a big model sampled
 * every clock would pile up in the server. Past it, training waits for the samples (memory stays bounded).
 */
export const SAMPLE_BACKLOG_BYTES = 64 * 1024 * 1024;

/** The backlog limit: SAMPLE_BACKLOG_BYTES, or `SSP_SAMPLE_BACKLOG_BYTES` (bytes) from the environment. */
export function sampleBacklogBytes(env: Record<string, string | undefined> = process.env): number {
  const text = env.SSP_SAMPLE_BACKLOG_BYTES;
  if (text === undefined || text === "") return SAMPLE_BACKLOG_BYTES;
  const bytes = Number(text);
  if (!Number.isInteger(bytes) || bytes < 1) {
    throw new RangeError(`SSP_SAMPLE_BACKLOG_BYTES must be a positive whole number of bytes, got "${text}"`);
  }
  return bytes;
}

/** An evaluation this slow is worth a word: the coordinator does nothing else meanwhile. */
const SLOW_EVALUATION_MS = 1000;

interface Assembling {
  /** Rows by key, from the shards that reached the clock so far (shards hold disjoint rows). */
  model: Map<number, ModelRow>;
  shards: Set<number>;
  /** When the last shard so far got there. */
  t: number;
}

export class ObjectiveSampler {
  /** In clock order: clock c completes only after every shard sent c, and each sent c − 1 before. */
  readonly samples: ObjectiveSample[] = [];
  private readonly assembling = new Map<number, Assembling>();
  private toldSlow = false;

  constructor(
    private readonly app: AppInstance,
    private readonly tables: readonly TableSpec[],
    private readonly job: JobConfig,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Clock 0: the initial model, before any update (no shard reports it: shards start there). At t = 0. */
  start(): void {
    if (wantsObjective(this.job, 0)) this.samples.unshift(this.evaluate(0, 0, new Map()));
  }

  /** One shard's settled rows at `clock`, taken at job time `t`. Throws on a sample the job never asked for. */
  add(shard: number, clock: number, t: number, rows: readonly ModelRow[]): void {
    if (!wantsObjective(this.job, clock) || clock === 0) {
      throw new Error(`a sample of shard ${shard} at clock ${clock}, which is not a sampled clock`);
    }
    let a = this.assembling.get(clock);
    if (a === undefined) {
      if (this.samples.some((s) => s.clock === clock)) {
        throw new Error(`a second sample of shard ${shard} at clock ${clock}`);
      }
      a = { model: new Map(), shards: new Set(), t: 0 };
      this.assembling.set(clock, a);
    }
    if (a.shards.has(shard)) throw new Error(`a second sample of shard ${shard} at clock ${clock}`);
    a.shards.add(shard);
    a.t = Math.max(a.t, t);
    for (const r of rows) a.model.set(rowKey(r.table, r.row), r);
    if (a.shards.size === numShards(this.job)) {
      this.assembling.delete(clock);
      this.samples.push(this.evaluate(clock, a.t, a.model));
    }
  }

  /** Sampled clocks that never completed (a shard did not report them). */
  missing(): number[] {
    const have = new Set(this.samples.map((s) => s.clock));
    const out: number[] = [];
    for (let c = 0; c <= this.job.clocks; c++) if (wantsObjective(this.job, c) && !have.has(c)) out.push(c);
    return out;
  }

  evaluate(clock: number, t: number, model: Map<number, ModelRow>): ObjectiveSample {
    const view = modelView(this.tables, model);
    const started = performance.now();
    const value = this.app.objective(view);
    const metrics = this.app.evaluate?.(view);
    const ms = performance.now() - started;
    if (ms >= SLOW_EVALUATION_MS && !this.toldSlow && this.job.objectiveEvery > 0) {
      this.toldSlow = true;
      this.log(
        `coordinator: the objective at clock ${clock} took ${Math.round(ms)} ms to evaluate; samples wait ` +
          `behind it (servers pause workers past ${SAMPLE_BACKLOG_BYTES / 2 ** 20} MiB queued): a larger --objective-every takes fewer`,
      );
    }
    return { clock, t, value, ...(metrics === undefined ? {} : { metrics }) };
  }
}

/**
 * The model as an app's objective reads it: rows the servers sent, initial values for the rest. An initial
 * row is computed once per view: objectives read each row once per rating, and MF's random initial rows cost
 * a hash per value (at clock 0, where every row is initial, recomputing them made an evaluation 30× slower).
 */
function modelView(tables: readonly TableSpec[], model: Map<number, ModelRow>): ModelView {
  const byId = new Map(tables.map((t) => [t.id, t]));
  const initial = new Map<number, RowValues>();
  return {
    row(table, row) {
      const spec = byId.get(table);
      if (spec === undefined) throw new RangeError(`objective asked for unknown table ${table}`);
      const key = rowKey(table, row);
      let values = model.get(key)?.values ?? initial.get(key);
      if (values === undefined) initial.set(key, (values = initialRow(spec, row)));
      return new RowView(spec.width, values);
    },
  };
}
