// The objective curve, for both hosts: each shard's settled rows arrive at the sampled clocks; once every
// shard has reached clock c, the objective and the app's metrics are evaluated on the union, the consistent
// model of clock c (every update stamped < c). The sample's time is when the last shard got there.
// The runtime's coordinator gets the rows from its servers (runtime/coordinator.ts); the simulator from its
// shards, or from its partitions' threads (sim/simulate.ts).

import { rowKey } from "../core/keys.ts";
import { initialRow, type RowValues, RowView } from "../core/rows.ts";
import type { TableSpec } from "../core/tables.ts";
import { objectiveDue } from "../core/trace-format.ts";
import type { AppInstance, ModelView } from "./api.ts";

/** A row of the model as a shard reports it. */
export interface ModelRow {
  table: number;
  row: number;
  values: RowValues;
}

/** The objective (and the app's other metrics) on the consistent model at a clock, at time t (ns). */
export interface ObjectiveSample {
  clock: number;
  t: number;
  value: number;
  metrics?: Record<string, number>;
}

/** Which clocks are sampled, and how many shards report each. */
export interface SamplePlan {
  objectiveEvery: number;
  clocks: number;
  shards: number;
}

/** An evaluation this slow is worth a word: the host does nothing else meanwhile. */
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

  /**
   * @param log with `nowMs`, a host's wall clock, says when an evaluation is slow (the runtime, whose
   *   coordinator does nothing else meanwhile); without it nothing is timed (the simulator: apps are kept
   *   free of wall-clock time).
   */
  constructor(
    private readonly app: AppInstance,
    private readonly tables: readonly TableSpec[],
    private readonly plan: SamplePlan,
    private readonly log: (line: string) => void = () => {},
    private readonly nowMs?: () => number,
  ) {}

  wants(clock: number): boolean {
    return objectiveDue(clock, this.plan.objectiveEvery, this.plan.clocks);
  }

  /** Clock 0: the initial model, before any update (no shard reports it: shards start there). At t = 0. */
  start(): ObjectiveSample | undefined {
    if (!this.wants(0)) return undefined;
    const sample = this.evaluate(0, 0, new Map());
    this.samples.unshift(sample);
    return sample;
  }

  /**
   * One shard's settled rows at `clock`, taken at time `t`; returns the clock's sample once every shard is in.
   * Throws on a sample that was never asked for.
   */
  add(shard: number, clock: number, t: number, rows: readonly ModelRow[]): ObjectiveSample | undefined {
    if (!this.wants(clock) || clock === 0) {
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
    if (a.shards.size < this.plan.shards) return undefined;
    this.assembling.delete(clock);
    const sample = this.evaluate(clock, a.t, a.model);
    this.samples.push(sample);
    return sample;
  }

  /** Sampled clocks that never completed (a shard did not report them). */
  missing(): number[] {
    const have = new Set(this.samples.map((s) => s.clock));
    const out: number[] = [];
    for (let c = 0; c <= this.plan.clocks; c++) if (this.wants(c) && !have.has(c)) out.push(c);
    return out;
  }

  evaluate(clock: number, t: number, model: Map<number, ModelRow>): ObjectiveSample {
    const view = modelView(this.tables, model);
    const started = this.nowMs?.() ?? 0;
    const value = this.app.objective(view);
    const metrics = this.app.evaluate?.(view);
    const ms = (this.nowMs?.() ?? 0) - started;
    if (ms >= SLOW_EVALUATION_MS && !this.toldSlow && this.plan.objectiveEvery > 0) {
      this.toldSlow = true;
      this.log(
        `the objective at clock ${clock} took ${Math.round(ms)} ms to evaluate; a larger --objective-every takes fewer samples`,
      );
    }
    return { clock, t, value, ...(metrics === undefined ? {} : { metrics }) };
  }
}

/**
 * The model as an app's objective reads it: rows the shards sent, initial values for the rest. An initial
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
