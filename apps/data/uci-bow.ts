// The UCI bag-of-words format (docword.*.txt + vocab.*.txt), the format of the NYTimes corpus the paper used:
// three header lines D, W, NNZ, then NNZ lines "docID wordID count" (1-based); the vocabulary file has W
// lines, one word each.

import type { Corpus } from "../lda/corpus.ts";
import { DataFormatError, intField, readLines } from "./format-error.ts";

export function loadUciBagOfWords(
  docwordFile: string,
  vocabFile?: string,
  maxDocs = Number.MAX_SAFE_INTEGER,
): Corpus {
  const lines = readLines(docwordFile);
  if (lines.length < 3) {
    throw new DataFormatError(docwordFile, lines.length + 1, "expected three header lines: D, W and NNZ");
  }
  const max = 2 ** 31 - 1;
  const numDocs = intField(docwordFile, 1, "D (number of documents)", lines[0].trim(), 1, max);
  const numWords = intField(docwordFile, 2, "W (vocabulary size)", lines[1].trim(), 1, max);
  const nnz = intField(docwordFile, 3, "NNZ (number of entries)", lines[2].trim(), 0, max);
  const entries = lines.slice(3).filter((l) => l.trim() !== "");
  if (entries.length !== nnz) {
    throw new DataFormatError(
      docwordFile,
      3,
      `header says NNZ = ${nnz} but the file has ${entries.length} entries`,
    );
  }
  const perDoc = new Map<number, number[]>();
  for (let i = 3; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === "") continue;
    const line = i + 1;
    const fields = text.split(/\s+/);
    if (fields.length !== 3) {
      throw new DataFormatError(
        docwordFile,
        line,
        `expected "docID wordID count", got ${fields.length} fields`,
      );
    }
    const doc = intField(docwordFile, line, "docID", fields[0], 1, numDocs);
    const word = intField(docwordFile, line, "wordID", fields[1], 1, numWords);
    const count = intField(docwordFile, line, "count", fields[2], 1, max);
    if (doc > maxDocs) continue;
    let tokens = perDoc.get(doc);
    if (tokens === undefined) perDoc.set(doc, (tokens = []));
    for (let c = 0; c < count; c++) tokens.push(word - 1);
  }
  let vocab: string[];
  if (vocabFile === undefined) {
    vocab = Array.from({ length: numWords }, (_, i) => `word${i + 1}`);
  } else {
    vocab = readLines(vocabFile).map((w) => w.trim());
    if (vocab.length !== numWords) {
      throw new DataFormatError(
        vocabFile,
        vocab.length + 1,
        `${docwordFile} declares W = ${numWords} words but this vocabulary has ${vocab.length} lines`,
      );
    }
    const empty = vocab.indexOf("");
    if (empty >= 0) throw new DataFormatError(vocabFile, empty + 1, "empty word");
  }
  const docs = [...perDoc.keys()].sort((a, b) => a - b).map((d) => Int32Array.from(perDoc.get(d)!));
  return { source: docwordFile, vocab, docs };
}
