// Entry point of the bundled `ssp` binary: registers every command, then runs main.

import "./commands/index.ts";
import { main } from "./main.ts";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`ssp: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
