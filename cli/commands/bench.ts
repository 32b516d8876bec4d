import { suites } from "../../experiments/bench/index.ts";
import type { Command } from "../command.ts";
import { parseFlags, UsageError } from "../usage.ts";

export const benchCommand: Command = {
  name: "bench",
  summary: "benchmarks that print JSON: ssp bench core|sim|net [--json] [--quick]",
  get help() {
    return `Usage: ssp bench <suite> [--json] [--quick]

Runs one benchmark suite and prints its figures. Each suite measures our code and a physical reference
(a plain loop, a bare heap, raw TCP) in the same run and reports their ratio.

Suites:
${suites.map((s) => `  ${s.name.padEnd(6)} ${s.summary}`).join("\n")}

Flags:
  --json    print one JSON object on stdout (progress goes to stderr)
  --quick   smaller sizes, for a smoke run`;
  },
  async run(argv) {
    const parsed = parseFlags("bench", argv, { json: { type: "boolean" }, quick: { type: "boolean" } }, true);
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
    });
    const report = { suite: suite.name, node: process.version, ...result };
    process.stdout.write(
      parsed.values.json === true ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`,
    );
    return 0;
  },
};
