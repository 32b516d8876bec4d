import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataFormatError } from "../../apps/data/format-error.ts";
import { loadRatings } from "../../apps/data/ratings.ts";
import { loadLibsvm } from "../../apps/data/regression.ts";
import { loadUciBagOfWords } from "../../apps/data/uci-bow.ts";

const dir = mkdtempSync(join(tmpdir(), "ssp-loaders-"));
let n = 0;
function file(name: string, text: string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, text);
  return path;
}

/** Asserts that `load` throws a DataFormatError naming the file, the line and the problem. */
function rejects(load: () => unknown, path: string, line: number, problem: RegExp): void {
  let error: unknown;
  try {
    load();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DataFormatError);
  const message = (error as Error).message;
  expect(message.startsWith(line > 0 ? `${path}:${line}: ` : `${path}: `)).toBe(true);
  expect(message).toMatch(problem);
}

describe("UCI bag of words", () => {
  it("expands counts into tokens and reads the vocabulary", () => {
    const docword = file("docword.txt", "2\n3\n3\n1 1 2\n1 3 1\n2 2 1\n");
    const vocab = file("vocab.txt", "apple\nbanana\ncherry\n");
    const corpus = loadUciBagOfWords(docword, vocab);
    expect(corpus.vocab).toEqual(["apple", "banana", "cherry"]);
    expect(corpus.docs.map((d) => [...d])).toEqual([[0, 0, 2], [1]]);
  });

  it("rejects malformed files with file, line and problem", () => {
    const short = file("docword.txt", "2\n3\n");
    rejects(() => loadUciBagOfWords(short), short, 3, /three header lines/);
    const badHeader = file("docword.txt", "2\nmany\n1\n1 1 1\n");
    rejects(() => loadUciBagOfWords(badHeader), badHeader, 2, /W \(vocabulary size\) must be an integer/);
    const wordOutOfRange = file("docword.txt", "2\n3\n2\n1 1 1\n2 4 1\n");
    rejects(
      () => loadUciBagOfWords(wordOutOfRange),
      wordOutOfRange,
      5,
      /wordID must be an integer in \[1, 3\], got "4"/,
    );
    const fields = file("docword.txt", "2\n3\n1\n1 1\n");
    rejects(() => loadUciBagOfWords(fields), fields, 4, /expected "docID wordID count", got 2 fields/);
    const nnz = file("docword.txt", "2\n3\n5\n1 1 1\n");
    rejects(() => loadUciBagOfWords(nnz), nnz, 3, /NNZ = 5 but the file has 1 entries/);
    const good = file("docword.txt", "1\n3\n1\n1 1 1\n");
    const vocab = file("vocab.txt", "a\nb\n");
    rejects(
      () => loadUciBagOfWords(good, vocab),
      vocab,
      3,
      /declares W = 3 words but this vocabulary has 2 lines/,
    );
    const missing = join(dir, "no-such-file.txt");
    rejects(() => loadUciBagOfWords(missing), missing, 0, /cannot read the file \(ENOENT\)/);
  });
});

describe("ratings", () => {
  it("reads MovieLens u.data, ratings.csv and the Netflix format, renumbering ids densely", () => {
    const udata = loadRatings(
      file("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t1\t878887116\n"),
      "auto",
    );
    expect([udata.users, udata.items, [...udata.user], [...udata.item], [...udata.value]]).toEqual([
      2,
      2,
      [0, 1, 0],
      [0, 1, 1],
      [3, 3, 1],
    ]);
    const csv = loadRatings(
      file("ratings.csv", "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n"),
      "auto",
    );
    expect([csv.users, csv.items, [...csv.value]]).toEqual([1, 2, [2.5, 3]]);
    const netflix = loadRatings(
      file("mv.txt", "1:\n1488844,3,2005-09-06\n822109,5,2005-05-13\n2:\n1488844,4,2005-09-06\n"),
      "auto",
    );
    expect([netflix.users, netflix.items, [...netflix.user], [...netflix.item]]).toEqual([
      2,
      2,
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  it("rejects malformed files with file, line and problem", () => {
    const udata = file("u.data", "196\t242\t3\t881250949\n186\t302\n");
    rejects(
      () => loadRatings(udata, "movielens"),
      udata,
      2,
      /expected "user item rating timestamp", got 2 fields/,
    );
    const rating = file("u.data", "196\t242\tgood\t881250949\n");
    rejects(() => loadRatings(rating, "movielens"), rating, 1, /rating must be a finite number, got "good"/);
    const header = file("ratings.csv", "user,movie,rating\n1,2,3\n");
    rejects(
      () => loadRatings(header, "auto"),
      header,
      1,
      /expected the header "userId,movieId,rating,timestamp"/,
    );
    const csvId = file("ratings.csv", "userId,movieId,rating,timestamp\n1,2,3,4\n-1,2,3,4\n");
    rejects(() => loadRatings(csvId, "auto"), csvId, 3, /userId must be an integer/);
    const orphan = file("mv.txt", "1488844,3,2005-09-06\n");
    rejects(() => loadRatings(orphan, "netflix"), orphan, 1, /a rating before any "movieId:" line/);
    const netflixFields = file("mv.txt", "1:\n1488844,3\n");
    rejects(
      () => loadRatings(netflixFields, "netflix"),
      netflixFields,
      2,
      /expected "customerId,rating,date", got 2 fields/,
    );
    const empty = file("u.data", "\n");
    rejects(() => loadRatings(empty, "movielens"), empty, 0, /no ratings found/);
  });
});

describe("LIBSVM", () => {
  it("reads sparse rows into columns", () => {
    const design = loadLibsvm(file("a.svm", "+1 1:0.5 3:2\n-1 2:1 # comment\n\n0 3:4\n"), false);
    expect([design.n, design.p, [...design.y]]).toEqual([3, 3, [1, -1, 0]]);
    expect([...design.colStart]).toEqual([0, 1, 2, 4]);
    expect([...design.rowIndex]).toEqual([0, 1, 0, 2]);
    expect([...design.values]).toEqual([0.5, 1, 2, 4]);
  });

  it("rejects malformed files with file, line and problem", () => {
    const colon = file("a.svm", "1 1:1\n1 2-3\n");
    rejects(() => loadLibsvm(colon, false), colon, 2, /expected index:value, got "2-3"/);
    const order = file("a.svm", "1 3:1 2:1\n");
    rejects(() => loadLibsvm(order, false), order, 1, /feature indices must ascend; 2 follows 3/);
    const zero = file("a.svm", "1 0:1\n");
    rejects(() => loadLibsvm(zero, false), zero, 1, /feature index must be an integer in \[1, /);
    const label = file("a.svm", "1 1:1\nyes 1:1\n");
    rejects(() => loadLibsvm(label, false), label, 2, /label must be a finite number, got "yes"/);
    const value = file("a.svm", "1 1:x\n");
    rejects(() => loadLibsvm(value, false), value, 1, /value of feature 1 must be a finite number/);
  });
});

describe("apps read --data files", () => {
  it("lda, mf, lasso and logreg run on small files in the supported formats", async () => {
    const { findApp } = await import("../../apps/index.ts");
    const { runBsp } = await import("./bsp-host.ts");
    const lines = (count: number, f: (i: number) => string) =>
      Array.from({ length: count }, (_, i) => f(i)).join("\n");
    const docword = file(
      "docword.tiny.txt",
      `6\n4\n12\n${lines(12, (i) => `${(i % 6) + 1} ${(i % 4) + 1} ${1 + (i % 3)}`)}\n`,
    );
    const vocab = file("vocab.tiny.txt", "alpha\nbeta\ngamma\ndelta\n");
    const ratings = file(
      "u.data",
      lines(60, (i) => `${(i % 10) + 1}\t${(i % 7) + 1}\t${1 + (i % 5)}\t0`),
    );
    const svm = file(
      "tiny.svm",
      lines(40, (i) => `${i % 2 === 0 ? 1 : -1} 1:${i % 2 === 0 ? 1 : -1} 2:${(i % 5) / 5} 3:0.5`),
    );
    const cases: Array<[string, Record<string, string>]> = [
      ["lda", { data: docword, vocab, topics: "3" }],
      ["mf", { data: ratings, rank: "2" }],
      ["lasso", { data: svm, lambda: "0.01" }],
      ["logreg", { data: svm, "held-out": "0.25" }],
    ];
    for (const [name, options] of cases) {
      const app = findApp(name)!.create(options, { workers: 2, seed: 4 });
      const run = await runBsp(app, 2, 6, 4);
      const [first, last] = [run.objectives[name === "lda" ? 1 : 0], run.objectives.at(-1)!];
      expect(Number.isFinite(last)).toBe(true);
      if (app.objectiveGoal === "minimize") expect(last).toBeLessThan(first);
      else expect(last).toBeGreaterThanOrEqual(first - 1e-9 * Math.abs(first));
    }
  });
});
