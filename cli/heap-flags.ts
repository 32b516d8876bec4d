// Node flags that size V8's heap for a command. V8 takes them only at startup, so a command that wants one
// runs itself again with it when it is missing (and `ssp launch` gives it to the roles it starts).
//
// Simulations allocate many objects that live for a few thousand events: messages in flight, rows on their
// way into caches, the frames of workers that are computing. With V8's default young generation (16 MB
// semi-spaces) about half of them are still alive at each scavenge and get copied, which cost ~20% of the
// 10,000-worker job of `ssp bench sim`; 128 MB semi-spaces let most of them die young (64 MB: 8% slower on
// that job, 256 MB: slower again, the scavenges' own footprint outgrowing the CPU caches).
//
// Runtime roles (`ssp server`, `ssp worker`) want ROLE_HEAP_FLAG: see runtime/launcher.ts.

import { spawn } from "node:child_process";
import { ROLE_HEAP_FLAG } from "../runtime/launcher.ts";
import { STOP_SIGNALS } from "../runtime/signals.ts";

const SIM_SEMI_SPACE_MB = 128;
export const YOUNG_GENERATION_FLAG = `--max-semi-space-size=${SIM_SEMI_SPACE_MB}`;
/**
 * The same for the threads of a partitioned simulation, which take no V8 flags but a young generation size:
 * V8 makes it three semi-spaces (two, plus as much again for new large objects).
 */
export const SIM_YOUNG_GENERATION_MB = 3 * SIM_SEMI_SPACE_MB;

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

/** The heap flag `ssp <argv>` wants, if any. */
export function heapFlagFor(argv: readonly string[]): string | null {
  if (simulates(argv)) return YOUNG_GENERATION_FLAG;
  if (argv[0] === "server" || argv[0] === "worker") return ROLE_HEAP_FLAG;
  return null;
}

/** True when this process should be started again with its heap flag (and was not already). */
export function wantsRestart(
  argv: readonly string[],
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): boolean {
  const flag = heapFlagFor(argv);
  if (flag === null) return false;
  const name = flag.slice(0, flag.indexOf("="));
  const given = (arg: string) => arg.startsWith(name);
  return !execArgv.some(given) && !(nodeOptions ?? "").split(/\s+/).some(given);
}

/**
 * Runs this command again in a child Node with the flag and resolves to its exit code, or returns null when
 * no restart is needed. Output and input pass straight through (the child inherits them); termination
 * signals sent to this process are passed on, so the child never outlives it.
 */
export function restartWithHeapFlag(argv: readonly string[]): Promise<number> | null {
  if (!wantsRestart(argv, process.execArgv, process.env.NODE_OPTIONS)) return null;
  const script = process.argv[1];
  const flag = heapFlagFor(argv);
  if (script === undefined || flag === null) return null;
  // Listen before spawning: the child exists from the fork on, and a signal that came before the listener
  // would kill this process by default and leave the child running. Listeners run from the event loop, so
  // `child` is set by the time one does.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of STOP_SIGNALS) process.on(signal, forward);
  const child = spawn(process.execPath, [flag, ...process.execArgv, script, ...argv], {
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      for (const s of STOP_SIGNALS) process.off(s, forward);
      // Die of the same signal, so whoever started us sees what happened to the command.
      if (signal !== null) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
  });
}
