import { readFileSync } from "node:fs";
import { parseTrace } from "../../core/trace-format.ts";
import { checkTrace } from "../../sim/checker.ts";
import type { Command } from "../command.ts";
import { intFlag, parseFlags, UsageError } from "../usage.ts";

export const checkCommand: Command = {
  name: "check",
  summary: "verify the SSP guarantees on a trace (simulated or from the runtime)",
  help: `Usage: ssp check TRACE [--skew-ns N] [--json]

Reads a JSON-lines trace and checks gating, clocks and shard clocks; on check-mode traces (written with
'ssp sim --check' or the runtime's indicator workload) also read contents, read-my-writes, the upper
bound of the staleness window, and that no update was lost. Exits 0 when the trace passes, 1 when not.

Flags:
  --skew-ns N   allowed clock disagreement between hosts, for merged runtime traces (default 0)
  --json        print the report as one JSON object`,
  async run(argv) {
    const parsed = parseFlags(
      "check",
      argv,
      { "skew-ns": { type: "string" }, json: { type: "boolean" } },
      true,
    );
    const [path] = parsed.positionals;
    if (path === undefined)
      throw new UsageError("ssp check: name the trace file, e.g. ssp check out/trace.jsonl");
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new Error(`cannot read trace ${path}: ${(e as Error).message}`);
    }
    const report = checkTrace(parseTrace(text), { skewNs: intFlag("check", parsed, "skew-ns", 0, 0) });
    if (parsed.values.json === true) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      process.stdout.write(
        `${report.ok ? "passed" : "FAILED"}: ${report.reads} reads, ${report.contentChecks} with decoded contents, ${report.finalRows} final rows\n`,
      );
      for (const v of report.violations) process.stdout.write(`  ${v}\n`);
    }
    return report.ok ? 0 : 1;
  },
};
