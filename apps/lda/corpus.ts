// A bag-of-words corpus for LDA: a vocabulary and documents as arrays of word ids (one entry per token).

export interface Corpus {
  readonly source: string;
  readonly vocab: readonly string[];
  readonly docs: readonly Int32Array[];
}

export function tokenCount(corpus: Corpus): number {
  let n = 0;
  for (const d of corpus.docs) n += d.length;
  return n;
}

/**
 * Keeps the `maxVocab` most frequent words that occur at least `minCount` times, renumbers them, and drops
 * documents left with fewer than `minDocTokens` tokens. Ties break alphabetically so the result is stable.
 */
export function pruneVocabulary(
  source: string,
  docsAsWords: readonly (readonly string[])[],
  maxVocab: number,
  minCount: number,
  minDocTokens: number,
): Corpus {
  const counts = new Map<string, number>();
  for (const doc of docsAsWords) for (const w of doc) counts.set(w, (counts.get(w) ?? 0) + 1);
  const kept = [...counts]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxVocab)
    .map(([w]) => w);
  const id = new Map(kept.map((w, i) => [w, i]));
  const docs: Int32Array[] = [];
  for (const doc of docsAsWords) {
    const ids = doc.map((w) => id.get(w)).filter((x): x is number => x !== undefined);
    if (ids.length >= minDocTokens) docs.push(Int32Array.from(ids));
  }
  return { source, vocab: kept, docs };
}
