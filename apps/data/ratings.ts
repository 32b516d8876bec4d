// Ratings for matrix factorisation: a seeded planted low-rank generator and loaders for MovieLens (u.data,
// ratings.csv) and the Netflix-prize text format. User and item ids are renumbered densely in order of first
// appearance.

import { stream } from "../random.ts";
import { DataFormatError, intField, numberField, readLines } from "./format-error.ts";

export interface Ratings {
  readonly source: string;
  readonly users: number;
  readonly items: number;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly value: Float64Array;
  /** The noise standard deviation when the data is planted: the best achievable RMSE. */
  readonly noiseFloor?: number;
}

export interface PlantedOptions {
  users: number;
  items: number;
  rank: number;
  density: number;
  noise: number;
  seed: number;
}

/** r_ui = a_u · b_i + noise, with factor entries N(0, 1/√rank) so that a_u · b_i has unit variance. */
export function plantedRatings(o: PlantedOptions): Ratings {
  const random = stream(o.seed, "mf-data", "planted");
  const scale = 1 / Math.sqrt(Math.sqrt(o.rank));
  const a = Float64Array.from({ length: o.users * o.rank }, () => scale * random.normal());
  const b = Float64Array.from({ length: o.items * o.rank }, () => scale * random.normal());
  const user: number[] = [];
  const item: number[] = [];
  const value: number[] = [];
  for (let u = 0; u < o.users; u++) {
    for (let i = 0; i < o.items; i++) {
      if (random.next() >= o.density) continue;
      let dot = 0;
      for (let k = 0; k < o.rank; k++) dot += a[u * o.rank + k] * b[i * o.rank + k];
      user.push(u);
      item.push(i);
      value.push(dot + o.noise * random.normal());
    }
  }
  return {
    source: `planted ${o.users}x${o.items} rank ${o.rank} density ${o.density} noise ${o.noise}`,
    users: o.users,
    items: o.items,
    user: Int32Array.from(user),
    item: Int32Array.from(item),
    value: Float64Array.from(value),
    noiseFloor: o.noise,
  };
}

class RatingsBuilder {
  private readonly userIds = new Map<number, number>();
  private readonly itemIds = new Map<number, number>();
  private readonly user: number[] = [];
  private readonly item: number[] = [];
  private readonly value: number[] = [];

  add(user: number, item: number, value: number): void {
    let u = this.userIds.get(user);
    if (u === undefined) this.userIds.set(user, (u = this.userIds.size));
    let i = this.itemIds.get(item);
    if (i === undefined) this.itemIds.set(item, (i = this.itemIds.size));
    this.user.push(u);
    this.item.push(i);
    this.value.push(value);
  }

  build(source: string): Ratings {
    if (this.value.length === 0) throw new DataFormatError(source, 0, "no ratings found");
    return {
      source,
      users: this.userIds.size,
      items: this.itemIds.size,
      user: Int32Array.from(this.user),
      item: Int32Array.from(this.item),
      value: Float64Array.from(this.value),
    };
  }
}

const MAX_ID = 2 ** 31 - 1;

/** MovieLens 100K u.data: "user item rating timestamp", tab (or space) separated. */
export function loadMovieLensData(file: string): Ratings {
  const out = new RatingsBuilder();
  readLines(file).forEach((text, i) => {
    if (text.trim() === "") return;
    const fields = text.trim().split(/\s+/);
    if (fields.length !== 4) {
      throw new DataFormatError(
        file,
        i + 1,
        `expected "user item rating timestamp", got ${fields.length} fields`,
      );
    }
    out.add(
      intField(file, i + 1, "user id", fields[0], 0, MAX_ID),
      intField(file, i + 1, "item id", fields[1], 0, MAX_ID),
      numberField(file, i + 1, "rating", fields[2]),
    );
  });
  return out.build(file);
}

/** MovieLens ratings.csv: header "userId,movieId,rating,timestamp", then one rating per line. */
export function loadMovieLensCsv(file: string): Ratings {
  const lines = readLines(file);
  const header = (lines[0] ?? "").trim().split(",");
  if (header[0] !== "userId" || header[1] !== "movieId" || header[2] !== "rating") {
    throw new DataFormatError(
      file,
      1,
      `expected the header "userId,movieId,rating,timestamp", got ${JSON.stringify(lines[0] ?? "")}`,
    );
  }
  const out = new RatingsBuilder();
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === "") continue;
    const fields = text.split(",");
    if (fields.length < 3)
      throw new DataFormatError(
        file,
        i + 1,
        `expected at least 3 comma-separated fields, got ${fields.length}`,
      );
    out.add(
      intField(file, i + 1, "userId", fields[0], 0, MAX_ID),
      intField(file, i + 1, "movieId", fields[1], 0, MAX_ID),
      numberField(file, i + 1, "rating", fields[2]),
    );
  }
  return out.build(file);
}

/** Netflix prize: blocks that start with "movieId:" followed by "customerId,rating,date" lines. */
export function loadNetflix(file: string): Ratings {
  const out = new RatingsBuilder();
  let movie: number | undefined;
  readLines(file).forEach((raw, i) => {
    const text = raw.trim();
    if (text === "") return;
    const header = /^(\d+):$/.exec(text);
    if (header !== null) {
      movie = intField(file, i + 1, "movie id", header[1], 0, MAX_ID);
      return;
    }
    if (movie === undefined) throw new DataFormatError(file, i + 1, 'a rating before any "movieId:" line');
    const fields = text.split(",");
    if (fields.length !== 3) {
      throw new DataFormatError(
        file,
        i + 1,
        `expected "customerId,rating,date", got ${fields.length} fields`,
      );
    }
    out.add(
      intField(file, i + 1, "customer id", fields[0], 0, MAX_ID),
      movie,
      numberField(file, i + 1, "rating", fields[1]),
    );
  });
  return out.build(file);
}

export type RatingsFormat = "auto" | "movielens" | "movielens-csv" | "netflix";

export function loadRatings(file: string, format: RatingsFormat): Ratings {
  if (format === "auto") {
    const first = (readLines(file)[0] ?? "").trim();
    format = file.endsWith(".csv") ? "movielens-csv" : /^\d+:$/.test(first) ? "netflix" : "movielens";
  }
  if (format === "movielens-csv") return loadMovieLensCsv(file);
  if (format === "netflix") return loadNetflix(file);
  return loadMovieLensData(file);
}
