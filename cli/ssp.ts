// Entry point of the bundled `ssp` binary: registers every command, then runs main (in a child Node with a
// heap sized for it, for the commands that simulate and the runtime roles: see heap-flags.ts).

import "./commands/index.ts";
import { restartWithHeapFlag } from "./heap-flags.ts";
import { main } from "./main.ts";

const argv = process.argv.slice(2);
const restarted = restartWithHeapFlag(argv);
if (restarted !== null) {
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
