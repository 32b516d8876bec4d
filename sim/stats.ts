// Run statistics the host accumulates: time per kind of activity and the observed-staleness histogram.

export class StalenessHistogram {
  private readonly counts = new Map<number, number>();
  total = 0;

  add(staleness: number, count = 1): void {
    this.counts.set(staleness, (this.counts.get(staleness) ?? 0) + count);
    this.total += count;
  }

  /** The smallest value v with at least q of the observations ≤ v (nearest-rank percentile). */
  percentile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const v of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(v)!;
      if (seen >= rank) return v;
    }
    return Number.NaN;
  }

  /** [value, count] pairs in ascending value order. */
  entries(): Array<[number, number]> {
    return [...this.counts.entries()].sort((a, b) => a[0] - b[0]);
  }
}

export interface ActivityTotals {
  /** Work units the app declared through compute(). */
  computeUnits: number;
  computeNs: number;
  waitNs: number;
  commNs: number;
}
