// Serial collapsed Gibbs sampling: the reference the distributed program is compared with.

import { stream } from "../random.ts";
import type { Corpus } from "./corpus.ts";
import {
  documentLogLikelihood,
  LdaLogGamma,
  type LdaPriors,
  sampleDocument,
  wordLogLikelihood,
} from "./gibbs.ts";

export interface SerialLdaResult {
  /** Log-likelihood after initialisation and after each sweep. */
  logLikelihoods: number[];
}

export function serialLda(corpus: Corpus, priors: LdaPriors, sweeps: number, seed: number): SerialLdaResult {
  const { topics: K } = priors;
  const random = stream(seed, "serial-lda", "gibbs");
  const lg = new LdaLogGamma(priors);
  const wordTopic = Array.from({ length: priors.vocabSize }, () => new Int32Array(K));
  const totals = new Int32Array(K);
  const docTopic = corpus.docs.map(() => new Int32Array(K));
  const z = corpus.docs.map((doc, d) => {
    const zd = new Int32Array(doc.length);
    for (let i = 0; i < doc.length; i++) {
      const k = random.int(K);
      zd[i] = k;
      docTopic[d][k]++;
      wordTopic[doc[i]][k]++;
      totals[k]++;
    }
    return zd;
  });
  const logLikelihood = () => {
    let ll = wordLogLikelihood((w) => wordTopic[w], totals, lg);
    corpus.docs.forEach((doc, d) => {
      ll += documentLogLikelihood(docTopic[d], doc.length, lg);
    });
    return ll;
  };
  const weights = new Float64Array(K);
  const inverse = new Float64Array(K);
  const logLikelihoods = [logLikelihood()];
  for (let s = 0; s < sweeps; s++) {
    corpus.docs.forEach((doc, d) => {
      sampleDocument(doc, z[d], docTopic[d], (w) => wordTopic[w], totals, priors, random, weights, inverse);
    });
    logLikelihoods.push(logLikelihood());
  }
  return { logLikelihoods };
}
