// The job token: a shared secret that keeps one job's processes from talking to another's (or to anyone
// else on the network). `ssp launch` makes a fresh one per job and hands it to children in SSP_TOKEN.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

export function generateToken(): string {
  return randomBytes(32).toString("hex");
}

/** The token from --token-file, else SSP_TOKEN; an error saying how to provide one otherwise. */
export function resolveToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv): string {
  if (tokenFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(tokenFile, "utf8");
    } catch (e) {
      throw new Error(`cannot read the token file ${tokenFile}: ${(e as Error).message}`);
    }
    const token = text.trim();
    if (token.length < 16)
      throw new Error(`token file ${tokenFile} holds ${token.length} characters; use at least 16`);
    return token;
  }
  const token = env.SSP_TOKEN?.trim();
  if (token === undefined || token === "") {
    throw new Error(
      "no job token: set SSP_TOKEN or pass --token-file FILE (the same on every process of the job; ssp launch makes one for you)",
    );
  }
  if (token.length < 16) throw new Error(`SSP_TOKEN holds ${token.length} characters; use at least 16`);
  return token;
}
