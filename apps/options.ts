// App options arrive from the command line as strings. This reads them against the app's documented
// options, so a typo or a bad value is refused with the option's name, what it takes and what it got.

import type { AppOptionDoc, AppOptions } from "./api.ts";

/** A bad app option: the message names the app, the option and what it takes. Hosts map it to a usage error. */
export class AppOptionError extends Error {
  override name = "AppOptionError";
}

export class OptionReader {
  constructor(
    private readonly app: string,
    private readonly options: AppOptions,
    private readonly docs: readonly AppOptionDoc[],
  ) {
    const known = new Set(docs.map((d) => d.name));
    for (const name of Object.keys(options)) {
      if (!known.has(name)) {
        throw new AppOptionError(
          `app ${app}: unknown option --${name}; it takes ${docs.map((d) => `--${d.name}`).join(", ")}`,
        );
      }
    }
  }

  /** The option's text, or its documented default. */
  text(name: string): string {
    const doc = this.docs.find((d) => d.name === name);
    if (doc === undefined) throw new Error(`app ${this.app}: option --${name} is not documented`);
    return this.options[name] ?? doc.default;
  }

  private fail(name: string, takes: string): never {
    throw new AppOptionError(
      `app ${this.app}: --${name} takes ${takes}, got ${JSON.stringify(this.text(name))}`,
    );
  }

  int(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const n = Number(this.text(name));
    if (this.text(name).trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      this.fail(
        name,
        max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`,
      );
    }
    return n;
  }

  /** A finite number in [min, max]; "inf" is accepted when allowInfinity. */
  number(name: string, min: number, max = Number.POSITIVE_INFINITY, allowInfinity = false): number {
    const t = this.text(name).trim();
    if (allowInfinity && (t === "inf" || t === "infinity")) return Number.POSITIVE_INFINITY;
    const n = Number(t);
    if (t === "" || !Number.isFinite(n) || n < min || n > max) {
      const range = max === Number.POSITIVE_INFINITY ? `a number ≥ ${min}` : `a number in [${min}, ${max}]`;
      this.fail(name, allowInfinity ? `${range} or 'inf'` : range);
    }
    return n;
  }

  /** A fraction in (0, 1]. */
  fraction(name: string): number {
    const n = Number(this.text(name));
    if (this.text(name).trim() === "" || !(n > 0 && n <= 1)) this.fail(name, "a fraction in (0, 1]");
    return n;
  }

  choice<T extends string>(name: string, choices: readonly T[]): T {
    const t = this.text(name);
    if (!(choices as readonly string[]).includes(t)) this.fail(name, `one of ${choices.join(", ")}`);
    return t as T;
  }

  /** "1"/"true" or "0"/"false". */
  flag(name: string): boolean {
    const t = this.text(name).trim();
    if (t === "1" || t === "true") return true;
    if (t === "0" || t === "false") return false;
    return this.fail(name, "1 or 0");
  }

  /** "A-B" inclusive integer range. */
  range(name: string, min: number, max: number): [number, number] {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(this.text(name));
    const lo = m === null ? Number.NaN : Number(m[1]);
    const hi = m === null ? Number.NaN : Number(m[2]);
    if (!(lo >= min && hi <= max && lo <= hi)) this.fail(name, `a range FROM-TO within ${min}-${max}`);
    return [lo, hi];
  }
}
