// Roles and addresses from the environment, for clusters: SSP_* names, with ps-lite's DMLC_* accepted as
// aliases so ps-lite launch scripts drive us unchanged.

import { type Address, parseAddress } from "./net.ts";

export interface RoleEnv {
  role?: string;
  coordinator?: Address;
  numServers?: number;
  numWorkers?: number;
  rank?: number;
}

function intVar(env: NodeJS.ProcessEnv, names: string[]): number | undefined {
  for (const name of names) {
    const text = env[name];
    if (text === undefined || text === "") continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
    return n;
  }
  return undefined;
}

export function readRoleEnv(env: NodeJS.ProcessEnv): RoleEnv {
  const out: RoleEnv = {};
  const role = env.SSP_ROLE ?? env.DMLC_ROLE;
  if (role !== undefined && role !== "") out.role = role === "scheduler" ? "coordinator" : role;
  if (env.SSP_COORD !== undefined && env.SSP_COORD !== "") {
    out.coordinator = parseAddress(env.SSP_COORD, "SSP_COORD");
  } else if (env.DMLC_PS_ROOT_URI !== undefined && env.DMLC_PS_ROOT_URI !== "") {
    const port = env.DMLC_PS_ROOT_PORT;
    if (port === undefined) throw new Error("DMLC_PS_ROOT_URI is set but DMLC_PS_ROOT_PORT is not");
    out.coordinator = parseAddress(`${env.DMLC_PS_ROOT_URI}:${port}`, "DMLC_PS_ROOT_URI:DMLC_PS_ROOT_PORT");
  }
  const numServers = intVar(env, ["SSP_NUM_SERVERS", "DMLC_NUM_SERVER"]);
  if (numServers !== undefined) out.numServers = numServers;
  const numWorkers = intVar(env, ["SSP_NUM_WORKERS", "DMLC_NUM_WORKER"]);
  if (numWorkers !== undefined) out.numWorkers = numWorkers;
  const rank = intVar(env, ["SSP_RANK"]);
  if (rank !== undefined) out.rank = rank;
  return out;
}
