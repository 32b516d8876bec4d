// LDA by collapsed Gibbs sampling on the parameter server. Word-topic counts (one int32 row of width K per
// word) and the topic totals live in tables; each worker keeps the topic assignments and document-topic counts
// of the documents it owns. Clock 0 assigns topics at random; every later clock resamples a fraction of the
// worker's documents against the counts as SSP lets it see them.

import type { AppFactory, AppInstance, AppOptions, ModelView, TableShape, WorkerApi } from "../api.ts";
import { REFERENCE_NS_PER_UNIT } from "../cost.ts";
import { loadSotuCorpus, SOTU_FIRST_YEAR, SOTU_LAST_YEAR } from "../data/sotu.ts";
import { loadUciBagOfWords } from "../data/uci-bow.ts";
import { OptionReader } from "../options.ts";
import { type Corpus, tokenCount } from "./corpus.ts";
import {
  documentLogLikelihood,
  LdaLogGamma,
  type LdaPriors,
  sampleDocument,
  wordLogLikelihood,
} from "./gibbs.ts";

export const WORD_TOPIC_TABLE = 0;
export const TOPIC_TOTALS_TABLE = 1;
/** One float64 cell holding Σ_d log p(z_d | α), kept up to date by the workers, so the objective needs only tables. */
export const DOC_LIKELIHOOD_TABLE = 2;

const OPTIONS = [
  { name: "topics", description: "number of topics K", default: "20" },
  { name: "alpha", description: "document-topic Dirichlet prior", default: "0.1" },
  { name: "beta", description: "topic-word Dirichlet prior", default: "0.01" },
  { name: "minibatch", description: "fraction of its documents a worker resamples each clock", default: "1" },
  {
    name: "data",
    description: "'sotu' (the bundled State of the Union corpus) or a UCI docword.*.txt file",
    default: "sotu",
  },
  {
    name: "vocab",
    description: "UCI vocab.*.txt file matching --data, or 'none' for numbered words",
    default: "none",
  },
  { name: "years", description: "State of the Union years to use, FROM-TO", default: "1961-2021" },
  { name: "sentences", description: "sentences per document when splitting speeches", default: "4" },
  { name: "max-docs", description: "keep at most this many documents", default: "3000" },
  { name: "max-vocab", description: "keep the most frequent words, at most this many", default: "2000" },
  { name: "min-count", description: "drop words seen fewer times than this", default: "5" },
] as const;

export interface LdaSettings {
  corpus: Corpus;
  priors: LdaPriors;
  minibatch: number;
}

interface WorkerState {
  docs: number[];
  z: Int32Array[];
  docTopic: Int32Array[];
  docLogLik: Float64Array;
  cursor: number;
}

export function createLda(settings: LdaSettings, workers: number): AppInstance {
  const { corpus, priors, minibatch } = settings;
  const K = priors.topics;
  const V = priors.vocabSize;
  const states = new Map<number, WorkerState>();
  const lg = new LdaLogGamma(priors);

  async function initialise(api: WorkerApi): Promise<WorkerState> {
    const docs = corpus.docs.map((_, d) => d).filter((d) => d % workers === api.rank);
    const state: WorkerState = {
      docs,
      z: [],
      docTopic: [],
      docLogLik: new Float64Array(docs.length),
      cursor: 0,
    };
    const wordDelta = new Map<number, Int32Array>();
    const totalsDelta = new Int32Array(K);
    let tokens = 0;
    let docLogLik = 0;
    docs.forEach((d, j) => {
      const doc = corpus.docs[d];
      const z = new Int32Array(doc.length);
      const nd = new Int32Array(K);
      for (let i = 0; i < doc.length; i++) {
        const k = api.random.int(K);
        z[i] = k;
        nd[k]++;
        totalsDelta[k]++;
        let row = wordDelta.get(doc[i]);
        if (row === undefined) wordDelta.set(doc[i], (row = new Int32Array(K)));
        row[k]++;
      }
      tokens += doc.length;
      state.z.push(z);
      state.docTopic.push(nd);
      state.docLogLik[j] = documentLogLikelihood(nd, doc.length, lg);
      docLogLik += state.docLogLik[j];
    });
    await api.compute(tokens * REFERENCE_NS_PER_UNIT.lda);
    for (const [w, delta] of wordDelta) api.incRow(WORD_TOPIC_TABLE, w, delta);
    api.incRow(TOPIC_TOTALS_TABLE, 0, totalsDelta);
    api.inc(DOC_LIKELIHOOD_TABLE, 0, 0, docLogLik);
    return state;
  }

  async function sampleClock(api: WorkerApi, state: WorkerState): Promise<void> {
    const n = state.docs.length;
    const batch = Math.min(n, Math.ceil(minibatch * n));
    const chosen: number[] = [];
    for (let b = 0; b < batch; b++) chosen.push((state.cursor + b) % Math.max(n, 1));
    state.cursor = n === 0 ? 0 : (state.cursor + batch) % n;

    // Read each word row once per clock, all in one wait; sampling then moves counts in local copies.
    const words = new Set<number>();
    for (const j of chosen) for (const w of corpus.docs[state.docs[j]]) words.add(w);
    const wordList = [...words];
    const views = await api.readMany(WORD_TOPIC_TABLE, wordList);
    const local = new Map<number, Int32Array>();
    const base = new Map<number, Int32Array>();
    // Indexed by word for the sampler's per-token lookup (the hot path); only this clock's words are filled.
    const byWord = new Array<Int32Array>(V);
    wordList.forEach((w, i) => {
      local.set(w, new Int32Array(views[i].array()));
      byWord[w] = local.get(w)!;
      base.set(w, new Int32Array(views[i].array()));
    });
    const totalsView = await api.read(TOPIC_TOTALS_TABLE, 0);
    const totals = new Int32Array(totalsView.array());
    const totalsBase = totals.slice();

    const weights = new Float64Array(K);
    const inverse = new Float64Array(K);
    let work = 0;
    let docLogLikDelta = 0;
    for (const j of chosen) {
      const doc = corpus.docs[state.docs[j]];
      sampleDocument(
        doc,
        state.z[j],
        state.docTopic[j],
        (w) => byWord[w],
        totals,
        priors,
        api.random,
        weights,
        inverse,
      );
      work += doc.length * K;
      const ll = documentLogLikelihood(state.docTopic[j], doc.length, lg);
      docLogLikDelta += ll - state.docLogLik[j];
      state.docLogLik[j] = ll;
    }
    await api.compute(work * REFERENCE_NS_PER_UNIT.lda);
    for (const [w, row] of local) {
      const old = base.get(w)!;
      let changed = false;
      for (let k = 0; k < K; k++) {
        old[k] = row[k] - old[k];
        if (old[k] !== 0) changed = true;
      }
      if (changed) api.incRow(WORD_TOPIC_TABLE, w, old);
    }
    for (let k = 0; k < K; k++) totalsBase[k] = totals[k] - totalsBase[k];
    api.incRow(TOPIC_TOTALS_TABLE, 0, totalsBase);
    if (docLogLikDelta !== 0) api.inc(DOC_LIKELIHOOD_TABLE, 0, 0, docLogLikDelta);
  }

  return {
    name: "lda",
    objectiveName: "log-likelihood",
    objectiveGoal: "maximize",
    tables(): TableShape[] {
      return [
        { id: WORD_TOPIC_TABLE, name: "word-topic", width: K, valueType: "int32", rows: V },
        { id: TOPIC_TOTALS_TABLE, name: "topic-totals", width: K, valueType: "int32", rows: 1 },
        { id: DOC_LIKELIHOOD_TABLE, name: "doc-log-likelihood", width: 1, valueType: "float64", rows: 1 },
      ];
    },
    async run(api, clocks) {
      for (let c = 0; c < clocks; c++) {
        if (c === 0) states.set(api.rank, await initialise(api));
        else await sampleClock(api, states.get(api.rank)!);
        await api.clock();
      }
    },
    objective(model: ModelView): number {
      const totals = model.row(TOPIC_TOTALS_TABLE, 0).array();
      // Before the first clock no token has a topic: the likelihood of that empty state is no starting point
      // (it scores better than the random assignment the first clock makes), so there is none.
      let assigned = 0;
      for (let k = 0; k < totals.length; k++) assigned += totals[k];
      if (assigned === 0) return Number.NaN;
      const words = wordLogLikelihood((w) => model.row(WORD_TOPIC_TABLE, w).array(), totals, lg);
      return words + model.row(DOC_LIKELIHOOD_TABLE, 0).get(0);
    },
    describe() {
      return {
        data: corpus.source,
        documents: corpus.docs.length,
        tokens: tokenCount(corpus),
        vocabulary: V,
        topics: K,
        alpha: priors.alpha,
        beta: priors.beta,
        minibatch,
        workUnit: "token × topic sampled",
      };
    },
  };
}

export function ldaSettings(options: AppOptions): LdaSettings {
  const o = new OptionReader("lda", options, OPTIONS);
  const topics = o.int("topics", 2, 100_000);
  const alpha = o.number("alpha", Number.MIN_VALUE);
  const beta = o.number("beta", Number.MIN_VALUE);
  const minibatch = o.fraction("minibatch");
  const data = o.text("data");
  const maxDocs = o.int("max-docs", 1);
  let corpus: Corpus;
  if (data !== "sotu") {
    const vocab = o.text("vocab");
    corpus = loadUciBagOfWords(data, vocab === "none" ? undefined : vocab, maxDocs);
  } else {
    const [fromYear, toYear] = o.range("years", SOTU_FIRST_YEAR, SOTU_LAST_YEAR);
    corpus = loadSotuCorpus({
      fromYear,
      toYear,
      sentencesPerDoc: o.int("sentences", 1),
      maxDocs,
      maxVocab: o.int("max-vocab", 1),
      minCount: o.int("min-count", 1),
    });
  }
  if (corpus.docs.length === 0) throw new Error(`lda: the corpus ${corpus.source} has no documents left`);
  return { corpus, priors: { topics, alpha, beta, vocabSize: corpus.vocab.length }, minibatch };
}

export const ldaApp: AppFactory = {
  name: "lda",
  summary: "topic model by collapsed Gibbs sampling (objective: corpus log-likelihood, maximize)",
  options: OPTIONS,
  create(options, context) {
    return createLda(ldaSettings(options), context.workers);
  },
};
