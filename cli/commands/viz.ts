import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { readVizBundle } from "../../viz/bundle.ts";
import { serveViz } from "../../viz/serve.ts";
import { readTraceFile, writeTimelinePage } from "../../viz/write-page.ts";
import type { Command } from "../command.ts";
import { intFlag, parseFlags, UsageError } from "../usage.ts";

export const vizCommand: Command = {
  name: "viz",
  summary: "browser timeline of a trace: ssp viz TRACE [--port N] [--out DIR]",
  help: `Usage: ssp viz TRACE [--port N] [--out DIR]

Shows a trace (from 'ssp sim --trace FILE' or 'ssp launch --trace FILE') as a timeline in the browser: one
lane per worker grouped by machine, compute / wait / communication spans, the server clock with the
staleness window, message arrows, the objective and the observed staleness on the same time axis.

Without --out, serves the viewer on http://127.0.0.1:PORT/ until interrupted (Ctrl-C) and prints the URL.

Flags:
  --port N    port to listen on (default 8737; 0 picks a free port)
  --out DIR   instead of serving, write DIR/index.html: one self-contained page with the trace embedded`,
  async run(argv) {
    const parsed = parseFlags("viz", argv, { port: { type: "string" }, out: { type: "string" } }, true);
    const [tracePath, extra] = parsed.positionals;
    if (tracePath === undefined)
      throw new UsageError("ssp viz: name a trace file, e.g. ssp viz run.trace.jsonl");
    if (extra !== undefined) throw new UsageError(`ssp viz: one trace at a time; unexpected '${extra}'`);
    const port = intFlag("viz", parsed, "port", 8737, 0);
    if (port > 65535) throw new UsageError(`ssp viz: --port must be at most 65535, got ${port}`);
    const out = parsed.values.out;
    if (typeof out === "string") {
      if (existsSync(out) && !statSync(out).isDirectory()) {
        throw new UsageError(`ssp viz: --out ${out} is a file; give a directory (it is created if missing)`);
      }
      process.stdout.write(`${resolve(writeTimelinePage(tracePath, out))}\n`);
      return 0;
    }
    const server = await serveViz({
      script: readVizBundle(),
      traceText: readTraceFile(tracePath),
      traceName: basename(tracePath),
      port,
    });
    process.stdout.write(`${server.url}\n`);
    process.stderr.write("serving the timeline on 127.0.0.1; press Ctrl-C to stop\n");
    await new Promise<void>((done) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void server.close().then(done);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  },
};
