import { suites } from "../../experiments/bench/index.ts";
import type { Command } from "../command.ts";
import { intFlag, parseFlags, UsageError } from "../usage.ts";

export const benchCommand: Command = {
  name: "bench",
  summary: "benchmarks that print JSON: ssp bench core|sim|net [--json] [--quick]",
  get help() {
    return `Usage: ssp bench <suite> [--json] [--quick] [--partitions P]

Runs one benchmark suite and prints its figures. Each suite measures our code and a physical reference
(a plain loop, a bare heap, raw TCP) in the same run and reports their ratio.

Suites:
${suites.map((s) => `  ${s.name.padEnd(6)} ${s.summary}`).join("\n")}

Flags:
  --json    print one JSON object on stdout (progress goes to stderr)
  --quick   smaller sizes, for a smoke run
  --partitions P
            sim: run the 10,000-worker job in P partitions on P threads (default: one per core, at most 2);
            the results are the same for any P`;
  },
  async run(argv) {
    const parsed = parseFlags(
      "bench",
      argv,
      { json: { type: "boolean" }, quick: { type: "boolean" }, partitions: { type: "string" } },
      true,
    );
    const [name] = parsed.positionals;
    const suite = suites.find((s) => s.name === name);
    if (suite === undefined) {
      throw new UsageError(
        `ssp bench: ${name === undefined ? "name a suite" : `unknown suite '${name}'`}; suites: ${suites.map((s) => s.name).join(", ") || "(none built yet)"}`,
      );
    }
    const result = await suite.run({
      quick: parsed.values.quick === true,
      log: (line) => process.stderr.write(`${line}\n`),
      partitions:
        parsed.values.partitions === undefined ? undefined : intFlag("bench", parsed, "partitions", 1, 1),
    });
    const report = { suite: suite.name, node: process.version, ...result };
    process.stdout.write(
      parsed.values.json === true ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`,
    );
    return 0;
  },
};
