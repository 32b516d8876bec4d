// Runs an app through the simulator with the tests' standard shape (8 workers on 4 machines, 2 servers). The
// app is wrapped so that each objective sample also takes the app's extra measures (held-out RMSE, accuracy,
// β) on the same consistent model.

import type { AppInstance, ModelView } from "../../apps/api.ts";
import { type SimResult, simulate } from "../../sim/simulate.ts";

export type Setting = { label: string; consistency: "ssp" | "async"; staleness: number };

export const SETTINGS: Setting[] = [
  { label: "s=0", consistency: "ssp", staleness: 0 },
  { label: "s=3", consistency: "ssp", staleness: 3 },
  { label: "s=inf", consistency: "async", staleness: Number.POSITIVE_INFINITY },
];

export interface SimRun<T> extends SimResult {
  /** What `inspect` returned on the model of the last objective sample. */
  last: T;
}

export async function simulateApp<A extends AppInstance, T>(
  app: A,
  setting: Setting,
  clocks: number,
  seed: number,
  inspect: (app: A, model: ModelView) => T,
  objectiveEvery = clocks,
): Promise<SimRun<T>> {
  let last: T | undefined;
  const wrapped: AppInstance = {
    name: app.name,
    objectiveName: app.objectiveName,
    objectiveGoal: app.objectiveGoal,
    tables: () => app.tables(),
    run: (api, n) => app.run(api, n),
    describe: () => app.describe(),
    objective(model) {
      last = inspect(app, model);
      return app.objective(model);
    },
  };
  const result = await simulate({
    app: wrapped,
    workers: 8,
    machines: 4,
    servers: 2,
    consistency: setting.consistency,
    staleness: setting.staleness,
    clocks,
    seed,
    objectiveEvery,
  });
  if (last === undefined) throw new Error("the simulator sampled no objective");
  return { ...result, last };
}
