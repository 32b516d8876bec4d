import { describe, expect, it } from "vitest";
import { stopWords, tokenize } from "../../apps/data/sotu.ts";
import { apps, findApp } from "../../apps/index.ts";
import { AppOptionError } from "../../apps/options.ts";

describe("app registry and options", () => {
  it("lists the four programs with documented options", () => {
    expect(apps.map((a) => a.name)).toEqual(["lda", "mf", "lasso", "logreg"]);
    for (const app of apps) {
      expect(app.options.length).toBeGreaterThan(0);
      for (const o of app.options) expect(o.description.length).toBeGreaterThan(5);
    }
  });

  it.each([
    ["mf", { rnak: "5" }, /app mf: unknown option --rnak; it takes --rank, /],
    ["mf", { rank: "five" }, /app mf: --rank takes an integer in \[1, 4096\], got "five"/],
    ["lda", { minibatch: "0" }, /app lda: --minibatch takes a fraction in \(0, 1\], got "0"/],
    ["lda", { years: "2016-1990" }, /app lda: --years takes a range FROM-TO within 1790-2021/],
    ["logreg", { radius: "-1" }, /app logreg: --radius takes a number ≥ .* or 'inf', got "-1"/],
    ["lasso", { lambda: "lots" }, /app lasso: --lambda takes a number ≥ 0, got "lots"/],
    [
      "mf",
      { format: "xml", data: "x" },
      /app mf: --format takes one of auto, movielens, movielens-csv, netflix/,
    ],
  ])("%s %o is refused clearly", (name, options, message) => {
    expect(() => findApp(name)!.create(options, { workers: 2, seed: 1 })).toThrow(AppOptionError);
    expect(() => findApp(name)!.create(options, { workers: 2, seed: 1 })).toThrow(message);
  });

  it("builds every program from its defaults with sizes that keep a run fast", () => {
    const sizes = Object.fromEntries(
      apps.map((a) => [a.name, a.create({}, { workers: 4, seed: 1 }).describe()]),
    );
    console.log(JSON.stringify(sizes));
    expect(Number(sizes.lda.documents)).toBeLessThanOrEqual(3000);
    expect(Number(sizes.lda.documents)).toBeGreaterThan(1000);
    expect(Number(sizes.lda.vocabulary)).toBe(2000);
    expect(Number(sizes.lasso.features)).toBe(400);
  });

  it("tokenizes speeches without stop words or short words", () => {
    expect(tokenize("The Union's state is STRONG, and we are at it.", stopWords())).toEqual([
      "unions",
      "state",
      "strong",
    ]);
  });
});
