import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { allAppOptionNames } from "../../experiments/app-registry.ts";
import { defaultSweep } from "../../experiments/default-sweep.ts";
import { packageRoot } from "../../experiments/package-root.ts";
import { runPaper } from "../../experiments/paper/run-paper.ts";
import { parseModel, type SweepSpec, specFromJson } from "../../experiments/sweep/grid.ts";
import { runSweep } from "../../experiments/sweep/sweep.ts";
import { defaultTheorem, runTheorem, theoremMarkdown } from "../../experiments/theorem/run-theorem.ts";
import type { Command } from "../command.ts";
import { writeSweepReport } from "../sweep-report.ts";
import {
  choiceFlag,
  type FlagSpec,
  intFlag,
  type Parsed,
  parseFlags,
  stringFlag,
  UsageError,
} from "../usage.ts";

const flags: FlagSpec = {
  default: { type: "boolean" },
  paper: { type: "boolean" },
  theorem: { type: "boolean" },
  host: { type: "string" },
  only: { type: "string" },
  config: { type: "string" },
  app: { type: "string" },
  models: { type: "string" },
  workers: { type: "string" },
  machines: { type: "string" },
  servers: { type: "string" },
  profile: { type: "string" },
  stragglers: { type: "string", multiple: true },
  seeds: { type: "string" },
  clocks: { type: "string" },
  "objective-every": { type: "string" },
  jobs: { type: "string" },
  out: { type: "string" },
  "no-traces": { type: "boolean" },
  "no-report": { type: "boolean" },
  json: { type: "boolean" },
};

function intList(parsed: Parsed, name: string): number[] | undefined {
  const v = parsed.values[name];
  if (typeof v !== "string") return undefined;
  const xs = v.split(",").map((x) => Number(x.trim()));
  if (!xs.every((x) => Number.isInteger(x) && x >= 1)) {
    throw new UsageError(
      `ssp sweep: --${name} takes a comma-separated list of positive integers, got "${v}"`,
    );
  }
  return xs;
}

function specFromFlags(parsed: Parsed): SweepSpec {
  const appName = stringFlag(parsed, "app", "mf");
  const options: Record<string, string> = {};
  for (const name of allAppOptionNames()) {
    const v = parsed.values[name];
    if (typeof v === "string" && !(name in flags)) options[name] = v;
  }
  const models = stringFlag(parsed, "models", "bsp,ssp:1,ssp:2,ssp:4,ssp:8,async").split(",");
  for (const m of models) {
    try {
      parseModel(m);
    } catch (e) {
      throw new UsageError(`ssp sweep: --models: ${(e as Error).message}`);
    }
  }
  const seedsText = stringFlag(parsed, "seeds", "3");
  const seeds = seedsText.includes(",")
    ? seedsText.split(",").map(Number)
    : Array.from({ length: intFlag("sweep", parsed, "seeds", 3, 1) }, (_, i) => i + 1);
  const stragglers = parsed.values.stragglers;
  return {
    host: choiceFlag("sweep", parsed, "host", ["sim", "runtime"] as const, "sim"),
    apps: appName.split(",").map((name) => ({ name, options })),
    models,
    workers: intList(parsed, "workers") ?? [32],
    machines: intList(parsed, "machines"),
    servers: intList(parsed, "servers"),
    profiles: stringFlag(parsed, "profile", "paper-2013").split(","),
    stragglers: Array.isArray(stragglers) && stragglers.length > 0 ? stragglers : ["none"],
    seeds,
    clocks: intFlag("sweep", parsed, "clocks", 40, 1),
    objectiveEvery: intFlag("sweep", parsed, "objective-every", 1, 1),
  };
}

export const sweepCommand: Command = {
  name: "sweep",
  summary: "run a grid of simulations over consistency and staleness, with results, figures and a report",
  help: `Usage: ssp sweep [--default | --config FILE | flags] [--out DIR] [--jobs N]

Runs every combination of the grid in the simulator, in parallel child processes, and writes
results.jsonl, results.csv and the traces of the runs the report shows into the output folder.
Re-running the same sweep skips the runs whose configuration is already in results.jsonl.

Grids:
  --default            the default sweep (what 'npm start' runs): MF, 32 workers, paper-2013, stragglers,
                       BSP, SSP s ∈ {1,2,4,8,16}, async, ESSP s=2, 3 seeds
  --paper              the paper's experiments (experiments/paper/*.json: LDA, MF, Lasso at 32 machines,
                       with and without stragglers, and scaling); writes RESULTS.md with each claim
  --theorem            the convergence theorem: logistic regression under SSP for s ∈ {0,1,4,16} and
                       P ∈ {4,16}, measured regret R[X]/T against the bound 4FL√(2(s+1)PT)/T
  --only A,B           with --paper: only these experiments (lda, lasso, mf, scaling)
  --config FILE        a JSON grid: {"apps":[{"name":"mf","options":{}}],"models":["bsp","ssp:2","async"],
                       "workers":[32],"machines":[8],"servers":[8],"profiles":["paper-2013"],
                       "stragglers":["none"],"seeds":[1,2,3],"clocks":40}
  --host sim|runtime   run the grid in the simulator (default) or on real processes here (one at a time)
  --app A[,B]          apps (default mf); app flags as in 'ssp sim --help' apply to them
  --models LIST        bsp, async, ssp:S, essp:S, comma-separated (default bsp,ssp:1,ssp:2,ssp:4,ssp:8,async)
  --workers LIST       worker counts (default 32)
  --machines LIST      machine counts (default ceil(workers/4))
  --servers LIST       shard counts (default = machines)
  --profile LIST       hardware profiles (default paper-2013)
  --stragglers SPEC    a straggler spec; repeat the flag for several (default none)
  --seeds N|LIST       N seeds (1..N) or a list (default 3)
  --clocks C           clocks per run (default 40)
  --objective-every K  clocks between objective samples (default 1)

Output:
  --out DIR            output folder (default results/sweep)
  --jobs N             parallel processes (default: the machine's cores)
  --no-traces          keep no traces (and link no timelines)
  --no-report          write no report.html
  --json               print a JSON summary of the sweep on stdout`,
  async run(argv) {
    const spec: FlagSpec = { ...flags };
    for (const name of allAppOptionNames()) if (!(name in spec)) spec[name] = { type: "string" };
    const parsed = parseFlags("sweep", argv, spec);
    const jobs = intFlag("sweep", parsed, "jobs", availableParallelism(), 1);
    const script = join(packageRoot(), "dist", "ssp.js");
    if (parsed.values.paper === true) {
      const outDir = stringFlag(parsed, "out", join("results", "paper"));
      const only = typeof parsed.values.only === "string" ? parsed.values.only.split(",") : undefined;
      const { outcomes } = await runPaper({
        outDir,
        jobs,
        script,
        only,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      for (const o of outcomes) {
        process.stdout.write(
          `${o.name}: ${o.results.length} runs in ${o.outDir} (${o.wallClockSeconds.toFixed(0)} s)\n`,
        );
      }
      process.stdout.write(`claims: ${join(outDir, "RESULTS.md")}\n`);
      return 0;
    }
    if (parsed.values.theorem === true) {
      const outDir = stringFlag(parsed, "out", join("results", "theorem"));
      mkdirSync(outDir, { recursive: true });
      const runs = await runTheorem({ ...defaultTheorem, log: (l) => process.stderr.write(`${l}\n`) });
      const markdown = theoremMarkdown(runs);
      writeFileSync(join(outDir, "theorem.md"), `${markdown}\n`);
      writeFileSync(join(outDir, "theorem.json"), `${JSON.stringify(runs, null, 1)}\n`);
      const worst = Math.max(...runs.flatMap((r) => r.points.map((p) => p.regret / p.bound)));
      process.stdout.write(
        `${markdown}\n\nlargest measured/bound: ${worst.toPrecision(3)} (${worst < 1 ? "within" : "VIOLATES"} the bound)\n`,
      );
      process.stdout.write(`written: ${join(outDir, "theorem.md")}\n`);
      return worst < 1 ? 0 : 1;
    }
    let grid: SweepSpec;
    let name = "sweep";
    if (parsed.values.default === true) {
      grid = defaultSweep;
      name = "default";
    } else if (typeof parsed.values.config === "string") {
      const path = parsed.values.config;
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(path, "utf8"));
      } catch (e) {
        throw new UsageError(`ssp sweep: cannot read the grid ${path}: ${(e as Error).message}`);
      }
      grid = specFromJson(raw, path);
    } else {
      grid = specFromFlags(parsed);
    }
    const outDir = stringFlag(parsed, "out", join("results", name));
    const outcome = await runSweep({
      spec: grid,
      outDir,
      // Runtime runs measure real time: running two at once would make each the other's straggler.
      jobs: grid.host === "runtime" ? 1 : jobs,
      script,
      keepTraces: parsed.values["no-traces"] !== true,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    const report =
      parsed.values["no-report"] === true || outcome.results.length === 0
        ? null
        : writeSweepReport(outDir, outcome.results, {
            title: name === "default" ? "Default sweep: matrix factorisation, 32 workers" : "Staleness sweep",
            command: `ssp sweep ${argv.join(" ")}`,
            wallClockSeconds: outcome.wallClockSeconds,
            log: (line) => process.stderr.write(`${line}\n`),
          });
    const summary = {
      report,
      outDir,
      runs: outcome.results.length,
      ran: outcome.ran,
      skipped: outcome.skipped,
      failed: outcome.failed,
      wall_clock_seconds: outcome.wallClockSeconds,
      results: join(outDir, "results.csv"),
    };
    if (parsed.values.json === true) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(
        `${outcome.results.length} runs (${outcome.ran} run now, ${outcome.skipped} reused, ${outcome.failed} failed) in ${outcome.wallClockSeconds.toFixed(1)} s\nresults: ${summary.results}\n${report === null ? "" : `report:  ${report}\n`}`,
      );
    }
    return outcome.failed > 0 ? 1 : 0;
  },
};
