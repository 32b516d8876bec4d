// Every app the CLI can run, found by name: the ML programs plus the synthetic workload.

import type { AppFactory } from "../apps/api.ts";
import { apps } from "../apps/index.ts";
import { synthetic } from "../apps/synthetic.ts";

export const appFactories: AppFactory[] = [...apps, synthetic];

export function findApp(name: string): AppFactory {
  const app = appFactories.find((a) => a.name === name);
  if (app === undefined) {
    throw new Error(`unknown app "${name}"; apps: ${appFactories.map((a) => a.name).join(", ")}`);
  }
  return app;
}

/** Every app option name, for flag parsing (each app's options are flags of `ssp sim`). */
export function allAppOptionNames(): string[] {
  return [...new Set(appFactories.flatMap((a) => a.options.map((o) => o.name)))];
}
