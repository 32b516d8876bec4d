// The collapsed Gibbs kernel and the LDA log-likelihood, shared by the distributed program and the serial
// reference so the two differ only in how fresh their counts are.

import gammaln from "@stdlib/math-base-special-gammaln";
import type { Random } from "../random.ts";

export interface LdaPriors {
  topics: number;
  alpha: number;
  beta: number;
  vocabSize: number;
}

/** Word-topic counts the sampler reads and moves; the distributed program backs it with cached rows. */
export type WordRows = (word: number) => Int32Array;

/**
 * log Γ(n + offset) for integer n ≥ 0, cached. Counts are integers, and the likelihood calls this hundreds of
 * thousands of times per evaluation: a table lookup is ~100× cheaper than evaluating log Γ (measured).
 */
export class LogGammaTable {
  private values = new Float64Array(0);
  constructor(private readonly offset: number) {}

  at(n: number): number {
    if (n >= this.values.length) this.grow(n);
    return this.values[n];
  }

  private grow(n: number): void {
    const next = new Float64Array(Math.max(n + 1, 2 * this.values.length, 64));
    next.set(this.values);
    for (let i = this.values.length; i < next.length; i++) next[i] = gammaln(i + this.offset);
    this.values = next;
  }
}

/** The log Γ tables one set of priors needs. */
export class LdaLogGamma {
  readonly alpha: LogGammaTable;
  readonly topicsAlpha: LogGammaTable;
  readonly beta: LogGammaTable;
  readonly vocabBeta: LogGammaTable;
  constructor(readonly priors: LdaPriors) {
    this.alpha = new LogGammaTable(priors.alpha);
    this.topicsAlpha = new LogGammaTable(priors.topics * priors.alpha);
    this.beta = new LogGammaTable(priors.beta);
    this.vocabBeta = new LogGammaTable(priors.vocabSize * priors.beta);
  }
}

/**
 * Resamples every token of one document. `docTopic`, the word rows and `totals` are updated in place.
 * `weights` and `inverse` are scratch of length K. The cost is tokens × topics.
 */
export function sampleDocument(
  doc: Int32Array,
  z: Int32Array,
  docTopic: Int32Array,
  wordRow: WordRows,
  totals: Int32Array,
  priors: LdaPriors,
  random: Random,
  weights: Float64Array,
  inverse: Float64Array,
): void {
  const { topics: K, alpha, beta } = priors;
  const vBeta = priors.vocabSize * beta;
  // Stale counts from other workers can lag; clamping at 0 keeps every weight positive.
  for (let k = 0; k < K; k++) inverse[k] = 1 / (Math.max(totals[k], 0) + vBeta);
  for (let i = 0; i < doc.length; i++) {
    const row = wordRow(doc[i]);
    const old = z[i];
    docTopic[old]--;
    row[old]--;
    totals[old]--;
    inverse[old] = 1 / (Math.max(totals[old], 0) + vBeta);
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const nwk = row[k];
      sum += (docTopic[k] + alpha) * (Math.max(nwk, 0) + beta) * inverse[k];
      weights[k] = sum;
    }
    const u = random.next() * sum;
    let k = 0;
    while (k < K - 1 && weights[k] <= u) k++;
    docTopic[k]++;
    row[k]++;
    totals[k]++;
    inverse[k] = 1 / (Math.max(totals[k], 0) + vBeta);
    z[i] = k;
  }
}

/** log p(z_d | α) for one document: the document's share of the joint log-likelihood. */
export function documentLogLikelihood(docTopic: Int32Array, length: number, lg: LdaLogGamma): number {
  const { topics: K } = lg.priors;
  let ll = lg.topicsAlpha.at(0) - K * lg.alpha.at(0) - lg.topicsAlpha.at(length);
  for (let k = 0; k < K; k++) ll += lg.alpha.at(docTopic[k]);
  return ll;
}

/** log p(w | z, β): the word share of the joint log-likelihood, from word-topic counts and topic totals. */
export function wordLogLikelihood(
  wordRow: (word: number) => ArrayLike<number>,
  totals: ArrayLike<number>,
  lg: LdaLogGamma,
): number {
  const { topics: K, vocabSize: V } = lg.priors;
  const lgBeta = lg.beta.at(0);
  let ll = K * (lg.vocabBeta.at(0) - V * lgBeta);
  for (let k = 0; k < K; k++) ll -= lg.vocabBeta.at(Math.max(0, totals[k]));
  for (let w = 0; w < V; w++) {
    const row = wordRow(w);
    for (let k = 0; k < K; k++) if (row[k] > 0) ll += lg.beta.at(row[k]) - lgBeta;
  }
  return ll;
}
