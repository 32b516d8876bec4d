// Seeded random streams. Each stream is named by (run seed, entity, purpose), so adding a worker or a new
// use of randomness never shifts anyone else's draws. Backed by seedrandom's alea: fast and well mixed.

import seedrandom from "seedrandom";

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
}

class AleaStream implements Random {
  private readonly gen: () => number;
  private spare: number | null = null;

  constructor(seedText: string) {
    this.gen = seedrandom.alea(seedText);
  }

  next(): number {
    return this.gen();
  }

  int(n: number): number {
    return Math.floor(this.gen() * n);
  }

  normal(): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return z;
    }
    let u = this.gen();
    while (u === 0) u = this.gen();
    const v = this.gen();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  exponential(rate: number): number {
    let u = this.gen();
    while (u === 0) u = this.gen();
    return -Math.log(u) / rate;
  }
}

/** The stream for (seed, entity, purpose), e.g. stream(42, "worker/3", "straggler"). */
export function stream(seed: number | string, entity: string, purpose: string): Random {
  return new AleaStream(`ssptable:${seed}:${entity}:${purpose}`);
}
