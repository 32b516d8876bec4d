// Straggler models, composed from a spec such as "slow:workers=3,factor=4+pareto:alpha=1.5".
//
//   none                          no stragglers.
//   slow:workers=1,factor=4       persistent: `workers` workers (chosen by the seed) compute `factor`× slower.
//   jitter:mean=0.1               per clock, compute time × (1 + E), E ~ Exponential(mean) (a shifted
//                                 exponential: most clocks near nominal, some noticeably slower).
//   pareto:alpha=1.5,max=50       per clock, compute time × X, X ~ Pareto(x_m = 1, alpha), capped at max:
//                                 heavy tails, occasional very slow clocks (alpha ≤ 2 has infinite variance).
//   pause:rate=1,ms=50            GC-like pauses arriving as a Poisson process of `rate` per second of compute,
//                                 each stopping the worker for `ms` milliseconds.
//
// Models multiply their slowdowns and add their pauses. Each draw comes from the worker's own stream, so a
// model's draws for one worker do not depend on how many workers there are.

import { type Random, stream } from "../apps/random.ts";

export interface StragglerModel {
  /** Compute-time multiplier for `worker` during its clock `clock`. */
  slowdown(worker: number, clock: number): number;
  /** Pause time that falls inside `computeNs` of the worker's compute. */
  pauseNs(worker: number, computeNs: number): number;
  /** The spec this model was built from, normalised with every default filled in. */
  readonly spec: string;
}

interface Part {
  name: string;
  params: Record<string, number>;
}

const DEFAULTS: Record<string, Record<string, number>> = {
  none: {},
  slow: { workers: 1, factor: 4 },
  jitter: { mean: 0.1 },
  pareto: { alpha: 1.5, max: 50 },
  pause: { rate: 1, ms: 50 },
};

export const stragglerModelNames = Object.keys(DEFAULTS);

/** Parses "name:k=v,k=v+name:…" or a JSON array of {"model": name, …params}. */
export function parseStragglerSpec(spec: string): Part[] {
  const text = spec.trim();
  const raw: Array<{ name: string; params: Record<string, unknown> }> = [];
  if (text.startsWith("[") || text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`straggler spec is not valid JSON: ${(e as Error).message}`);
    }
    for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
      if (
        typeof item !== "object" ||
        item === null ||
        typeof (item as { model?: unknown }).model !== "string"
      ) {
        throw new Error(`straggler spec JSON: each entry needs a "model" name, got ${JSON.stringify(item)}`);
      }
      const { model, ...params } = item as { model: string } & Record<string, unknown>;
      raw.push({ name: model, params });
    }
  } else {
    for (const piece of text.split("+")) {
      const [name, args = ""] = piece.trim().split(":", 2);
      const params: Record<string, unknown> = {};
      for (const kv of args.split(",").filter((s) => s.trim() !== "")) {
        const eq = kv.indexOf("=");
        if (eq < 0) throw new Error(`straggler spec "${piece}": expected key=value, got "${kv}"`);
        params[kv.slice(0, eq).trim()] = Number(kv.slice(eq + 1).trim());
      }
      raw.push({ name: name.trim(), params });
    }
  }
  return raw.map(({ name, params }) => {
    const defaults = DEFAULTS[name];
    if (defaults === undefined) {
      throw new Error(`unknown straggler model "${name}"; models: ${stragglerModelNames.join(", ")}`);
    }
    const out: Record<string, number> = { ...defaults };
    for (const [key, value] of Object.entries(params)) {
      if (!(key in defaults)) {
        throw new Error(
          `straggler model "${name}" has no parameter "${key}"; it takes ${Object.keys(defaults).join(", ") || "none"}`,
        );
      }
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new Error(`straggler ${name}: ${key} must be a number ≥ 0, got ${JSON.stringify(value)}`);
      }
      out[key] = value;
    }
    if (name === "slow" && (!Number.isInteger(out.workers) || out.factor < 1)) {
      throw new Error(`straggler slow: workers must be an integer and factor ≥ 1`);
    }
    if (name === "pareto" && (out.alpha <= 0 || out.max < 1)) {
      throw new Error(`straggler pareto: alpha must be > 0 and max ≥ 1`);
    }
    return { name, params: out };
  });
}

function normalise(parts: Part[]): string {
  return parts
    .map((p) => {
      const kv = Object.entries(p.params).map(([k, v]) => `${k}=${v}`);
      return kv.length === 0 ? p.name : `${p.name}:${kv.join(",")}`;
    })
    .join("+");
}

/**
 * Per-worker state of one model, indexed by worker and created on first use (an array: a map here was a cold
 * lookup per compute() at thousands of workers).
 */
type PerWorker<T> = Array<T | undefined>;

/** Per-clock multiplicative draws, drawn once per (worker, clock) in clock order. */
function perClock(seed: number, workers: number, label: string, draw: (r: Random) => number) {
  const state: PerWorker<{ random: Random; clock: number; value: number }> = new Array(workers);
  return (worker: number, clock: number): number => {
    let s = state[worker];
    if (s === undefined) {
      s = { random: stream(seed, `worker/${worker}`, label), clock: -1, value: 1 };
      state[worker] = s;
    }
    while (s.clock < clock) {
      s.value = draw(s.random);
      s.clock++;
    }
    return s.value;
  };
}

export function makeStragglers(spec: string, workers: number, seed: number): StragglerModel {
  const parts = parseStragglerSpec(spec);
  const slowdowns: Array<(w: number, c: number) => number> = [];
  const pauses: Array<(w: number, computeNs: number) => number> = [];
  parts.forEach((part, index) => {
    const label = `straggler/${index}/${part.name}`;
    const p = part.params;
    switch (part.name) {
      case "none":
        break;
      case "slow": {
        // Choose the slow workers with a seeded partial shuffle, so the choice is stable for a seed.
        const r = stream(seed, "job", label);
        const ids = Array.from({ length: workers }, (_, i) => i);
        const count = Math.min(p.workers, workers);
        for (let i = 0; i < count; i++) {
          const j = i + r.int(workers - i);
          [ids[i], ids[j]] = [ids[j], ids[i]];
        }
        const slow = new Set(ids.slice(0, count));
        slowdowns.push((w) => (slow.has(w) ? p.factor : 1));
        break;
      }
      case "jitter":
        slowdowns.push(
          perClock(seed, workers, label, (r) => 1 + (p.mean > 0 ? r.exponential(1 / p.mean) : 0)),
        );
        break;
      case "pareto":
        slowdowns.push(
          perClock(seed, workers, label, (r) => {
            let u = r.next();
            while (u === 0) u = r.next();
            return Math.min(p.max, u ** (-1 / p.alpha));
          }),
        );
        break;
      case "pause": {
        const durationNs = p.ms * 1e6;
        // Pauses arrive per second of compute (a worker only collects garbage while it runs): `untilNs` is
        // the compute time left before the worker's next pause.
        const next: PerWorker<{ random: Random; untilNs: number }> = new Array(workers);
        pauses.push((w, computeNs) => {
          if (p.rate === 0 || durationNs === 0) return 0;
          let s = next[w];
          if (s === undefined) {
            const random = stream(seed, `worker/${w}`, label);
            s = { random, untilNs: random.exponential(p.rate) * 1e9 };
            next[w] = s;
          }
          let total = 0;
          s.untilNs -= computeNs;
          while (s.untilNs <= 0) {
            total += durationNs;
            s.untilNs += s.random.exponential(p.rate) * 1e9;
          }
          return total;
        });
        break;
      }
    }
  });
  return {
    spec: normalise(parts),
    slowdown(worker, clock) {
      let m = 1;
      for (const f of slowdowns) m *= f(worker, clock);
      return m;
    },
    pauseNs(worker, computeNs) {
      let total = 0;
      for (const f of pauses) total += f(worker, computeNs);
      return total;
    },
  };
}
