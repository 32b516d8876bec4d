// A benchmark suite: measures, in one process and one run, our code next to a physical reference, and
// returns a JSON-able object. Ratios, not absolute numbers, are what survive a shared, noisy machine.

export interface BenchSuite {
  name: string;
  summary: string;
  run(options: BenchOptions): Promise<Record<string, unknown>>;
}

export interface BenchOptions {
  quick: boolean;
  log: (line: string) => void;
  /** sim: partitions (threads) for the large job; default one per core, at most 2. */
  partitions?: number;
}
