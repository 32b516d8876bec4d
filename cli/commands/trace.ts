import { writeFileSync } from "node:fs";
import { parseTrace } from "../../core/trace-format.ts";
import { toChromeTrace } from "../../viz/chrome-trace.ts";
import { readTraceFile } from "../../viz/write-page.ts";
import type { Command } from "../command.ts";
import { parseFlags, stringFlag, UsageError } from "../usage.ts";

export const traceCommand: Command = {
  name: "trace",
  summary: "convert traces: ssp trace export --chrome TRACE [--out FILE]",
  help: `Usage: ssp trace export --chrome TRACE [--out FILE]

Writes the trace in the Chrome trace-event format, which Perfetto (https://ui.perfetto.dev) and
chrome://tracing open: machines as processes, workers as threads with their compute / wait / comm spans,
clock ticks and reads as instant events, shard clocks, the min clock and the objective as counters,
messages as async events from send to receive.

Flags:
  --chrome     the output format (the only one so far)
  --out FILE   where to write (default: TRACE with .jsonl replaced by .chrome.json; '-' for stdout)`,
  async run(argv) {
    const parsed = parseFlags("trace", argv, { chrome: { type: "boolean" }, out: { type: "string" } }, true);
    const [action, tracePath, extra] = parsed.positionals;
    if (action !== "export") {
      throw new UsageError(
        `ssp trace: ${action === undefined ? "name an action" : `unknown action '${action}'`}; try: ssp trace export --chrome TRACE`,
      );
    }
    if (parsed.values.chrome !== true) {
      throw new UsageError(
        "ssp trace export: say which format: --chrome (Chrome trace events, for Perfetto)",
      );
    }
    if (tracePath === undefined) throw new UsageError("ssp trace export: name a trace file");
    if (extra !== undefined)
      throw new UsageError(`ssp trace export: one trace at a time; unexpected '${extra}'`);
    const chrome = toChromeTrace(parseTrace(readTraceFile(tracePath)));
    const out = stringFlag(parsed, "out", defaultOut(tracePath));
    const json = JSON.stringify(chrome);
    if (out === "-") process.stdout.write(`${json}\n`);
    else {
      writeFileSync(out, json);
      process.stdout.write(`${out}\n`);
      process.stderr.write(`${chrome.traceEvents.length} events; open it at https://ui.perfetto.dev\n`);
    }
    return 0;
  },
};

function defaultOut(tracePath: string): string {
  const stem = tracePath.replace(/\.(jsonl|ndjson|json|trace)$/, "");
  return `${stem}.chrome.json`;
}
