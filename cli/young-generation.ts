// Simulations allocate many objects that live for a few thousand events: messages in flight, rows on their
// way into caches, the frames of workers that are computing. With V8's default young generation (16 MB
// semi-spaces) about half of them are still alive at each scavenge and get copied, which cost ~20% of the
// 10,000-worker job of `ssp bench sim`; 64 MB semi-spaces let most of them die young. V8 takes the size
// only at startup, so the simulation commands run themselves again with it when it is missing.

import { spawn } from "node:child_process";

export const YOUNG_GENERATION_FLAG = "--max-semi-space-size=64";

/** Whether `ssp <argv>` simulates enough to want the larger young generation. */
function simulates(argv: readonly string[]): boolean {
  const [command, suite] = argv;
  return (
    command === "sim" ||
    command === "sweep" ||
    command === "sweep-worker" ||
    (command === "bench" && (suite === "sim" || suite === "all"))
  );
}

/** True when this process should be started again with the flag (and was not already). */
export function wantsRestart(
  argv: readonly string[],
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): boolean {
  if (!simulates(argv)) return false;
  const given = (arg: string) => arg.startsWith("--max-semi-space-size");
  return !execArgv.some(given) && !(nodeOptions ?? "").split(/\s+/).some(given);
}

/**
 * Runs this command again in a child Node with the flag and resolves to its exit code, or returns null when
 * no restart is needed. Output and input pass straight through (the child inherits them); termination
 * signals sent to this process are passed on, so the child never outlives it.
 */
export function restartWithYoungGeneration(argv: readonly string[]): Promise<number> | null {
  if (!wantsRestart(argv, process.execArgv, process.env.NODE_OPTIONS)) return null;
  const script = process.argv[1];
  if (script === undefined) return null;
  const child = spawn(process.execPath, [YOUNG_GENERATION_FLAG, ...process.execArgv, script, ...argv], {
    stdio: "inherit",
  });
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      for (const s of signals) process.off(s, forward);
      // Die of the same signal, so whoever started us sees what happened to the command.
      if (signal !== null) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
  });
}
