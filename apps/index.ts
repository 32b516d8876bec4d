// The registry of ML programs: hosts (ssp sim, ssp worker) find an app here by name.

import type { AppFactory } from "./api.ts";
import { lassoApp } from "./lasso/app.ts";
import { ldaApp } from "./lda/app.ts";
import { logregApp } from "./logreg.ts";
import { mfApp } from "./mf.ts";

export const apps: AppFactory[] = [ldaApp, mfApp, lassoApp, logregApp];

export function findApp(name: string): AppFactory | undefined {
  return apps.find((a) => a.name === name);
}

export { DataFormatError } from "./data/format-error.ts";
export { AppOptionError } from "./options.ts";
