import { createInterface } from "node:readline";
import type { RunRequest } from "../../experiments/sweep/pool.ts";
import { runOne } from "../../experiments/sweep/run-one.ts";
import type { Command } from "../command.ts";

/** Internal: the child process of `ssp sweep`. One run request per stdin line, one answer per stdout line. */
export const sweepWorkerCommand: Command = {
  name: "sweep-worker",
  summary: "(internal) runs sweep runs read as JSON lines on stdin",
  help: "Usage: ssp sweep-worker\n\nStarted by 'ssp sweep'; reads run requests as JSON lines on stdin and answers on stdout.",
  async run() {
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      if (line.trim() === "") continue;
      const request = JSON.parse(line) as RunRequest;
      try {
        const result = await runOne(request.config, request.trace);
        process.stdout.write(`${JSON.stringify({ id: request.id, result })}\n`);
      } catch (e) {
        process.stdout.write(`${JSON.stringify({ id: request.id, error: (e as Error).message })}\n`);
      }
    }
    return 0;
  },
};
