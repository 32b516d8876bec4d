import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRoleEnv } from "../../runtime/env.ts";
import { parseAddress } from "../../runtime/net.ts";
import { resolveToken } from "../../runtime/token.ts";

describe("roles and addresses from the environment", () => {
  it("reads SSP_* and prefers them over ps-lite's DMLC_* aliases", () => {
    expect(
      readRoleEnv({
        SSP_ROLE: "server",
        SSP_COORD: "127.0.0.2:9000",
        SSP_NUM_SERVERS: "2",
        SSP_NUM_WORKERS: "8",
        SSP_RANK: "1",
      }),
    ).toEqual({
      role: "server",
      coordinator: { host: "127.0.0.2", port: 9000 },
      numServers: 2,
      numWorkers: 8,
      rank: 1,
    });
    expect(
      readRoleEnv({
        DMLC_ROLE: "scheduler",
        DMLC_PS_ROOT_URI: "127.0.0.4",
        DMLC_PS_ROOT_PORT: "9100",
        DMLC_NUM_SERVER: "3",
        DMLC_NUM_WORKER: "5",
      }),
    ).toEqual({
      role: "coordinator",
      coordinator: { host: "127.0.0.4", port: 9100 },
      numServers: 3,
      numWorkers: 5,
    });
    expect(readRoleEnv({ SSP_NUM_SERVERS: "4", DMLC_NUM_SERVER: "9" }).numServers).toBe(4);
  });

  it("names the variable that is wrong", () => {
    expect(() => readRoleEnv({ SSP_RANK: "-1" })).toThrow(/SSP_RANK must be a non-negative integer/);
    expect(() => readRoleEnv({ DMLC_PS_ROOT_URI: "h" })).toThrow(/DMLC_PS_ROOT_PORT is not/);
    expect(() => parseAddress("localhost", "SSP_COORD")).toThrow(/SSP_COORD must look like host:port/);
  });

  it("takes the token from a file or SSP_TOKEN, and says how to provide one when missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "ssp-token-"));
    try {
      const file = join(dir, "token");
      writeFileSync(file, "  0123456789abcdef0123\n");
      expect(resolveToken(file, {})).toBe("0123456789abcdef0123");
      expect(resolveToken(undefined, { SSP_TOKEN: "fedcba9876543210fe" })).toBe("fedcba9876543210fe");
      expect(() => resolveToken(undefined, {})).toThrow(/no job token: set SSP_TOKEN or pass --token-file/);
      expect(() => resolveToken(undefined, { SSP_TOKEN: "short" })).toThrow(/at least 16/);
      expect(() => resolveToken(join(dir, "missing"), {})).toThrow(/cannot read the token file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
