import { readFileSync } from "node:fs";
import type { AppOptions } from "../../apps/api.ts";
import { allAppOptionNames, appFactories, findApp } from "../../experiments/app-registry.ts";
import { TraceFileWriter } from "../../experiments/trace-file.ts";
import { partitionThreadsFor } from "../../sim/partition-threads.ts";
import { presets, resolveProfile } from "../../sim/profiles.ts";
import { checkPartitionable, type SimSummary, simulate } from "../../sim/simulate.ts";
import { stragglerModelNames } from "../../sim/stragglers.ts";
import type { Command } from "../command.ts";
import { progressReporter } from "../progress.ts";
import {
  choiceFlag,
  type FlagSpec,
  intFlag,
  type Parsed,
  parseFlags,
  stalenessValue,
  stringFlag,
  UsageError,
} from "../usage.ts";

const CONSISTENCIES = ["bsp", "ssp", "async", "essp"] as const;

const flags: FlagSpec = {
  app: { type: "string" },
  workers: { type: "string" },
  machines: { type: "string" },
  servers: { type: "string" },
  consistency: { type: "string" },
  staleness: { type: "string" },
  profile: { type: "string" },
  stragglers: { type: "string" },
  clocks: { type: "string" },
  seed: { type: "string" },
  trace: { type: "string" },
  json: { type: "boolean" },
  check: { type: "boolean" },
  "shuffle-ties": { type: "string" },
  "objective-every": { type: "string" },
  placement: { type: "string" },
  "cache-rows": { type: "string" },
  partitions: { type: "string" },
};

function appOptionsHelp(): string {
  return appFactories
    .map((a) => {
      const opts = a.options.map(
        (o) => `      --${o.name.padEnd(16)} ${o.description} (default ${o.default})`,
      );
      return [`  ${a.name}: ${a.summary}`, ...opts].join("\n");
    })
    .join("\n");
}

export const simCommand: Command = {
  name: "sim",
  summary: "simulate one run of an app on a simulated cluster",
  get help() {
    return `Usage: ssp sim --app NAME [flags] [app flags]

Runs the real SSP core and the app on simulated machines and prints a summary.

Flags:
  --app NAME            ${appFactories.map((a) => a.name).join(" | ")} (default synthetic)
  --workers N           logical workers (default 8)
  --machines M          simulated machines; workers are spread in contiguous blocks (default ceil(N/8))
  --servers K           server shards (default = machines)
  --consistency C       bsp | ssp | async | essp (default ssp)
  --staleness S         staleness bound s for ssp/essp, an integer or 'inf' (default 2)
  --profile P           hardware profile: ${Object.keys(presets).join(", ")}, or a JSON file (default paper-2013)
  --stragglers SPEC     e.g. slow:workers=3,factor=4+pareto:alpha=1.5; models: ${stragglerModelNames.join(", ")}
  --clocks C            clocks per worker (default 20)
  --seed X              run seed (default 1)
  --trace FILE          write the JSON-lines trace to FILE
  --json                print one JSON object instead of the table
  --check               check mode: indicator updates, then run the SSP checker on the trace
  --shuffle-ties SEED   reorder simultaneous events with this seed
  --objective-every K   clocks between objective samples (default 1; 0 = off)
  --placement KIND      row-to-shard placement: hash | range | modulo (default hash)
  --cache-rows N        process-cache capacity per machine, in rows (default: no limit)
  --partitions P        run the machines in P partitions on P threads (default 1): the same results,
                        trace hash included, in less time on P cores; not with --trace or --check

App flags:
${appOptionsHelp()}`;
  },
  async run(argv) {
    const optionNames = allAppOptionNames();
    const spec: FlagSpec = { ...flags };
    for (const name of optionNames) if (!(name in spec)) spec[name] = { type: "string" };
    const parsed = parseFlags("sim", argv, spec);
    const config = simConfigFromFlags(parsed);
    const json = parsed.values.json === true;
    const tracePath = typeof parsed.values.trace === "string" ? parsed.values.trace : undefined;
    const writer = tracePath === undefined ? undefined : new TraceFileWriter(tracePath);
    const records: import("../../core/trace-format.ts").TraceRecord[] | undefined = config.checkMode
      ? []
      : undefined;
    const bigRun = config.workers * config.clocks >= 20_000;
    let result: Awaited<ReturnType<typeof simulate>>;
    try {
      result = await simulate({
        ...config,
        trace:
          writer === undefined && records === undefined
            ? undefined
            : (r) => {
                writer?.write(r);
                records?.push(r);
              },
        progress: bigRun ? progressReporter("simulating") : undefined,
      });
    } finally {
      writer?.close();
    }
    let checkOk = true;
    if (records !== undefined) {
      const { checkTrace } = await import("../../sim/checker.ts");
      const report = checkTrace({ header: records[0] as never, records });
      checkOk = report.ok;
      process.stderr.write(
        `SSP checker: ${report.ok ? "passed" : "FAILED"} (${report.reads} reads, ${report.contentChecks} decoded, ${report.finalRows} final rows)\n`,
      );
      for (const v of report.violations) process.stderr.write(`  ${v}\n`);
    }
    if (json) process.stdout.write(`${JSON.stringify(result.summary)}\n`);
    else process.stdout.write(`${formatSummary(result.summary)}\n`);
    if (tracePath !== undefined && !json) process.stdout.write(`trace: ${tracePath}\n`);
    return checkOk ? 0 : 1;
  },
};

export function simConfigFromFlags(parsed: Parsed) {
  const appName = stringFlag(parsed, "app", "synthetic");
  let factory: ReturnType<typeof findApp>;
  try {
    factory = findApp(appName);
  } catch (e) {
    throw new UsageError(`ssp sim: ${(e as Error).message}`);
  }
  const workers = intFlag("sim", parsed, "workers", 8, 1);
  const machines = intFlag("sim", parsed, "machines", Math.ceil(workers / 8), 1);
  const servers = intFlag("sim", parsed, "servers", machines, 1);
  const clocks = intFlag("sim", parsed, "clocks", 20, 1);
  const seed = intFlag("sim", parsed, "seed", 1, 0);
  const consistency = choiceFlag("sim", parsed, "consistency", CONSISTENCIES, "ssp");
  const staleness = stalenessValue("sim", stringFlag(parsed, "staleness", "2"));
  const check = parsed.values.check === true;
  const appOptions: AppOptions = {};
  const own = new Set(factory.options.map((o) => o.name));
  for (const name of allAppOptionNames()) {
    const v = parsed.values[name];
    if (typeof v !== "string" || name in flags) continue;
    if (!own.has(name)) throw new UsageError(`ssp sim: --${name} is not an option of app ${factory.name}`);
    appOptions[name] = v;
  }
  if (check) {
    if (factory.name !== "synthetic") throw new UsageError("ssp sim: --check works with --app synthetic");
    appOptions.check = "1";
  }
  const profileName = stringFlag(parsed, "profile", "paper-2013");
  let profile: ReturnType<typeof resolveProfile>;
  try {
    profile = resolveProfile(profileName, (p) => readFileSync(p, "utf8"));
  } catch (e) {
    throw new UsageError(`ssp sim: ${(e as Error).message}`);
  }
  let app: ReturnType<typeof factory.create>;
  try {
    app = factory.create(appOptions, { workers, seed, clocks });
  } catch (e) {
    throw new UsageError(`ssp sim: ${(e as Error).message}`);
  }
  const shuffle = parsed.values["shuffle-ties"];
  const partitions = intFlag("sim", parsed, "partitions", 1, 1);
  const config = {
    app,
    workers,
    machines,
    servers,
    consistency,
    staleness,
    clocks,
    seed,
    profile,
    stragglers: stringFlag(parsed, "stragglers", "none"),
    objectiveEvery: intFlag("sim", parsed, "objective-every", factory.name === "synthetic" ? 0 : 1, 0),
    placement: choiceFlag("sim", parsed, "placement", ["hash", "range", "modulo"] as const, "hash"),
    shuffleTies: shuffle === undefined ? undefined : intFlag("sim", parsed, "shuffle-ties", 0, 0),
    checkMode: check,
    cacheRows:
      parsed.values["cache-rows"] === undefined ? undefined : intFlag("sim", parsed, "cache-rows", 0, 1),
    extraConfig: { appOptions },
    partitions,
    threads: partitionThreadsFor(factory.name, appOptions),
  };
  try {
    checkPartitionable({ ...config, trace: parsed.values.trace === undefined ? undefined : () => {} });
  } catch (e) {
    throw new UsageError(`ssp sim: ${(e as Error).message}`);
  }
  return config;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

export function formatSummary(s: SimSummary): string {
  const rows: Array<[string, string]> = [
    ["app", `${s.app} (${s.workers} workers on ${s.machines} machines, ${s.servers} servers, ${s.profile})`],
    ["consistency", `${s.consistency}, s = ${s.staleness === null ? "∞" : s.staleness}`],
    ["stragglers", s.stragglers],
    [
      "simulated time",
      `${(s.simTimeNs / 1e9).toFixed(4)} s for ${s.clocks} clocks (${s.clocksPerSecond.toFixed(2)} clocks/s)`,
    ],
    [
      "time split",
      `compute ${pct(s.computeFraction)}, wait ${pct(s.waitFraction)}, communication ${pct(s.commFraction)}`,
    ],
    ["observed staleness", `p50 ${s.stalenessP50}, p99 ${s.stalenessP99} over ${s.reads} reads`],
    ["objective", Number.isNaN(s.objective) ? "(none)" : `${s.objectiveName} = ${s.objective}`],
    ["network", `${s.messages} messages, ${(s.bytes / 1e6).toFixed(2)} MB`],
    ["seed / trace hash", `${s.seed} / ${s.traceSha256.slice(0, 16)}…`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}
