// The apps a runtime job may name: the ML programs of apps/index.ts plus the runtime's own test and
// benchmark apps.

import type { AppFactory } from "../apps/api.ts";
import { apps } from "../apps/index.ts";
import { synthetic } from "../apps/synthetic.ts";
import { benchApp } from "./bench-app.ts";
import { indicatorApp } from "./indicator-app.ts";

const registry: AppFactory[] = [...apps, synthetic, indicatorApp, benchApp];

export function runtimeApps(): readonly AppFactory[] {
  return registry;
}

export function findApp(name: string): AppFactory {
  const app = registry.find((a) => a.name === name);
  if (app === undefined) {
    throw new Error(`unknown app '${name}'; apps: ${registry.map((a) => a.name).join(", ")}`);
  }
  return app;
}
