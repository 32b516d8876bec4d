// Shared decoding of a run: which updates exist, which were made before a read, and the sanity of every
// decoded read (each indicator 0 or 1, and 1 only for an update that had been made when the read returned).

import { expect } from "vitest";
import type { ReadRecord, RunResult } from "./run-scenario.ts";
import type { Scenario } from "./scenario.ts";

/** planned[w][c] = the set of rows worker w increments during clock c. */
export function plannedUpdates(scenario: Scenario): Set<number>[][] {
  return scenario.program.map((byClock) =>
    byClock.map((ops) => new Set(ops.filter((o) => o.kind === "inc").map((o) => o.row))),
  );
}

/** Step at which each (worker, clock, row) update was made, keyed "w,c,row". */
export function madeAt(run: RunResult): Map<string, number> {
  return new Map(run.updates.map((u) => [`${u.worker},${u.clock},${u.row}`, u.step]));
}

export function expectFinished(run: RunResult): void {
  expect(run.stuck, "the run did not finish").toBeUndefined();
  expect(run.finished).toBe(true);
}

/** Every indicator of every read is 0 or 1, and 1 only for updates made before the read returned. */
export function expectWellFormedReads(run: RunResult): void {
  const made = madeAt(run);
  for (const read of run.reads) {
    read.indicators.forEach((byClock, w) => {
      byClock.forEach((value, c) => {
        const where = `read by worker ${read.worker} at clock ${read.clock} of row ${read.row}, update (w${w}, c${c})`;
        expect([0, 1], `${where}: value ${value} (2+ means counted twice)`).toContain(value);
        if (value === 1) {
          const step = made.get(`${w},${c},${read.row}`);
          expect(step, `${where}: included but never made`).toBeDefined();
          expect(step!, `${where}: included before it was made`).toBeLessThanOrEqual(read.completedStep);
        }
      });
    });
  }
}

export function describeRead(read: ReadRecord): string {
  return `read by worker ${read.worker} at clock ${read.clock} of row ${read.row} (step ${read.issuedStep}→${read.completedStep})`;
}
