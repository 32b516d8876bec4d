// Runs a sweep's runs in parallel child processes (`ssp sweep-worker`), one per core. Each child reads run
// requests as JSON lines on stdin and answers with JSON lines on stdout, so a child serves many runs.

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { RunConfig, RunResult } from "./results.ts";

export interface RunRequest {
  id: number;
  config: RunConfig;
  trace?: { absolutePath: string; relativePath: string };
}

export type RunAnswer = { id: number; result: RunResult } | { id: number; error: string };

export interface PoolOptions {
  /** The ssp script to start children from (dist/ssp.js). */
  script: string;
  jobs: number;
  onResult: (result: RunResult) => void;
  onError?: (request: RunRequest, error: string) => void;
}

export async function runPool(requests: RunRequest[], options: PoolOptions): Promise<{ failed: number }> {
  const queue = [...requests];
  let failed = 0;
  const children = Math.max(1, Math.min(options.jobs, queue.length));
  const workers: Array<Promise<void>> = [];
  for (let i = 0; i < children; i++) {
    workers.push(
      new Promise<void>((resolve, reject) => {
        // The parent's Node flags (the larger young generation among them) carry over to the workers.
        const args = [...process.execArgv, options.script, "sweep-worker"];
        const child: ChildProcess = spawn(process.execPath, args, {
          stdio: ["pipe", "pipe", "inherit"],
        });
        const inFlight = new Map<number, RunRequest>();
        const sendNext = () => {
          const next = queue.shift();
          if (next === undefined) {
            child.stdin!.end();
            return;
          }
          inFlight.set(next.id, next);
          child.stdin!.write(`${JSON.stringify(next)}\n`);
        };
        createInterface({ input: child.stdout! }).on("line", (line) => {
          let answer: RunAnswer;
          try {
            answer = JSON.parse(line) as RunAnswer;
          } catch {
            process.stderr.write(`sweep worker said: ${line}\n`);
            return;
          }
          const request = inFlight.get(answer.id);
          inFlight.delete(answer.id);
          if ("error" in answer) {
            failed++;
            if (request !== undefined) options.onError?.(request, answer.error);
          } else {
            options.onResult(answer.result);
          }
          sendNext();
        });
        child.on("error", reject);
        child.on("exit", (code) => {
          if (inFlight.size > 0) {
            failed += inFlight.size;
            for (const r of inFlight.values())
              options.onError?.(r, `the sweep worker exited with code ${code}`);
          }
          resolve();
        });
        sendNext();
      }),
    );
  }
  await Promise.all(workers);
  return { failed };
}
