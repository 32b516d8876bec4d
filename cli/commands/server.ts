import { readRoleEnv } from "../../runtime/env.ts";
import { type Address, formatAddress, parseAddress } from "../../runtime/net.ts";
import { startServerProcess } from "../../runtime/server-process.ts";
import { resolveToken } from "../../runtime/token.ts";
import type { Command } from "../command.ts";
import { intFlag, parseFlags, stringFlag, UsageError } from "../usage.ts";

/** The coordinator's address from --coord, else SSP_COORD (or DMLC_PS_ROOT_URI:DMLC_PS_ROOT_PORT). */
export function coordinatorAddress(
  command: string,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): Address {
  if (flag !== undefined) return parseAddress(flag, "--coord");
  const fromEnv = readRoleEnv(env).coordinator;
  if (fromEnv === undefined) {
    throw new UsageError(
      `ssp ${command}: where is the coordinator? Pass --coord HOST:PORT or set SSP_COORD (ssp launch does this for you)`,
    );
  }
  return fromEnv;
}

/** Refuses to run as one role when the environment says this process is another. */
export function checkRole(command: string, env: NodeJS.ProcessEnv): void {
  const role = readRoleEnv(env).role;
  if (role !== undefined && role !== command) {
    throw new UsageError(`ssp ${command}: SSP_ROLE (or DMLC_ROLE) says this process is a ${role}`);
  }
}

export const serverCommand: Command = {
  name: "server",
  summary: "run a server process of a runtime job (hosts parameter shards)",
  help: `Usage: ssp server [--coord HOST:PORT] [--rank N] [--host H] [--port P] [--token-file F]

Starts one server process: it listens for worker processes, registers with the coordinator, and hosts the
shards the coordinator assigns until the job ends. Usually started by 'ssp launch'.

Flags (environment in brackets; ps-lite's DMLC_* names are accepted too):
  --coord HOST:PORT   the coordinator [SSP_COORD, or DMLC_PS_ROOT_URI + DMLC_PS_ROOT_PORT]
  --rank N            ask for this server rank [SSP_RANK]; default: the coordinator picks
  --host H            interface to listen on [SSP_HOST], default 127.0.0.1
  --port P            port to listen on, default 0 (any free port)
  --advertise H       host name workers should dial, when it differs from --host (e.g. --host 0.0.0.0)
  --token-file F      file holding the job token [SSP_TOKEN]
  --timeout-ms MS     give up on bootstrap steps after this long, default 30000`,
  async run(argv) {
    const parsed = parseFlags("server", argv, {
      coord: { type: "string" },
      rank: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      advertise: { type: "string" },
      "token-file": { type: "string" },
      "timeout-ms": { type: "string" },
    });
    checkRole("server", process.env);
    const env = readRoleEnv(process.env);
    const coordinator = coordinatorAddress("server", parsed.values.coord as string | undefined, process.env);
    const rank = intFlag("server", parsed, "rank", env.rank ?? -1, 0);
    const host = stringFlag(parsed, "host", process.env.SSP_HOST ?? "127.0.0.1");
    const port = intFlag("server", parsed, "port", 0, 0);
    const token = resolveToken(parsed.values["token-file"] as string | undefined, process.env);
    const log = (line: string): void => {
      process.stderr.write(`${line}\n`);
    };
    const server = await startServerProcess({
      coordinator,
      token,
      rank,
      listen: { host, port },
      advertiseHost: parsed.values.advertise as string | undefined,
      timeoutMs: intFlag("server", parsed, "timeout-ms", 30_000, 1),
      log,
    });
    log(`listening at ${formatAddress(server.address)}; coordinator ${formatAddress(coordinator)}`);
    await server.done;
    return 0;
  },
};
