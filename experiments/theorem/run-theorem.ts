// `ssp sweep --theorem`: SGD logistic regression under SSP in the simulator, with the assumptions of
// Theorem 1 made true (examples scaled to ‖x‖ ≤ 1 so L = 1; iterates projected onto ‖x‖ ≤ F/2 so
// D(x‖x') = ½‖x − x'‖² ≤ F²; η_t = σ/√t over the serial update index with the theorem's σ), and the
// measured regret per update R[X]/T set against the bound 4FL√(2(s+1)PT)/T.

import { type LogregInstance, logregApp } from "../../apps/logreg.ts";
import { simulate } from "../../sim/simulate.ts";
import { lipschitz, type RegretPoint, regretCurve, theoremBound, theoremSigma } from "./regret.ts";

export interface TheoremRun {
  staleness: number;
  workers: number;
  clocks: number;
  F: number;
  L: number;
  sigma: number;
  stalenessP99: number;
  points: RegretPoint[];
}

export interface TheoremOptions {
  stalenesses: number[];
  workers: number[];
  clocks: number;
  /** Radius of the feasible ball, F/2. */
  radius: number;
  seed: number;
  examples: number;
  log?: (line: string) => void;
}

export const defaultTheorem: TheoremOptions = {
  stalenesses: [0, 1, 4, 16],
  workers: [4, 16],
  clocks: 80,
  radius: 2,
  seed: 1,
  examples: 4000,
};

export async function runTheorem(o: TheoremOptions): Promise<TheoremRun[]> {
  const out: TheoremRun[] = [];
  const F = 2 * o.radius;
  for (const P of o.workers) {
    for (const s of o.stalenesses) {
      o.log?.(`theorem: P=${P}, s=${s}`);
      const L = 1;
      const sigma = theoremSigma(F, L, s, P);
      const app = logregApp.create(
        {
          sigma: String(sigma),
          radius: String(o.radius),
          "step-index": "update",
          normalize: "1",
          record: "1",
          examples: String(o.examples),
          minibatch: "0.05",
        },
        { workers: P, seed: o.seed, clocks: o.clocks },
      ) as LogregInstance;
      const measuredL = lipschitz(app.examples);
      if (measuredL > L + 1e-9) throw new Error(`examples are not normalised: max ‖x‖ = ${measuredL}`);
      const { summary } = await simulate({
        app,
        workers: P,
        machines: Math.max(1, P / 2),
        servers: 2,
        consistency: "ssp",
        staleness: s,
        clocks: o.clocks,
        seed: o.seed,
        stragglers: "jitter:mean=1",
        objectiveEvery: 0,
      });
      const checkpoints = [0.1, 0.25, 0.5, 1].map((f) => Math.max(P, Math.round((f * o.clocks) / 1) * P));
      const points = regretCurve(app.steps, app.examples, o.radius, checkpoints, (T) =>
        theoremBound(F, L, s, P, T),
      );
      out.push({
        staleness: s,
        workers: P,
        clocks: o.clocks,
        F,
        L,
        sigma,
        stalenessP99: summary.stalenessP99,
        points,
      });
    }
  }
  return out;
}

export function theoremMarkdown(runs: TheoremRun[]): string {
  const lines = [
    "| P | s | σ | observed staleness p99 | T | R[X]/T measured | bound/T | measured / bound |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of runs) {
    for (const p of r.points) {
      lines.push(
        `| ${r.workers} | ${r.staleness} | ${r.sigma.toPrecision(3)} | ${r.stalenessP99} | ${p.T} | ${p.regretPerT.toPrecision(3)} | ${p.boundPerT.toPrecision(3)} | ${(p.regret / p.bound).toPrecision(2)} |`,
      );
    }
  }
  return lines.join("\n");
}
