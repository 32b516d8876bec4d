// Entry point of the bundled `ssp` binary: registers every command, then runs main (in a child Node with a
// heap sized for it, for the commands that simulate and the runtime roles: see heap-flags.ts).

import { isMainThread, workerData } from "node:worker_threads";
import { findApp } from "../experiments/app-registry.ts";
import { enablePartitionThreads, isPartitionThread, runPartitionThread } from "../sim/partition-threads.ts";
import "./commands/index.ts";
import { restartWithHeapFlag, SIM_YOUNG_GENERATION_MB } from "./heap-flags.ts";
import { main } from "./main.ts";

const argv = process.argv.slice(2);
const restarted = isMainThread ? restartWithHeapFlag(argv) : null;
if (!isMainThread && isPartitionThread(workerData)) {
  // A thread of a partitioned simulation (sim/partition-threads.ts), started from this same script.
  void runPartitionThread(workerData, (name, options, context) => findApp(name).create(options, context));
} else if (restarted !== null) {
  restarted.then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`ssp: could not start a child Node: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
} else {
  enablePartitionThreads(import.meta.url, SIM_YOUNG_GENERATION_MB);
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`ssp: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
