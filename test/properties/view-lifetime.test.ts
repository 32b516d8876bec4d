// The rule that lets a runtime reuse a received row's memory (ClientConfig.releaseRow): the cache hands a
// row back only once every worker it gave a view of that row to has called clock() since. Random
// scenarios; every read's view is watched from its read event until its worker's next clock.

import { test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import type { RowValues, RowView } from "../../core/rows.ts";
import { expectFinished } from "./checks.ts";
import { runScenario } from "./run-scenario.ts";
import { propertyParams, scenarioArb } from "./scenario.ts";

/** A view's values: the row it reads (RowView keeps them private; array() copies sparse rows). */
function valuesOf(view: RowView): RowValues {
  return (view as unknown as { values: RowValues }).values;
}

interface Watched {
  worker: number;
  clock: number;
  values: RowValues;
}

let releasesSeen = 0;

describe("view lifetime", () => {
  test.prop([scenarioArb()], propertyParams())(
    "a row goes back only after every worker holding a view of it has clocked, and only once",
    (scenario) => {
      const watched: Watched[] = [];
      const released = new Set<RowValues>();
      const violations: string[] = [];
      let eventsSeen = 0;
      const result = runScenario(scenario, {
        releaseRow: (client, values) => {
          releasesSeen++;
          if (released.has(values)) violations.push(`client ${client.client} released a row twice`);
          released.add(values);
          for (const v of watched) {
            if (v.values !== values || !client.workers.includes(v.worker)) continue;
            if (client.clockOf(v.worker) === v.clock)
              violations.push(
                `client ${client.client} released a row worker ${v.worker} still reads at clock ${v.clock}`,
              );
          }
        },
        afterStep: (cluster) => {
          for (; eventsSeen < cluster.events.length; eventsSeen++) {
            const e = cluster.events[eventsSeen];
            if (e.type === "read")
              watched.push({ worker: e.worker, clock: e.clock, values: valuesOf(e.view) });
          }
          return violations[0];
        },
      });
      expect(violations).toEqual([]);
      expectFinished(result);
    },
  );

  test("some rows do go back (the property above is not vacuous)", () => {
    expect(releasesSeen).toBeGreaterThan(0);
  });
});
