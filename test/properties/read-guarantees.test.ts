// Properties 1–5 and 10 of issue 2: what a read may and must contain, over random clusters, tables,
// workloads and delivery orders. Each read is decoded into the exact set of (worker, clock) updates in it.

import { test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { describeRead, expectFinished, expectWellFormedReads, madeAt, plannedUpdates } from "./checks.ts";
import { addAs, closeEnough, initialExtra, runScenario } from "./run-scenario.ts";
import { propertyParams, scenarioArb } from "./scenario.ts";

const finite = ["bsp", "ssp", "essp"] as const;

describe("SSP read guarantees", () => {
  test.prop([scenarioArb()], propertyParams())(
    "1. gating: a read at clock c returns only when every worker has completed clock c − s − 1",
    (scenario) => {
      const run = runScenario(scenario);
      expectFinished(run);
      const s = scenario.table.staleness;
      for (const read of run.reads) {
        read.clocksAtReturn.forEach((clock, w) => {
          expect(
            clock,
            `${describeRead(read)}: worker ${w} had completed only ${clock} clocks`,
          ).toBeGreaterThanOrEqual(read.clock - s);
        });
      }
    },
  );

  test.prop([scenarioArb()], propertyParams())(
    "2. guaranteed contents: a read at clock c includes every update stamped ≤ c − s − 1",
    (scenario) => {
      const run = runScenario(scenario);
      expectFinished(run);
      expectWellFormedReads(run);
      const planned = plannedUpdates(scenario);
      const s = scenario.table.staleness;
      for (const read of run.reads) {
        for (let w = 0; w < scenario.workers; w++) {
          for (let c = 0; c <= read.clock - s - 1; c++) {
            if (!planned[w][c].has(read.row)) continue;
            expect(read.indicators[w][c], `${describeRead(read)} misses update (w${w}, c${c})`).toBe(1);
          }
        }
      }
    },
  );

  test.prop([scenarioArb()], propertyParams())(
    "3. read-my-writes: a read includes each of the reader's own updates, committed or not, exactly once",
    (scenario) => {
      const run = runScenario(scenario);
      expectFinished(run);
      const made = madeAt(run);
      for (const read of run.reads) {
        for (let c = 0; c < scenario.clocks; c++) {
          const step = made.get(`${read.worker},${c},${read.row}`);
          const expected = step !== undefined && step < read.issuedStep ? 1 : 0;
          expect(read.indicators[read.worker][c], `${describeRead(read)}: own update at clock ${c}`).toBe(
            expected,
          );
        }
      }
    },
  );

  test.prop([scenarioArb({ readFirst: true })], propertyParams())(
    "4. upper bound: when every worker reads each clock, no other worker's update stamped > c + s − 1 shows",
    (scenario) => {
      const run = runScenario(scenario);
      expectFinished(run);
      const s = scenario.table.staleness;
      for (const read of run.reads) {
        for (let w = 0; w < scenario.workers; w++) {
          if (w === read.worker) continue;
          for (let c = Math.max(0, read.clock + s); c < scenario.clocks; c++) {
            expect(read.indicators[w][c], `${describeRead(read)} includes (w${w}, c${c})`).toBe(0);
          }
        }
      }
    },
  );

  test.prop([scenarioArb({ consistencies: finite, maxStaleness: 0 })], propertyParams())(
    "5. BSP: with s = 0 a read at clock c is exactly the updates stamped ≤ c − 1 plus the reader's own",
    (scenario) => {
      const run = runScenario(scenario);
      expectFinished(run);
      const planned = plannedUpdates(scenario);
      const made = madeAt(run);
      const extras = new Map(run.updates.map((u) => [`${u.worker},${u.clock},${u.row}`, u.extra]));
      const valueType = scenario.table.valueType;
      for (const read of run.reads) {
        let extra = initialExtra(scenario, read.row);
        let scale = Math.abs(extra);
        for (let w = 0; w < scenario.workers; w++) {
          for (let c = 0; c < scenario.clocks; c++) {
            const key = `${w},${c},${read.row}`;
            const own =
              w === read.worker && c === read.clock && (made.get(key) ?? Infinity) < read.issuedStep;
            const expected = (c < read.clock && planned[w][c].has(read.row)) || own ? 1 : 0;
            expect(read.indicators[w][c], `${describeRead(read)}, update (w${w}, c${c})`).toBe(expected);
            if (expected === 1) {
              extra = addAs(valueType, extra, extras.get(key)!);
              scale += Math.abs(extras.get(key)!);
            }
          }
        }
        expect(
          closeEnough(valueType, read.extra, extra, scale),
          `${describeRead(read)}: extra column ${read.extra}, expected ${extra}`,
        ).toBe(true);
      }
    },
  );

  /*
   * 10. Lemma 1 of Ho et al. (2013), stated precisely for this system.
   *
   * Workers are 0..P−1, clocks start at 0, u(w, c) is worker w's update stamped c (restricted to the row
   * read; a pair that never touched the row is the zero update and counts for nothing). Fix a read by
   * worker p at clock c with finite staleness s, issued after p made the set U⁺ of its clock-c updates
   * (every worker reads at least once per clock, as the lemma's bounded window needs). Take the clock-major
   * serial order of all updates (clock 0 of every worker, then clock 1, …) with p first inside clock c;
   * at the read its state is
   *     x(p, c) = x₀ + Σ_{c' < c} Σ_w u(w, c') + Σ_{u ∈ U⁺} u.
   * Then the value read is x̃ = x(p, c) − Σ_{i ∈ A} u_i + Σ_{i ∈ B} u_i, where
   *     A ⊆ {(w, c') : w ≠ p, c − s ≤ c' ≤ c − 1}     (missing: others' recent updates not yet seen),
   *     B ⊆ {(w, c') : w ≠ p, c ≤ c' ≤ c + s − 1}     (extra: others' updates from the reader's future),
   * so A ∩ B = ∅ and |A| + |B| ≤ 2s(P − 1); with serial index t = c·P + rank, every index in A ∪ B lies in
   * [(c − s)P, (c + s)P), inside the paper's [t − (s + 1)P, t + sP]. Everything outside A ∪ B agrees with
   * the serial state exactly: no other update is missing, none is extra, none is counted twice.
   */
  test.prop([scenarioArb({ consistencies: finite, readFirst: true })], propertyParams())(
    "10. Lemma 1: missing plus extra updates relative to the clock-major serial order number at most 2s(P − 1)",
    (scenario) => {
      const run = runScenario(scenario);
      expectFinished(run);
      expectWellFormedReads(run);
      const planned = plannedUpdates(scenario);
      const made = madeAt(run);
      const s = scenario.table.staleness;
      const P = scenario.workers;
      for (const read of run.reads) {
        let missing = 0;
        let extra = 0;
        for (let w = 0; w < P; w++) {
          for (let c = 0; c < scenario.clocks; c++) {
            if (!planned[w][c].has(read.row)) continue;
            const ownNow =
              w === read.worker && c === read.clock && made.get(`${w},${c},${read.row}`)! < read.issuedStep;
            const inSerialPrefix = c < read.clock || ownNow;
            const inRead = read.indicators[w][c] === 1;
            const where = `${describeRead(read)}, update (w${w}, c${c})`;
            if (inSerialPrefix && !inRead) {
              missing++;
              expect(
                w !== read.worker && c >= read.clock - s && c <= read.clock - 1,
                `${where} missing`,
              ).toBe(true);
            }
            if (!inSerialPrefix && inRead) {
              extra++;
              expect(w !== read.worker && c >= read.clock && c <= read.clock + s - 1, `${where} extra`).toBe(
                true,
              );
            }
          }
        }
        expect(
          missing + extra,
          `${describeRead(read)}: ${missing} missing + ${extra} extra`,
        ).toBeLessThanOrEqual(2 * s * (P - 1));
      }
    },
  );
});
