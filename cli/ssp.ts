// Entry point of the bundled `ssp` binary: registers every command, then runs main (in a child Node with a
// larger young generation, for the commands that simulate: see young-generation.ts).

import "./commands/index.ts";
import { main } from "./main.ts";
import { restartWithYoungGeneration } from "./young-generation.ts";

const argv = process.argv.slice(2);
const restarted = restartWithYoungGeneration(argv);
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
