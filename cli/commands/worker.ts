import { readRoleEnv } from "../../runtime/env.ts";
import { resolveToken } from "../../runtime/token.ts";
import { runWorkerProcess } from "../../runtime/worker-process.ts";
import type { Command } from "../command.ts";
import { intFlag, parseFlags } from "../usage.ts";
import { checkRole, coordinatorAddress } from "./server.ts";

export const workerCommand: Command = {
  name: "worker",
  summary: "run a worker process of a runtime job (several logical workers, one process cache)",
  help: `Usage: ssp worker [--coord HOST:PORT] [--rank N] [--token-file F]

Starts one worker process: it registers with the coordinator, receives its rank, the job and the servers'
addresses, connects to every server and runs its logical workers' share of the app. Usually started by
'ssp launch'.

Flags (environment in brackets; ps-lite's DMLC_* names are accepted too):
  --coord HOST:PORT   the coordinator [SSP_COORD, or DMLC_PS_ROOT_URI + DMLC_PS_ROOT_PORT]
  --rank N            ask for this worker-process rank [SSP_RANK]; default: the coordinator picks
  --token-file F      file holding the job token [SSP_TOKEN]
  --timeout-ms MS     give up on bootstrap steps after this long, default 30000`,
  async run(argv) {
    const parsed = parseFlags("worker", argv, {
      coord: { type: "string" },
      rank: { type: "string" },
      "token-file": { type: "string" },
      "timeout-ms": { type: "string" },
    });
    checkRole("worker", process.env);
    const env = readRoleEnv(process.env);
    await runWorkerProcess({
      coordinator: coordinatorAddress("worker", parsed.values.coord as string | undefined, process.env),
      token: resolveToken(parsed.values["token-file"] as string | undefined, process.env),
      rank: intFlag("worker", parsed, "rank", env.rank ?? -1, 0),
      timeoutMs: intFlag("worker", parsed, "timeout-ms", 30_000, 1),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    return 0;
  },
};
